package io.edgeslice.slicer;

/**
 * Thrown for every problem the slicer detects in its input: a file that is not ONNX, an unsupported
 * opset, an input shape that contradicts the model, cut positions that cannot be used, a cluster
 * description with unknown nodes, and so on. The message always names the offending thing.
 */
public class SlicingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SlicingException(String message) {
        super(message);
    }

    public SlicingException(String message, Throwable cause) {
        super(message, cause);
    }
}
