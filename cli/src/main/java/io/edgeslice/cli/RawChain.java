package io.edgeslice.cli;

import ai.onnxruntime.OrtSession;
import io.edgeslice.agent.InferenceEngine;
import io.edgeslice.protocol.BufferPool;
import io.edgeslice.protocol.Npy;
import io.edgeslice.protocol.SharedMemory;
import io.edgeslice.protocol.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The raw-process baseline for a pipeline's compute: each slice in a bare JVM of its own, started
 * with the agents' JVM options and run by the agents' {@link InferenceEngine} on its real input
 * (read once from a file), in turn, each on a line from this process; nothing else (no sockets,
 * checksums, broker or control thread). The sum of their run times is what the stages' compute
 * costs on this machine when each slice runs in a process of its own, woken in turn, which on a
 * virtual machine can differ from the same slices run one after another in one process.
 */
final class RawChain implements AutoCloseable {
    private static final String READY = "raw-stage ready";
    private static final String MICROS = "raw-stage micros ";
    private static final int WARM_UP = 3;

    private record Child(Process process, Writer in, BufferedReader out) {
    }

    private final List<Child> children = new ArrayList<>();

    private RawChain() {
    }

    /**
     * Starts one process per slice, each with its input written to {@code dir}, and waits until
     * each has loaded its slice and run it {@value #WARM_UP} times. {@code sharedMemory} is the
     * agents' option: outputs land where theirs do.
     */
    static RawChain start(List<Path> slices, List<String> keys, List<List<Tensor>> inputs, OrtSession.SessionOptions.OptLevel level,
                          String sharedMemory, Path dir) throws IOException {
        RawChain chain = new RawChain();
        try {
            for (int s = 0; s < slices.size(); s++) {
                List<String> cmd = EdgeSliceProcess.javaCommand();
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RawChain.class.getName(), slices.get(s).toString(), keys.get(s),
                        level.name(), sharedMemory, String.valueOf(s + 1 < slices.size())));
                for (int i = 0; i < inputs.get(s).size(); i++) {
                    Tensor t = inputs.get(s).get(i);
                    Path file = dir.resolve("raw-stage" + s + "-input" + i + ".npy");
                    Npy.write(file, t);
                    cmd.addAll(List.of(t.name(), file.toString()));
                }
                Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("raw-stage" + s + ".log").toFile()).start();
                chain.children.add(new Child(p, new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8),
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))));
            }
            for (int s = 0; s < chain.children.size(); s++) {
                chain.await(s, READY);
            }
            return chain;
        } catch (IOException | RuntimeException e) {
            chain.close();
            throw e;
        }
    }

    /** One run of every slice in turn; each one's run time in microseconds as its process measured it. */
    List<Long> runOnce() {
        List<Long> micros = new ArrayList<>();
        for (int s = 0; s < children.size(); s++) {
            try {
                Writer in = children.get(s).in();
                in.write("run\n");
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("raw stage " + s + " is gone (see raw-stage" + s + ".log)", e);
            }
            micros.add(Long.parseLong(await(s, MICROS).substring(MICROS.length())));
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
            throw new IllegalStateException("raw stage " + s + " ended (see raw-stage" + s + ".log)");
        } catch (IOException e) {
            throw new UncheckedIOException("raw stage " + s + " is gone (see raw-stage" + s + ".log)", e);
        }
    }

    @Override
    public void close() {
        for (Child c : children) {
            c.process().destroy();
            try {
                if (!c.process().waitFor(5, TimeUnit.SECONDS)) {
                    c.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.process().destroyForcibly();
            }
        }
    }

    /** A raw stage: SLICE KEY LEVEL SHARED_MEMORY NEXT_STAGE (NAME INPUT.npy)...; runs the slice on each line of stdin. */
    public static void main(String[] args) throws Exception {
        Path slice = Path.of(args[0]);
        String key = args[1];
        OrtSession.SessionOptions.OptLevel level = OrtSession.SessionOptions.OptLevel.valueOf(args[2]);
        if (!args[3].equals("off")) {
            SharedMemory.enable(Path.of(args[3])); // outputs of a stage with a next one land in segments, as an agent's do
        }
        boolean nextStage = Boolean.parseBoolean(args[4]);
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 5; i + 1 < args.length; i += 2) {
            Tensor t = Npy.read(Path.of(args[i + 1]), args[i]);
            // direct, as an agent's inputs are: the engine would copy heap bytes on every run
            ByteBuffer direct = ByteBuffer.allocateDirect(t.data().remaining()).put(t.data().duplicate()).flip();
            inputs.add(new Tensor(t.name(), t.dtype(), t.shape(), direct.order(java.nio.ByteOrder.LITTLE_ENDIAN)));
        }
        PrintStream out = System.out;
        try (InferenceEngine engine = new InferenceEngine(1, InferenceEngine.DEFAULT_MAX_SESSIONS, level)) {
            for (int i = 0; i < WARM_UP; i++) {
                BufferPool.SHARED.release(engine.run(slice, key, inputs, nextStage));
            }
            out.println(READY);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                long start = System.nanoTime(); // timed as an agent's worker times a slice run
                List<Tensor> outputs = engine.run(slice, key, inputs, nextStage);
                long micros = (System.nanoTime() - start) / 1000;
                BufferPool.SHARED.release(outputs);
                out.println(MICROS + micros);
                out.flush();
            }
        }
    }
}
