package io.edgeslice.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@code edgeslice} command (an agent, a broker) in a JVM of its own, started from this JVM's
 * class path: how the demo and the integration tests build a real multi-process cluster on one
 * machine.
 */
public final class EdgeSliceProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private EdgeSliceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code edgeslice ARGS...}; stdout and stderr go to {@code log}. */
    public static EdgeSliceProcess start(String name, Path log, String... args) throws IOException {
        List<String> cmd = javaCommand(EdgeSliceCommand.class);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(ParentWatch.ENV, String.valueOf(ProcessHandle.current().pid())); // it ends when this JVM does
        Process p = pb.start();
        return new EdgeSliceProcess(name, p, log);
    }

    /** A child JVM running {@code main} on this JVM's class path, with the options every child gets (a mutable list: the caller adds arguments). */
    static List<String> javaCommand(Class<?> main) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // Activations live in direct buffers, freed only when a collection finds their owners dead. An agent
                // allocates little heap, so with a large young generation nothing collects until the direct-memory limit
                // forces a full System.gc() (40-110 ms pauses on 2 cores); a small one collects every few requests in ~2 ms.
                "-Xmn8m"));
        String extra = System.getenv("EDGESLICE_CHILD_JAVA_OPTS"); // e.g. -Xlog:gc to see what a child's collector does
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        return cmd;
    }

    /** Starts {@code edgeslice agent --broker B --name N --cache-dir D [extra...]}. */
    public static EdgeSliceProcess agent(String broker, String name, Path cacheDir, Path log, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("agent", "--broker", broker, "--name", name, "--cache-dir", cacheDir.toString()));
        args.addAll(List.of(extra));
        return start(name, log, args.toArray(String[]::new));
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the process gets no chance to say goodbye. */
    public void kill() throws InterruptedException {
        kill(process);
    }

    /** SIGTERM, then SIGKILL if it does not stop within 5 s. */
    @Override
    public void close() throws InterruptedException {
        stop(process);
    }

    /** SIGTERM, then SIGKILL if the process does not stop within 5 s. */
    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            kill(p);
        }
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }
}
