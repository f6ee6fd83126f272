package io.edgeslice.agent;

import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.slicer.OrtTarget;
import io.edgeslice.slicer.SliceMarks;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The inference slots: a fixed pool of threads, each owning a PUSH socket (created on its first
 * task, closed when the thread ends). A worker queues each outcome (the RESULT or FAILED message
 * with its encoded frames) for the control thread and wakes it with an empty frame on its PUSH;
 * the control thread's PULL takes the wake-ups and {@link #nextOutcome} the outcomes. The message
 * objects themselves cross over, so tensors keep their identity instead of being decoded again.
 * Every outcome, even an unexpected exception, becomes a message for the broker.
 */
final class Workers {
    private static final Logger log = LoggerFactory.getLogger(Workers.class);
    private static final int PUSH_LINGER_MS = 1000;
    private static final byte[] WAKE = new byte[0];

    private final ZContext ctx;
    private final String resultsEndpoint;
    private final InferenceEngine engine;
    private final InferenceEngine sliceEngine;
    private final SliceMarksCache sliceMarks = new SliceMarksCache();
    private final ModelCache cache;
    private final String agentName;
    private final LongSupplier clock;
    private final ThreadPoolExecutor pool;
    private final ThreadLocal<ZMQ.Socket> push = new ThreadLocal<>();
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private volatile boolean stopping;

    Workers(ZContext ctx, String resultsEndpoint, int slots, InferenceEngine engine, InferenceEngine sliceEngine, ModelCache cache, String agentName,
            LongSupplier clock) {
        this.ctx = ctx;
        this.resultsEndpoint = resultsEndpoint;
        this.engine = engine;
        this.sliceEngine = sliceEngine;
        this.cache = cache;
        this.agentName = agentName;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(slots, slots, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(() -> {
                try {
                    r.run();
                } finally {
                    closePush(); // the owner thread closes its own socket
                }
            }, "edgeslice-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A worker's outcome: the message and, for the broker, its frames encoded once; a slice run's
     * outcome goes to the next stage instead, so it has no frames but the CRC32C of its outputs
     * (when they go on to a next stage), computed here while they are still in this core's cache.
     */
    record Outcome(Message message, List<ByteBuffer> frames, int outputsCrc) {
    }

    /** The next outcome a worker finished, or null. Called by the control thread once a wake-up arrived on its PULL. */
    Outcome nextOutcome() {
        return outcomes.poll();
    }

    /** Queues a job whose model is cached. Called by the control thread. */
    void submit(TaskJob job) {
        try {
            pool.execute(() -> run(job));
        } catch (RejectedExecutionException e) {
            log.debug("not running task {}: the agent is closing", job.task().taskId());
        }
    }

    /**
     * Stops taking jobs; queued jobs are dropped (the broker dispatches them again) and running
     * ones may finish within the grace period. Never interrupts: the threads own sockets.
     */
    boolean stop(long graceMillis) throws InterruptedException {
        stopping = true;
        pool.shutdown();
        return pool.awaitTermination(graceMillis, TimeUnit.MILLISECONDS);
    }

    private void run(TaskJob job) {
        if (stopping) {
            return;
        }
        Message.Task t = job.task();
        Message out;
        if (job.expired(clock.getAsLong())) {
            out = job.fail(ErrorCode.BAD_REQUEST, "deadline passed before the task started");
            log.debug("task {} attempt {} skipped: deadline passed", t.taskId(), t.attempt());
        } else {
            out = infer(job);
        }
        if (job.slice()) {
            outcomes.add(new Outcome(out, null, job.nextStage() && out instanceof Message.Result r ? Codec.tensorsCrc(r.outputs()) : 0));
        } else {
            List<ByteBuffer> frames;
            try {
                frames = Codec.encode(out); // headers only: tensor data frames wrap the outputs' buffers
            } catch (RuntimeException e) { // e.g. more outputs than a message can count
                out = job.fail(ErrorCode.INTERNAL, "cannot encode the result: " + e.getMessage());
                frames = Codec.encode(out);
            }
            outcomes.add(new Outcome(out, frames, 0));
        }
        push().send(WAKE, 0); // queued first: the control thread finds it when the wake-up arrives
    }

    private Message infer(TaskJob job) {
        Message.Task t = job.task();
        log.debug("task {} attempt {} started on model {}", t.taskId(), t.attempt(), t.modelHash());
        try {
            // loading the session first keeps a model's first load out of the compute time
            Path file = cache.path(t.modelHash());
            InferenceEngine e = engine;
            if (job.slice()) {
                SliceMarks marks = sliceMarks.of(file, t.modelHash());
                String refusal = marks.refusalOn(OrtTarget.local());
                if (!refusal.isEmpty()) { // the broker places such slices on matching agents only: someone bypassed it
                    log.warn("task {} refused: {}", t.taskId(), refusal);
                    return job.fail(ErrorCode.BAD_MODEL, refusal);
                }
                e = marks.levelAll() ? engine : sliceEngine;
            }
            e.inputs(file, t.modelHash());
            long start = System.nanoTime();
            List<Tensor> outputs = e.run(file, t.modelHash(), t.inputs(), job.nextStage()); // in direct buffers: sockets write them as they are
            long micros = (System.nanoTime() - start) / 1000;
            log.debug("task {} attempt {} finished in {} µs", t.taskId(), t.attempt(), micros);
            return new Message.Result(t.taskId(), t.attempt(), agentName, micros, outputs);
        } catch (InferenceException e) {
            log.debug("task {} attempt {} failed: {} {}", t.taskId(), t.attempt(), e.code(), e.getMessage());
            return job.fail(e.code(), e.getMessage());
        } catch (RuntimeException | OutOfMemoryError e) {
            log.warn("task {} attempt {} failed unexpectedly", t.taskId(), t.attempt(), e);
            return job.fail(ErrorCode.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private ZMQ.Socket push() {
        ZMQ.Socket s = push.get();
        if (s == null) {
            s = ctx.createSocket(SocketType.PUSH);
            s.setLinger(PUSH_LINGER_MS); // a result sent just before the thread ends must still reach the PULL
            s.connect(resultsEndpoint);
            push.set(s);
        }
        return s;
    }

    private void closePush() {
        ZMQ.Socket s = push.get();
        if (s != null) {
            s.close();
            push.remove();
        }
    }
}
