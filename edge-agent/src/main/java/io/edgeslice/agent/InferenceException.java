package io.edgeslice.agent;

import io.edgeslice.protocol.ErrorCode;

/**
 * Inference could not run; the code says whose fault it is ({@link ErrorCode#BAD_MODEL},
 * {@link ErrorCode#BAD_INPUT} or {@link ErrorCode#INFERENCE}) and is what a FAILED message carries.
 */
public class InferenceException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public InferenceException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public InferenceException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
