package io.edgeslice.broker;

/** A deployment the broker refused or that failed on the agent; the message says why. */
public class DeployException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeployException(String message) {
        super(message);
    }
}
