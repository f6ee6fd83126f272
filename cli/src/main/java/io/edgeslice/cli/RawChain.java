package io.edgeslice.cli;

import ai.onnxruntime.OrtSession;
import io.edgeslice.agent.InferenceEngine;
import io.edgeslice.protocol.BufferPool;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Npy;
import io.edgeslice.protocol.SharedMemory;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.protocol.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The raw-process baseline for a pipeline's compute: each slice in a bare JVM of its own, started
 * with the agents' JVM options and run by the agents' {@link InferenceEngine}, in turn, each on a
 * line from this process; nothing else (no sockets, checksums, broker or control thread). The
 * first slice reads its real input (from a file, once); each later one reads what the one before
 * it has just written, in place in that process's shared memory when the agents use it (the
 * activation's frames, references to the segments, pass through this process), as agents on one
 * machine do. The sum of their run times is what the stages' compute costs on this machine when
 * each slice runs in a process of its own, on activations another process has just produced.
 */
final class RawChain implements AutoCloseable {
    private static final String READY = "raw-stage ready";
    /** A run's time and its outputs: "raw-stage micros N FRAME,FRAME,..." (frames in base64; none after the last slice). */
    private static final String MICROS = "raw-stage micros ";
    private static final int WARM_UP = 3;

    private record Child(Process process, Writer in, BufferedReader out) {
    }

    private final List<Child> children = new ArrayList<>();
    /** What the processes' files in the work directory are named after: "raw-stage" for slices, "raw-whole" for the whole model. */
    private final String label;

    private RawChain(String label) {
        this.label = label;
    }

    /**
     * Starts one process per slice (the first one's input written to {@code dir}) and runs the
     * chain {@value #WARM_UP} times. {@code sharedMemory} is the agents' option: outputs land where
     * theirs do and are read as theirs are; each process gets the agents' CPU limit, if any.
     */
    static RawChain start(List<Path> slices, List<String> keys, List<List<Tensor>> inputs, OrtSession.SessionOptions.OptLevel level,
                          String sharedMemory, Path dir, DeviceLimits limits) throws IOException {
        return start("raw-stage", slices, keys, inputs, level, sharedMemory, dir, limits);
    }

    /** The whole model in one bare process, as {@link #start} runs each slice: what the pipeline's latency compares with on a device like an agent's. */
    static RawChain whole(Path model, String key, List<Tensor> input, OrtSession.SessionOptions.OptLevel level, String sharedMemory, Path dir,
                          DeviceLimits limits) throws IOException {
        return start("raw-whole", List.of(model), List.of(key), List.of(input), level, sharedMemory, dir, limits);
    }

