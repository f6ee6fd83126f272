package io.edgeslice.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.edgeslice.protocol.DType;
import io.edgeslice.protocol.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A float32 single-input model run in this process with ONNX Runtime: the demo's reference, computed
 * independently of the cluster so that every result the cluster returns can be checked.
 */
final class LocalModel implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String inputName;
    private final long[] inputShape;

    LocalModel(Path file) throws OrtException {
        this(file, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    /** At EXTENDED_OPT for comparisons with a chain of slices, which agents run at that level (see InferenceEngine). */
    LocalModel(Path file, OrtSession.SessionOptions.OptLevel level) throws OrtException {
        this(file, level, Runtime.getRuntime().availableProcessors());
    }

    LocalModel(Path file, OrtSession.SessionOptions.OptLevel level, int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(level);
        options.setIntraOpNumThreads(Math.max(1, threads));
        options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        session = env.createSession(file.toString(), options);
        if (session.getInputNames().size() != 1) {
            throw new IllegalArgumentException(file + " has " + session.getInputNames().size() + " inputs; the demo uses single-input models");
        }
        inputName = session.getInputNames().iterator().next();
        TensorInfo info = (TensorInfo) session.getInputInfo().get(inputName).getInfo();
        if (info.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
            throw new IllegalArgumentException(file + " takes " + info.type + "; the demo uses float32 models");
        }
        inputShape = info.getShape();
        for (int i = 0; i < inputShape.length; i++) {
            if (inputShape[i] < 0) {
                inputShape[i] = 1;
            }
        }
    }

    String inputName() {
        return inputName;
    }

    /** A reproducible random input in [0,1). */
    Tensor randomInput(long seed) {
        int n = (int) Tensor.elementCount(inputShape);
        float[] v = new float[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat();
        }
        return Tensor.ofFloats(inputName, inputShape, v);
    }

    List<Tensor> run(Tensor input) throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, input.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer(), input.shape());
             OrtSession.Result r = session.run(Map.of(inputName, t))) {
            List<Tensor> out = new ArrayList<>();
            for (var e : r) {
                OnnxTensor o = (OnnxTensor) e.getValue();
                if (o.getInfo().type != ai.onnxruntime.OnnxJavaType.FLOAT) {
                    throw new IllegalStateException("output " + e.getKey() + " is " + o.getInfo().type + ", not float32");
                }
                ByteBuffer b = o.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                out.add(new Tensor(e.getKey(), DType.FLOAT32, o.getInfo().getShape(), b));
            }
            return out;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
