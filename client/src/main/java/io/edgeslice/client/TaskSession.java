package io.edgeslice.client;

import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Message;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link EdgeSliceClient#run} call: keeps a window of tasks submitted, re-submits a task the
 * broker has not acknowledged (Lazy Pirate; ids make this idempotent), asks after acknowledged
 * tasks now and then (so an answer lost while we were disconnected is sent again) and hands out
 * exactly one outcome per task.
 */
final class TaskSession {
    private static final Logger log = LoggerFactory.getLogger(TaskSession.class);
    private static final long QUERY_INTERVAL_NANOS = Duration.ofSeconds(5).toNanos();
    private static final int POLL_MS = 50;
    /** Retries are checked this often, not after every message: a scan of thousands of tasks per message starves the socket. */
    private static final long RETRY_SCAN_NANOS = 100_000_000L;
    private long nextRetryScan;

    private static final class Pending {
        final TaskRequest request;
        final long firstSent = System.nanoTime();
        long lastSent = firstSent;
        boolean accepted;

        Pending(TaskRequest request) {
            this.request = request;
        }
    }

    private final EdgeSliceClient client;
    private final Deque<TaskRequest> waiting;
    private final int concurrency;
    private final long deadline;
    private final Map<UUID, Pending> inflight = new LinkedHashMap<>();
    private final OutcomeBook outcomes;

    TaskSession(EdgeSliceClient client, List<TaskRequest> requests, int concurrency, Duration timeout, Consumer<TaskOutcome> onOutcome) {
        this.client = client;
        this.waiting = new ArrayDeque<>(requests);
        this.concurrency = concurrency;
        this.deadline = System.nanoTime() + timeout.toNanos();
        this.outcomes = new OutcomeBook(requests, onOutcome);
    }

    List<TaskOutcome> run() {
        while ((!waiting.isEmpty() || !inflight.isEmpty()) && System.nanoTime() - deadline < 0) {
            while (inflight.size() < concurrency && !waiting.isEmpty()) {
                TaskRequest r = waiting.poll();
                inflight.put(r.id(), new Pending(r));
                submit(r);
            }
            Message m = client.receiveWithin(POLL_MS);
            if (m != null) {
                handle(m);
            }
            long now = System.nanoTime();
            if (now - nextRetryScan >= 0) {
                retry(now);
                nextRetryScan = now + RETRY_SCAN_NANOS;
            }
        }
        for (Pending p : new ArrayList<>(inflight.values())) {
            complete(p, TaskOutcome.Status.TIMEOUT, null, null, ErrorCode.INTERNAL, "no answer before the timeout", 0);
        }
        return outcomes.finish();
    }

    private void submit(TaskRequest r) {
        client.send(new Message.Submit(r.id(), r.priority(), r.deadlineMs(), r.modelHash(), r.inputs()));
    }

    private void handle(Message m) {
        switch (m.command()) {
            case ACCEPTED -> {
                Pending p = inflight.get(((Message.Accepted) m).taskId());
                if (p != null) {
                    p.accepted = true;
                }
            }
            case RESULT -> {
                Message.Result r = (Message.Result) m;
                Pending p = inflight.get(r.taskId());
                if (p != null) {
                    complete(p, TaskOutcome.Status.OK, r.agent(), r.outputs(), null, null, r.attempt(), r.computeMicros());
                }
            }
            case EXPIRED -> {
                Pending p = inflight.get(((Message.Expired) m).taskId());
                if (p != null) {
                    complete(p, TaskOutcome.Status.EXPIRED, null, null, null, "deadline passed", 0);
                }
            }
            case FAILED -> onFailed((Message.Failed) m);
            default -> log.warn("unexpected {} from the broker", m.command());
        }
    }

    private void onFailed(Message.Failed f) {
        Pending p = inflight.get(f.taskId());
        if (p == null) {
            if (!f.taskId().equals(Message.NO_TASK)) {
                return; // an answer to a task already settled
            }
            log.warn("broker error: {} {}", f.code(), f.message());
            return;
        }
        if (f.code() == ErrorCode.UNKNOWN_TASK) {
            // the broker restarted without a durable store: submit again
            p.accepted = false;
            p.lastSent = System.nanoTime();
            submit(p.request);
            return;
        }
        complete(p, TaskOutcome.Status.FAILED, null, null, f.code(), f.message(), f.attempt());
    }

    private void retry(long now) {
        for (Pending p : inflight.values()) {
            if (!p.accepted && now - p.lastSent > EdgeSliceClient.RETRY_INTERVAL.toNanos()) {
                p.lastSent = now;
                submit(p.request);
            } else if (p.accepted && now - p.lastSent > QUERY_INTERVAL_NANOS) {
                p.lastSent = now;
                client.send(new Message.Query(p.request.id()));
            }
        }
    }

    private void complete(Pending p, TaskOutcome.Status status, String agent, List<io.edgeslice.protocol.Tensor> outputs, ErrorCode code,
                          String message, int attempt) {
        complete(p, status, agent, outputs, code, message, attempt, 0);
    }

    private void complete(Pending p, TaskOutcome.Status status, String agent, List<io.edgeslice.protocol.Tensor> outputs, ErrorCode code,
                          String message, int attempt, long computeMicros) {
        inflight.remove(p.request.id());
        double latency = (System.nanoTime() - p.firstSent) / 1e6;
        TaskOutcome o = new TaskOutcome(p.request.id(), status, agent, attempt, latency, computeMicros, outputs == null ? List.of() : outputs,
                code, message);
        outcomes.settle(o);
    }
}