    private static RawChain start(String label, List<Path> slices, List<String> keys, List<List<Tensor>> inputs,
                                  OrtSession.SessionOptions.OptLevel level, String sharedMemory, Path dir, DeviceLimits limits) throws IOException {
        RawChain chain = new RawChain(label);
        try {
            for (int s = 0; s < slices.size(); s++) {
                List<String> cmd = EdgeSliceProcess.javaCommand(RawChain.class);
                cmd.addAll(List.of(slices.get(s).toString(), keys.get(s), level.name(), sharedMemory, String.valueOf(s + 1 < slices.size())));
                for (int i = 0; s == 0 && i < inputs.get(s).size(); i++) { // later slices read their predecessor's outputs
                    Tensor t = inputs.get(s).get(i);
                    Path file = dir.resolve(label + s + "-input" + i + ".npy");
                    Npy.write(file, t);
                    cmd.addAll(List.of(t.name(), file.toString()));
                }
                Process p = new ProcessBuilder(cmd).redirectError(dir.resolve(label + s + ".log").toFile()).start();
                limits.limit(label + s, p.pid()); // on a device like its agent's
                chain.children.add(new Child(p, new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8),
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))));
            }
            for (int s = 0; s < chain.children.size(); s++) {
                chain.await(s, READY);
            }
            for (int i = 0; i < WARM_UP; i++) { // loads the sessions; ONNX Runtime's first runs are slower
                chain.runOnce();
            }
            return chain;
        } catch (IOException | RuntimeException e) {
            chain.close();
            throw e;
        }
    }

    /** One run of every slice in turn, each on the outputs of the one before; each one's run time in microseconds as its process measured it. */
    List<Long> runOnce() {
        List<Long> micros = new ArrayList<>();
        String frames = "";
        for (int s = 0; s < children.size(); s++) {
            try {
                Writer in = children.get(s).in();
                in.write("run " + frames + "\n");
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("raw process " + s + " is gone (see " + label + s + ".log)", e);
            }
            String[] reply = await(s, MICROS).substring(MICROS.length()).split(" ", -1);
            micros.add(Long.parseLong(reply[0]));
            frames = reply.length > 1 ? reply[1] : "";
        }
        return micros;
    }

    /** The next line of child {@code s} that starts with {@code prefix} (ONNX Runtime may print on stdout too). */
    private String await(int s, String prefix) {
        try {
            for (String line; (line = children.get(s).out().readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IllegalStateException("raw process " + s + " ended (see " + label + s + ".log)");
        } catch (IOException e) {
            throw new UncheckedIOException("raw process " + s + " is gone (see " + label + s + ".log)", e);
        }
    }

    @Override
    public void close() {
        for (Child c : children) {
            try {
                EdgeSliceProcess.stop(c.process());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.process().destroyForcibly();
            }
        }
    }

    /**
     * A raw stage: SLICE KEY LEVEL SHARED_MEMORY NEXT_STAGE [NAME INPUT.npy]...; runs the slice on
     * each line of stdin: on the inputs from the files (the first slice), or on the activation whose
     * frames the line carries, and answers with its run time and its outputs' frames.
     */
    public static void main(String[] args) throws Exception {
        Path slice = Path.of(args[0]);
        String key = args[1];
        OrtSession.SessionOptions.OptLevel level = OrtSession.SessionOptions.OptLevel.valueOf(args[2]);
        boolean shared = !args[3].equals("off");
        if (shared) {
            SharedMemory.enable(Path.of(args[3])); // outputs land in segments and are read in place, as between agents
        }
        boolean nextStage = Boolean.parseBoolean(args[4]);
        List<Tensor> fileInputs = new ArrayList<>();
        for (int i = 5; i + 1 < args.length; i += 2) {
            Tensor t = Npy.read(Path.of(args[i + 1]), args[i]);
            // direct, as an agent's inputs are: the engine would copy heap bytes on every run
            ByteBuffer direct = ByteBuffer.allocateDirect(t.data().remaining()).put(t.data().duplicate()).flip();
            fileInputs.add(new Tensor(t.name(), t.dtype(), t.shape(), direct.order(ByteOrder.LITTLE_ENDIAN)));
        }
        PrintStream out = System.out;
        out.println(READY);
        out.flush();
        List<Tensor> previous = List.of();
        try (InferenceEngine engine = new InferenceEngine(1, InferenceEngine.DEFAULT_MAX_SESSIONS, level)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String frames = line.length() > 4 ? line.substring(4) : "";
                List<Tensor> inputs = frames.isEmpty() ? fileInputs : ((Message.Activation) Codec.decode(decodeFrames(frames))).tensors();
                // the next slice has read our last outputs (runs go one at a time): their buffers may be written again
                BufferPool.SHARED.release(previous);
                long start = System.nanoTime(); // timed as an agent's worker times a slice run
                List<Tensor> outputs = engine.run(slice, key, inputs, nextStage);
                long micros = (System.nanoTime() - start) / 1000;
                previous = outputs;
                out.println(MICROS + micros + (nextStage ? " " + encodeFrames(outputs, shared) : ""));
                out.flush();
            }
        }
    }

    /** An activation carrying these tensors, by reference to their segments when shared, as frames in base64. */
    private static String encodeFrames(List<Tensor> tensors, boolean shared) {
        Message.Activation a = new Message.Activation(new UUID(0, 0), 1, 1, "0".repeat(64), 0, 0, 0, "", 0,
                shared ? Transport.SHARED : Transport.NONE, tensors);
        List<String> out = new ArrayList<>();
        for (ByteBuffer f : Codec.encode(a)) {
            byte[] b = new byte[f.remaining()];
            f.duplicate().get(b);
            out.add(Base64.getEncoder().encodeToString(b));
        }
        return String.join(",", out);
    }

    /** Direct frames, as an agent receives them: an inline tensor is then read in place, not copied on every run. */
    private static List<ByteBuffer> decodeFrames(String frames) {
        List<ByteBuffer> out = new ArrayList<>();
        for (String f : frames.split(",", -1)) {
            byte[] b = Base64.getDecoder().decode(f);
            out.add(ByteBuffer.allocateDirect(b.length).put(b).flip());
        }
        return out;
    }
}
