package io.edgeslice.slicer;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;

/** Session creation in one place so every session gets the same settings and error messages. */
final class Ort {
    static {
        OrtNatives.useCache();
    }

    private Ort() {
    }

    static OrtEnvironment env() {
        return OrtEnvironment.getEnvironment();
    }

    static OrtSession session(byte[] model, SessionSettings settings, String what) {
        try (OrtSession.SessionOptions options = options(settings)) {
            return env().createSession(model, options);
        } catch (OrtException e) {
            throw new SlicingException("ONNX Runtime cannot load " + what + ": " + e.getMessage(), e);
        }
    }

    /** Optimises a model at level all for this machine and saves the optimised graph to {@code out}. */
    static void optimize(java.nio.file.Path model, java.nio.file.Path out) {
        try (OrtSession.SessionOptions options = options(new SessionSettings(1, SessionSettings.Optimization.ALL))) {
            options.setOptimizedModelFilePath(out.toString());
            env().createSession(model.toString(), options).close();
        } catch (OrtException e) {
            throw new SlicingException("ONNX Runtime cannot optimise " + model + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession.SessionOptions options(SessionSettings settings) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        if (settings.intraOpThreads() > 0) {
            options.setIntraOpNumThreads(settings.intraOpThreads());
        }
        options.setOptimizationLevel(switch (settings.optimization()) {
            case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
            case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
        });
        // A process here holds several sessions (one per slice). Idle ORT worker threads spin by
        // default, and the pools of the idle slices then steal the cores of the busy one: on two
        // cores a three-slice chain ran 1.5x slower than the whole model with spinning, 1.03x without.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        // Slices keep only the initializers they use, but the original models often carry unused
        // ones, and ORT warns about each on every load; those warnings are noise here.
        options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        return options;
    }

    static void close(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            throw new SlicingException("closing an ONNX Runtime object failed: " + e.getMessage(), e);
        }
    }
}
