package io.edgeslice.protocol;

/** Error codes carried by FAILED messages; the CLI prints the code and the message beside it. */
public enum ErrorCode {
    /** A frame could not be decoded. */
    MALFORMED(1),
    /** The sender speaks another protocol version. */
    VERSION(2),
    /** The message exceeds the receiver's size limit. */
    TOO_LARGE(3),
    /** The model bytes are not a loadable ONNX model. */
    BAD_MODEL(4),
    /** The input tensors do not fit the model (names, dtype or shape). */
    BAD_INPUT(5),
    /** Model bytes do not hash to the announced SHA-256. */
    HASH_MISMATCH(6),
    /** The broker does not hold the model the task names. */
    MODEL_MISSING(7),
    /** Inference failed inside the runtime. */
    INFERENCE(8),
    /** The task was retried more often than allowed. */
    ATTEMPTS_EXHAUSTED(9),
    /** A value is out of range (priority, deadline, ...). */
    BAD_REQUEST(10),
    /** The command is valid but not expected from this peer now. */
    UNEXPECTED(11),
    /** The broker knows no task of that id. */
    UNKNOWN_TASK(13),
    /** No route is deployed for the model. */
    NO_ROUTE(14),
    /** An activation of another route epoch, or for a slice the agent does not host here. */
    WRONG_ROUTE(15),
    /** Data whose checksum does not match. */
    CHECKSUM(16),
    /** A peer to be measured did not answer in time (a link probe). */
    UNREACHABLE(17),
    /** A shared-memory segment an activation names cannot be read here: the sender sends inline instead. */
    SHARED_MEMORY(18),
    /** Something failed inside the receiver. */
    INTERNAL(12);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ErrorCode fromCode(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return INTERNAL;
    }
}
