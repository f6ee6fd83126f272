package io.edgeslice.agent;

import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model downloads in progress, at most one per model however many tasks wait for it. Control
 * thread only: it sends FETCH over the broker link and receives the CHUNKs.
 */
final class ModelFetcher {
    /** A download that got no chunk for this long asks again for what is missing (a lost request). */
    static final Duration STALL = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(ModelFetcher.class);

    /** What becomes of the tasks that waited for a model. */
    interface Listener {
        void fetched(List<TaskJob> waiting);

        void failed(String modelHash, List<TaskJob> waiting, ErrorCode code, String message);
    }

    private final ModelCache cache;
    private final Predicate<Message> sender;
    private final Listener listener;
    private final Map<String, ModelFetch> active = new LinkedHashMap<>();
    private Predicate<String> inUse = h -> false;

    ModelFetcher(ModelCache cache, Predicate<Message> sender, Listener listener) {
        this.cache = cache;
        this.sender = sender;
        this.listener = listener;
    }

    /** Models that a job still needs must not be evicted when a download completes. */
    void protect(Predicate<String> modelsInUse) {
        this.inUse = modelsInUse;
    }

    /** The job runs once its model is cached; the first job for a model starts the download. */
    void need(TaskJob job, long nowNanos) {
        Message.Task t = job.task();
        ModelFetch f = start(t.modelHash(), t.modelSize(), nowNanos);
        if (f == null) {
            listener.failed(t.modelHash(), List.of(job), ErrorCode.INTERNAL, "cannot write to the model cache");
            return;
        }
        f.waiting.add(job);
    }

    /** An operator deployed the model here: fetch it with no task waiting (nothing if already cached or under way). */
    void prefetch(String hash, long size, long nowNanos) {
        if (cache.contains(hash) || active.containsKey(hash)) {
            return;
        }
        if (start(hash, size, nowNanos) == null) {
            listener.failed(hash, List.of(), ErrorCode.INTERNAL, "cannot write to the model cache");
        }
    }

    private ModelFetch start(String hash, long size, long nowNanos) {
        ModelFetch f = active.get(hash);
        if (f == null) {
            try {
                f = new ModelFetch(hash, size, cache, nowNanos);
            } catch (IOException e) {
                log.warn("cannot write to the model cache: {}", e.getMessage());
                return null;
            }
            active.put(hash, f);
            log.info("fetching model {} ({} bytes) from the broker", Hashing.shortHash(hash), size);
            f.pump(sender);
        }
        return f;
    }

    void onChunk(Message.Chunk c, long nowNanos) {
        ModelFetch f = active.get(c.modelHash());
        if (f == null) {
            log.debug("ignoring a chunk of model {}, which is not being fetched", Hashing.shortHash(c.modelHash()));
            return;
        }
        try {
            if (f.onChunk(c, sender, nowNanos)) {
                active.remove(f.hash);
                cache.add(f.hash, inUse);
                listener.fetched(f.waiting);
            }
        } catch (ModelFetch.Failure e) {
            fail(f, e.code, e.getMessage());
        }
    }

    /**
     * The broker answers a FETCH for a model it lacks with FAILED(NO_TASK, MODEL_MISSING). The
     * message does not say which model, so the download is picked by the hash in its text, or is
     * the only one running. Returns whether the message was about a download.
     */
    boolean onMissing(Message.Failed failed) {
        if (failed.code() != ErrorCode.MODEL_MISSING) {
            return false;
        }
        ModelFetch target = active.size() == 1 ? active.values().iterator().next() : null;
        for (ModelFetch f : active.values()) {
            if (failed.message().contains(f.hash) || failed.message().contains(Hashing.shortHash(f.hash))) {
                target = f;
            }
        }
        if (target == null) {
            log.warn("the broker lacks a model but did not say which ({}); {} downloads running", failed.message(), active.size());
            return false;
        }
        fail(target, ErrorCode.MODEL_MISSING, failed.message());
        return true;
    }

    /** After (re)registering: requests in flight were lost with the old connection. */
    void restartAll(long nowNanos) {
        for (ModelFetch f : active.values()) {
            log.info("resuming the fetch of model {}", Hashing.shortHash(f.hash));
            f.restart(sender, nowNanos);
        }
    }

    /** Refills windows that a full or absent link left short, and re-asks stalled downloads. */
    void tick(long nowNanos) {
        for (ModelFetch f : active.values()) {
            if (f.stalled(nowNanos, STALL.toNanos())) {
                log.warn("no chunk of model {} for {} s; asking again", Hashing.shortHash(f.hash), STALL.toSeconds());
                f.restart(sender, nowNanos);
            } else {
                f.pump(sender);
            }
        }
    }

    /** On close: partial files go, waiting tasks are left to the broker's leases. */
    void abortAll() {
        active.values().forEach(ModelFetch::abort);
        active.clear();
    }

    private void fail(ModelFetch f, ErrorCode code, String message) {
        log.warn("fetching model {} failed: {}", Hashing.shortHash(f.hash), message);
        active.remove(f.hash);
        f.abort();
        listener.failed(f.hash, new ArrayList<>(f.waiting), code, message);
    }
}
