package io.edgeslice.agent;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.edgeslice.protocol.BufferPool;
import io.edgeslice.protocol.DType;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.slicer.OrtNatives;
import io.edgeslice.slicer.OrtTypes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs ONNX models with ONNX Runtime on {@link Tensor}s. Sessions are cached per model key (by
 * convention the model's SHA-256), at most {@code maxSessions} of them, least recently used first
 * out; a session is created once even when several threads ask for it together. Thread-safe.
 */
public final class InferenceEngine implements AutoCloseable {
    /** Sessions kept open by default. */
    public static final int DEFAULT_MAX_SESSIONS = 8;
    private static final Logger log = LoggerFactory.getLogger(InferenceEngine.class);

    static {
        OrtNatives.useCache(); // before OrtEnvironment loads the libraries
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions options;
    private final int maxSessions;
    /** Access-ordered, so iteration starts at the least recently used; guarded by itself. */
    private final LinkedHashMap<String, CompletableFuture<Loaded>> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private int loads;
    private boolean closed;

    /** An engine whose sessions use this many intra-op threads each, with every graph optimisation. */
    public InferenceEngine(int intraOpThreads) {
        this(intraOpThreads, DEFAULT_MAX_SESSIONS, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    public InferenceEngine(int intraOpThreads, int maxSessions) {
        this(intraOpThreads, maxSessions, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    /**
     * An engine at a given graph optimisation level. Slices not marked by the slicer run at
     * EXTENDED_OPT: at most cut positions the ALL level's NCHWc layout rewrite orders float
     * arithmetic differently in a slice than in the whole model (chains differ by up to ~1e-3);
     * slices cut where the slicer found the chain exact at ALL are marked and run at ALL.
     */
    public InferenceEngine(int intraOpThreads, int maxSessions, OrtSession.SessionOptions.OptLevel level) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            // tensors travel little-endian and ONNX Runtime reads buffers in native order
            throw new IllegalStateException("big-endian platforms are not supported");
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1, got " + maxSessions);
        }
        this.maxSessions = maxSessions;
        try {
            options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(Math.max(1, intraOpThreads));
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(level);
            // the intra-op threads spin while a run lasts, not after it: between requests they would
            // burn a core that another agent's stage on this machine (or the next request's I/O) needs
            options.addConfigEntry("session.force_spinning_stop", "1");
            // graph-cleanup warnings of converted models are noise on an agent's console
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot configure ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /**
     * Runs a model. Inputs are matched to the model's inputs by name; a single input named
     * {@code ""} fits a model with exactly one input. Returns every output, in the model's
     * declared order, named as the model names it.
     *
     * @param modelFile the .onnx file
     * @param modelKey  identifies the model in the session cache; by convention its SHA-256
     * @throws InferenceException BAD_MODEL, BAD_INPUT or INFERENCE
     */
    public List<Tensor> run(Path modelFile, String modelKey, List<Tensor> inputs) throws InferenceException {
        return run(modelFile, modelKey, inputs, false);
    }

    /**
     * As {@link #run(Path, String, List)}; with {@code shareable} the outputs are written into
     * {@link io.edgeslice.protocol.SharedMemory} segments (when this process has them), so that they
     * can go to a peer on this machine by reference.
     */
    public List<Tensor> run(Path modelFile, String modelKey, List<Tensor> inputs, boolean shareable) throws InferenceException {
        Loaded m = acquire(modelFile, modelKey);
        try {
            return execute(m, bind(m.inputs, inputs), shareable);
        } finally {
            release(m);
        }
    }

    /** The model's declared inputs (dynamic dimensions are -1), loading its session if needed. */
    public List<ModelInput> inputs(Path modelFile, String modelKey) throws InferenceException {
        Loaded m = acquire(modelFile, modelKey);
        release(m);
        return m.inputs;
    }

    /** The model's declared outputs, in order (dynamic dimensions are -1). */
    public List<ModelInput> outputs(Path modelFile, String modelKey) throws InferenceException {
        Loaded m = acquire(modelFile, modelKey);
        release(m);
        return m.outputs;
    }

    /** Closes every session; sessions in use close when their run ends. */
    @Override
    public void close() {
        synchronized (sessions) {
            closed = true;
            for (CompletableFuture<Loaded> f : sessions.values()) {
                Loaded m = f.getNow(null);
                if (m != null) {
                    retire(m);
                }
            }
            sessions.clear();
        }
        try {
            options.close();
        } catch (IllegalStateException e) {
            // already closed
        }
    }

    /** The execution providers this ONNX Runtime build offers, e.g. CPU. */
    static List<String> availableProviders() {
        return OrtEnvironment.getAvailableProviders().stream().map(OrtProvider::name).sorted().collect(Collectors.toList());
    }

    /** Sessions created so far (for tests of the once-only and LRU rules). */
    int loads() {
        synchronized (sessions) {
            return loads;
        }
    }

    private static final class Loaded {
        /** A signature whose outputs did not fit the shapes seen before: never written in place again. */
        static final long[][] UNPINNABLE = new long[0][];
        /** Input signatures remembered per session; beyond this the memo starts over. */
        static final int MAX_SIGNATURES = 64;

        final OrtSession session;
        final List<ModelInput> inputs;
        final List<ModelInput> outputs;
        /** The output shapes a run produced, per input signature (names, types, shapes). */
        final Map<String, long[][]> outputShapes = new ConcurrentHashMap<>();
        int users;
        boolean retired;

        Loaded(OrtSession session, List<ModelInput> inputs, List<ModelInput> outputs) {
            this.session = session;
            this.inputs = List.copyOf(inputs);
            this.outputs = List.copyOf(outputs);
        }

        void remember(String signature, long[][] shapes) {
            if (outputShapes.size() >= MAX_SIGNATURES) {
                outputShapes.clear();
            }
            outputShapes.putIfAbsent(signature, shapes);
        }
    }

    private Loaded acquire(Path file, String key) throws InferenceException {
        while (true) {
            CompletableFuture<Loaded> f;
            boolean mine = false;
            synchronized (sessions) {
                if (closed) {
                    throw new IllegalStateException("the inference engine is closed");
                }
                f = sessions.get(key);
                if (f == null) {
                    f = new CompletableFuture<>();
                    sessions.put(key, f);
                    mine = true;
                    loads++;
                }
            }
            if (mine) {
                load(file, key, f);
            }
            Loaded m;
            try {
                m = f.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof InferenceException ie) {
                    throw ie;
                }
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
            synchronized (sessions) {
                if (!m.retired) {
                    m.users++;
                    return m;
                }
            }
            // evicted between loading and use: load it again
        }
    }

    /** Creates the session outside the lock, so other models stay usable meanwhile. */
    private void load(Path file, String key, CompletableFuture<Loaded> f) {
        try {
            Loaded m = open(file);
            synchronized (sessions) {
                f.complete(m);
                if (closed) {
                    retire(m);
                }
                evictBeyondLimit();
            }
        } catch (InferenceException | RuntimeException e) {
            synchronized (sessions) {
                sessions.remove(key, f); // a failure is not cached: the next task tries again
            }
            f.completeExceptionally(e);
        }
    }

    private Loaded open(Path file) throws InferenceException {
        if (!Files.isRegularFile(file)) {
            throw new InferenceException(ErrorCode.BAD_MODEL, "model file " + file + " does not exist");
        }
        OrtSession s;
        try {
            s = env.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new InferenceException(ErrorCode.BAD_MODEL, "model " + file.getFileName() + " does not load in ONNX Runtime: " + e.getMessage(), e);
        }
        try {
            Loaded m = new Loaded(s, describe(s.getInputInfo(), "input"), describe(s.getOutputInfo(), "output"));
            log.debug("opened a session for {} (inputs {}, outputs {})", file.getFileName(), m.inputs, m.outputs);
            return m;
        } catch (OrtException | InferenceException | RuntimeException e) {
            closeQuietly(s);
            throw e instanceof InferenceException ie ? ie
                    : new InferenceException(ErrorCode.BAD_MODEL, "model " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private static List<ModelInput> describe(Map<String, NodeInfo> nodes, String what) throws InferenceException {
        List<ModelInput> out = new ArrayList<>(nodes.size());
        for (NodeInfo n : nodes.values()) {
            if (!(n.getInfo() instanceof TensorInfo ti)) {
                throw new InferenceException(ErrorCode.BAD_MODEL, what + " '" + n.getName() + "' is not a tensor (" + n.getInfo() + ")");
            }
            DType d = OrtTypes.dtype(ti.type);
            if (d == null) {
                throw new InferenceException(ErrorCode.BAD_MODEL, what + " '" + n.getName() + "' has element type " + ti.onnxType
                        + ", which EdgeSlice tensors cannot carry");
            }
            out.add(new ModelInput(n.getName(), d, ti.getShape()));
        }
        return out;
    }

    private void release(Loaded m) {
        synchronized (sessions) {
            m.users--;
            if (m.retired && m.users == 0) {
                closeQuietly(m.session);
            }
        }
    }

    /** Called with the lock held. */
    private void evictBeyondLimit() {
        Iterator<CompletableFuture<Loaded>> it = sessions.values().iterator();
        int excess = sessions.size() - maxSessions;
        while (excess > 0 && it.hasNext()) {
            Loaded m = it.next().getNow(null);
            if (m != null) { // sessions still loading are skipped, not waited for
                it.remove();
                retire(m);
                excess--;
            }
        }
    }

    /** Called with the lock held: closes now, or when the last run using it ends. */
    private static void retire(Loaded m) {
        m.retired = true;
        if (m.users == 0) {
            closeQuietly(m.session);
        }
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException | RuntimeException e) {
            log.warn("closing an ONNX Runtime session failed: {}", e.getMessage());
        }
    }

    /** Matches tensors to the model's inputs, by name or as the one unnamed input. */
    private static Map<String, Tensor> bind(List<ModelInput> declared, List<Tensor> given) throws InferenceException {
        Map<String, ModelInput> byName = new LinkedHashMap<>();
        declared.forEach(d -> byName.put(d.name(), d));
        if (given.size() == 1 && given.get(0).name().isEmpty()) {
            if (declared.size() != 1) {
                throw new InferenceException(ErrorCode.BAD_INPUT, "an unnamed input only fits a model with exactly one input; this model has "
                        + declared.size() + ": " + listing(declared));
            }
            given = List.of(given.get(0).withName(declared.get(0).name()));
        }
        Map<String, Tensor> bound = new HashMap<>();
        for (Tensor t : given) {
            ModelInput d = byName.get(t.name());
            if (d == null) {
                throw new InferenceException(ErrorCode.BAD_INPUT, "unknown input '" + t.name() + "'; the model's inputs are " + listing(declared));
            }
            if (bound.put(t.name(), t) != null) {
                throw new InferenceException(ErrorCode.BAD_INPUT, "input '" + t.name() + "' is given twice");
            }
            if (t.dtype() != d.dtype() || !d.accepts(t.shape())) {
                throw new InferenceException(ErrorCode.BAD_INPUT, "input '" + t.name() + "' expects " + d.describe() + ", got "
                        + t.dtype().lowerName() + " " + t.shapeString());
            }
        }
        for (ModelInput d : declared) {
            if (!bound.containsKey(d.name())) {
                throw new InferenceException(ErrorCode.BAD_INPUT, "missing input " + d);
            }
        }
        return bound;
    }

    private static String listing(List<ModelInput> declared) {
        return declared.stream().map(ModelInput::toString).collect(Collectors.joining(", "));
    }

    /**
     * Outputs land in direct buffers, which ONNX Runtime reads and sockets write without a JDK
     * copy. Once a session has produced outputs for an input signature, later runs with that
     * signature have ONNX Runtime write straight into direct buffers of those shapes (pinned
     * outputs, from {@link BufferPool#SHARED}: whoever is done with them may release them there),
     * so nothing is copied out of ONNX Runtime's memory; the first run of a signature, and every
     * run of one whose outputs did not fit (data-dependent shapes), copy the outputs out.
     */
    private List<Tensor> execute(Loaded m, Map<String, Tensor> bound, boolean shareable) throws InferenceException {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : bound.entrySet()) {
                feed.put(e.getKey(), toOnnx(e.getValue()));
            }
            String signature = signature(bound);
            long[][] shapes = m.outputShapes.get(signature);
            if (shapes != null && shapes != Loaded.UNPINNABLE) {
                try {
                    return runInto(m, feed, bound, shapes, shareable);
                } catch (OrtException e) {
                    log.debug("running into pinned outputs failed ({}); copying the outputs of this input signature from now on", e.getMessage());
                    m.outputShapes.put(signature, Loaded.UNPINNABLE);
                }
            }
            List<Tensor> out = runAndCopy(m, feed);
            if (shapes == null) {
                m.remember(signature, out.stream().map(Tensor::shape).toArray(long[][]::new));
            }
            return out;
        } catch (OrtException e) {
            throw new InferenceException(ErrorCode.INFERENCE, "inference failed: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private static List<Tensor> runAndCopy(Loaded m, Map<String, OnnxTensor> feed) throws OrtException, InferenceException {
        try (OrtSession.Result r = m.session.run(feed)) {
            List<Tensor> out = new ArrayList<>(m.outputs.size());
            for (ModelInput o : m.outputs) {
                OnnxValue v = r.get(o.name()).orElse(null);
                if (!(v instanceof OnnxTensor t)) {
                    throw new InferenceException(ErrorCode.INFERENCE, "output '" + o.name() + "' is missing or not a tensor");
                }
                out.add(fromOnnx(o.name(), t));
            }
            return out;
        }
    }

    /**
     * An output that is also an input (a slice passing a tensor on to a later stage) is copied from
     * the input: ONNX Runtime leaves a pinned buffer for such an output unwritten.
     */
    private List<Tensor> runInto(Loaded m, Map<String, OnnxTensor> feed, Map<String, Tensor> bound, long[][] shapes, boolean shareable)
            throws OrtException {
        List<Tensor> out = new ArrayList<>(m.outputs.size());
        Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
        try {
            for (int i = 0; i < m.outputs.size(); i++) {
                ModelInput o = m.outputs.get(i);
                Tensor passedOn = bound.get(o.name());
                Tensor t = BufferPool.SHARED.newTensor(o.name(), o.dtype(), shapes[i], shareable, passedOn);
                if (passedOn == null) {
                    pinned.put(o.name(), toOnnx(t));
                }
                out.add(t);
            }
            m.session.run(feed, Set.of(), pinned).close(); // the result owns none of the pinned values
            return out;
        } finally {
            pinned.values().forEach(OnnxTensor::close);
        }
    }

    /** Input names, types and shapes: what fixes the output shapes of a model without data-dependent ones. */
    private static String signature(Map<String, Tensor> bound) {
        StringBuilder sb = new StringBuilder();
        bound.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sb.append(e.getKey()).append(':')
                .append(e.getValue().dtype().lowerName()).append(Arrays.toString(e.getValue().shape())).append(';'));
        return sb.toString();
    }

    /** Wraps the tensor's bytes in place when they are direct already, else copies them once into direct memory. */
    private OnnxTensor toOnnx(Tensor t) throws OrtException {
        ByteBuffer src = t.data();
        ByteBuffer direct = src.isDirect() ? src.duplicate()
                : ByteBuffer.allocateDirect(src.remaining()).put(src.duplicate()).flip();
        direct.order(ByteOrder.nativeOrder());
        if (t.dtype() == DType.FLOAT32) {
            return OnnxTensor.createTensor(env, direct.asFloatBuffer(), t.shape());
        }
        return OnnxTensor.createTensor(env, direct, t.shape(), OrtTypes.javaType(t.dtype()));
    }

    private static Tensor fromOnnx(String name, OnnxTensor t) throws InferenceException {
        TensorInfo info = t.getInfo();
        DType d = OrtTypes.dtype(info.type);
        ByteBuffer data = d == null ? null : t.getByteBuffer(); // a copy that outlives the tensor
        if (data == null) {
            throw new InferenceException(ErrorCode.INFERENCE, "output '" + name + "' has element type " + info.onnxType + ", which EdgeSlice tensors cannot carry");
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(data.remaining()).put(data).flip();
        return new Tensor(name, d, info.getShape(), direct.order(ByteOrder.LITTLE_ENDIAN));
    }
}
