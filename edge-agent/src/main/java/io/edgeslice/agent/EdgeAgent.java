package io.edgeslice.agent;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * A headless EdgeSlice agent: registers with the broker, heartbeats its metrics every second, runs
 * the tasks the broker sends with ONNX Runtime (fetching and caching models by SHA-256) and
 * reconnects on its own when the broker goes away. Start order does not matter: an agent started
 * before its broker registers once the broker appears.
 *
 * <pre>{@code
 * try (EdgeAgent agent = new EdgeAgent(AgentConfig.of("tcp://broker:5555").withSlots(2))) {
 *     agent.runUntilInterrupted();
 * }
 * }</pre>
 *
 * A started agent closes itself on JVM shutdown (SIGTERM), sending DISCONNECT to the broker.
 */
public final class EdgeAgent implements AutoCloseable {
    /** How long running inference may take to finish when the agent closes. */
    private static final long CLOSE_GRACE_MS = 10_000;
    private static final long CONTROL_JOIN_MS = 5_000;
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Logger log = LoggerFactory.getLogger(EdgeAgent.class);

    private enum State { NEW, RUNNING, CLOSED }

    private final AgentConfig config;
    private final CountDownLatch closed = new CountDownLatch(1);
    private State state = State.NEW;
    private ModelCache cache;
    private InferenceEngine engine;
    private InferenceEngine sliceEngine;
    private ZContext ctx;
    private Workers workers;
    private ControlLoop loop;
    private Thread control;
    private Thread shutdownHook;
    private String dataEndpoint;

    public EdgeAgent(AgentConfig config) {
        this.config = config;
    }

    /**
     * Opens the model cache, binds the data endpoint and starts connecting to the broker; returns
     * without waiting for the broker.
     *
     * @throws IOException if the cache directory is unusable or the data endpoint cannot be bound
     */
    public synchronized void start() throws IOException {
        if (state != State.NEW) {
            throw new IllegalStateException("the agent was started already");
        }
        cache = new ModelCache(config.cacheDir(), config.cacheBytes());
        engine = new InferenceEngine(config.threads());
        sliceEngine = new InferenceEngine(config.threads(), InferenceEngine.DEFAULT_MAX_SESSIONS, ai.onnxruntime.OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
        ctx = new ZContext(1);
        String results = "inproc://edgeslice-agent-results-" + INSTANCES.incrementAndGet();
        workers = new Workers(ctx, results, config.slots(), engine, sliceEngine, cache, config.name(), config.clock());
        long incarnation = System.currentTimeMillis();
        loop = new ControlLoop(config, ctx, cache, workers, results, incarnation);
        control = new Thread(loop, "edgeslice-control");
        control.setDaemon(true);
        control.start();
        try {
            dataEndpoint = loop.started().join();
        } catch (CompletionException e) {
            ctx.close();
            engine.close();
            sliceEngine.close();
            state = State.CLOSED;
            closed.countDown();
            throw new IOException("cannot start the agent: " + e.getCause().getMessage(), e.getCause());
        }
        shutdownHook = new Thread(this::close, "edgeslice-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        state = State.RUNNING;
        log.info("agent {} started: broker {}, data endpoint {}, {} slot(s) of {} thread(s), incarnation {}, cache {}", config.name(),
                config.brokerEndpoint(), dataEndpoint, config.slots(), config.threads(), incarnation, config.cacheDir());
    }

    /** Starts the agent if needed and blocks until it is closed (by {@link #close()} or JVM shutdown) or this thread is interrupted. */
    public void runUntilInterrupted() throws IOException {
        synchronized (this) {
            if (state == State.NEW) {
                start();
            }
        }
        try {
            closed.await();
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Graceful stop: takes no new tasks, lets running inference finish (up to 10 s), sends what
     * finished and DISCONNECT to the broker, then closes sockets and sessions. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (state != State.RUNNING) {
                state = State.CLOSED;
                closed.countDown();
                return;
            }
            state = State.CLOSED;
        }
        log.info("agent {} closing", config.name());
        boolean interrupted = false;
        loop.beginClose();
        try {
            if (!workers.stop(CLOSE_GRACE_MS)) {
                log.warn("inference still running after {} ms; closing anyway", CLOSE_GRACE_MS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        loop.stop();
        try {
            control.join(CONTROL_JOIN_MS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        ctx.close();
        engine.close();
        sliceEngine.close();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // closing from the hook itself: the JVM is shutting down
        }
        closed.countDown();
        log.info("agent {} closed ({} task(s) done, {} failed)", config.name(), loop.tasksDone(), loop.tasksFailed());
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    public AgentConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** The data endpoint advertised in READY, e.g. {@code tcp://192.168.1.20:40123}; null before start. */
    public synchronized String dataEndpoint() {
        return dataEndpoint;
    }

    /** SHA-256 of every cached model. */
    public synchronized List<String> cachedModels() {
        return cache == null ? List.of() : cache.hashes();
    }

    public synchronized long tasksDone() {
        return loop == null ? 0 : loop.tasksDone();
    }

    public synchronized long tasksFailed() {
        return loop == null ? 0 : loop.tasksFailed();
    }
}
