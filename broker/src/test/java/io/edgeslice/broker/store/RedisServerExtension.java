package io.edgeslice.broker.store;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real, throw-away {@code redis-server} on a free port of 127.0.0.1, without persistence. Register
 * it as a static field ({@code @RegisterExtension static final RedisServerExtension redis = new
 * RedisServerExtension();}) for one server per class, or as an instance field for one per test; or
 * call {@link #start()} and {@link #close()} yourself. Fails (never skips) when redis-server is not
 * installed. The executable may be overridden with the system property {@code edgeslice.redis-server}.
 * Needs only JUnit: other modules get it from the broker's test-jar.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        AutoCloseable {
    private static final long STARTUP_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int PORT_ATTEMPTS = 5;

    private final String executable;
    private Process process;
    private Thread reaper;
    private Path dir;
    private int port;
    private boolean perTest;

    public RedisServerExtension() {
        this(System.getProperty("edgeslice.redis-server", "redis-server"));
    }

    /** Uses the given redis-server: a name looked up on PATH, or a path. */
    public RedisServerExtension(String executable) {
        this.executable = executable;
    }

    /** Starts the server unless it runs already; throws {@link IllegalStateException} if it cannot. */
    public synchronized void start() {
        if (process != null) {
            return;
        }
        String exe = resolve(executable);
        try {
            dir = Files.createTempDirectory("edgeslice-redis-");
            Path log = dir.resolve("redis.log");
            for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
                int candidate = freePort();
                Process p = new ProcessBuilder(exe, "--port", Integer.toString(candidate), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                if (awaitPong(p, candidate)) {
                    process = p;
                    port = candidate;
                    reaper = new Thread(p::destroyForcibly, "redis-server-reaper"); // in case no one calls close()
                    Runtime.getRuntime().addShutdownHook(reaper);
                    return;
                }
                if (p.isAlive()) { // running but deaf: another try will not help
                    p.destroyForcibly();
                    throw new IllegalStateException("redis-server on port " + candidate + " did not answer PING within 5 s; log:\n"
                            + tail(log));
                }
                // exited early: most likely someone took the port between our probe and its bind
            }
            throw new IllegalStateException("redis-server exited on startup " + PORT_ATTEMPTS + " times; last log:\n" + tail(log));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + exe, e);
        } finally {
            if (process == null) {
                close(); // failed: remove the temp dir (the log tail is in the exception)
            }
        }
    }

    public synchronized int port() {
        if (process == null) {
            throw new IllegalStateException("redis-server is not started");
        }
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://" + host() + ":" + port();
    }

    /** Stops the server and deletes its directory (log included). */
    @Override
    public synchronized void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already: the hook runs anyway, harmlessly
            }
            process = null;
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a leftover temp dir is not worth failing a test for
            }
            dir = null;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        if (process == null) { // registered as an instance field: beforeAll never ran
            perTest = true;
            start();
        }
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        if (perTest) {
            close();
        }
    }

    private static String resolve(String executable) {
        if (executable.contains(File.separator)) {
            if (Files.isExecutable(Path.of(executable))) {
                return executable;
            }
        } else {
            for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (!d.isEmpty() && Files.isExecutable(Path.of(d, executable))) {
                    return Path.of(d, executable).toString();
                }
            }
        }
        throw new IllegalStateException(executable + " not found (PATH=" + System.getenv("PATH") + "). These tests need a real Redis: "
                + "install it with `apt-get install -y redis-server` (or set -Dedgeslice.redis-server=/path/to/redis-server)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean awaitPong(Process p, int port) {
        long deadline = System.nanoTime() + STARTUP_NANOS;
        while (System.nanoTime() - deadline < 0 && p.isAlive()) {
            if (ping(port) && p.isAlive()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static boolean ping(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            s.getOutputStream().write("PING\r\n".getBytes(US_ASCII));
            return "+PONG".equals(new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII)).readLine());
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
