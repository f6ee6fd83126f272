package io.edgeslice.cli;

import ai.onnxruntime.OrtSession;
import io.edgeslice.agent.InferenceEngine;
import io.edgeslice.agent.InferenceException;
import io.edgeslice.agent.ModelInput;
import io.edgeslice.broker.Broker;
import io.edgeslice.protocol.DType;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.slicer.Slicer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A float32 single-input model run in this process, with the agents' own {@link InferenceEngine}:
 * the reference for the demo, the benchmarks and the tests, computed outside the cluster so that
 * every result the cluster returns can be checked.
 */
final class LocalModel implements AutoCloseable {
    private final InferenceEngine engine;
    private final Path file;
    private final String inputName;
    private final long[] inputShape;

    LocalModel(Path file) throws InferenceException {
        this(file, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    /**
     * The level a route's slices run at on the agents: all when the slicer marked them (cut where
     * the chain stays exact there), else extended. A reference at the same level matches bit for bit.
     */
    static OrtSession.SessionOptions.OptLevel levelOf(Broker broker, Message.Route route) {
        // the slicer marks all slices of a cutting alike: the first one tells
        return Slicer.runsAtLevelAll(broker.modelFile(route.stages().get(0).sliceHash())) ? OrtSession.SessionOptions.OptLevel.ALL_OPT
                : OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
    }

    /** At a given level, e.g. {@link #levelOf} a route's slices for comparisons with the chain. */
    LocalModel(Path file, OrtSession.SessionOptions.OptLevel level) throws InferenceException {
        this(file, level, Runtime.getRuntime().availableProcessors());
    }

    LocalModel(Path file, OrtSession.SessionOptions.OptLevel level, int threads) throws InferenceException {
        this.file = file;
        this.engine = new InferenceEngine(threads, 1, level);
        List<ModelInput> inputs = engine.inputs(file, file.toString());
        if (inputs.size() != 1) {
            engine.close();
            throw new IllegalArgumentException(file + " has " + inputs.size() + " inputs; this needs a single-input model");
        }
        ModelInput in = inputs.get(0);
        if (in.dtype() != DType.FLOAT32) {
            engine.close();
            throw new IllegalArgumentException(file + " takes " + in.describe() + "; this needs a float32 model");
        }
        inputName = in.name();
        inputShape = in.concreteShape(1);
    }

    String inputName() {
        return inputName;
    }

    /** The input's shape, dynamic dimensions taken as 1. */
    long[] inputShape() {
        return inputShape.clone();
    }

    /** A reproducible random input in [0,1). */
    Tensor randomInput(long seed) {
        return randomFloats(inputName, inputShape, seed);
    }

    /** A reproducible float32 tensor of values in [0,1). */
    static Tensor randomFloats(String name, long[] shape, long seed) {
        int n = (int) Tensor.elementCount(shape);
        float[] v = new float[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat();
        }
        return Tensor.ofFloats(name, shape, v);
    }

    /** Every output, in the model's declared order. */
    List<Tensor> run(Tensor input) throws InferenceException {
        return engine.run(file, file.toString(), List.of(input.withName(inputName)));
    }

    @Override
    public void close() {
        engine.close();
    }
}
