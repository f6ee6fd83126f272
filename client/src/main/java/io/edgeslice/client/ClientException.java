package io.edgeslice.client;

import io.edgeslice.protocol.ErrorCode;

/** The broker refused a request, or did not answer in time; the message says which and why. */
public class ClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ErrorCode code;

    public ClientException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    /** The broker's error code, or null when the broker did not answer. */
    public ErrorCode code() {
        return code;
    }
}
