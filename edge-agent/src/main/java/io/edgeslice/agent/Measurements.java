package io.edgeslice.agent;

import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.LinkProber;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.ProtocolException;
import io.edgeslice.protocol.Wire;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * What the agent measures for the planner (docs/protocol.md 5.9), on the data endpoint: PROFILE
 * (the model is fetched if needed, then profiled on the profiler thread, one model at a time so
 * runs do not disturb each other; profiles are kept per model and input shapes), LINK_PROBE (the
 * prober thread measures the link to the target with a socket of its own) and PROBE (answered at
 * once). Both threads hand their answers back as tasks run on the control thread, which alone
 * touches the data ROUTER and the maps below.
 */
final class Measurements {
    static final int MAX_RUNS = 100;
    private static final Logger log = LoggerFactory.getLogger(Measurements.class);

    /** Who asked for a profile, to be answered on the data ROUTER. */
    private record Asker(byte[] identity, UUID requestId) {
    }

    private final AgentConfig cfg;
    private final ZContext ctx;
    private final ModelCache cache;
    private final ModelFetcher fetcher;
    private final ExecutorService profiler = Executors.newSingleThreadExecutor(daemon("edgeslice-profiler"));
    private final ExecutorService prober = Executors.newSingleThreadExecutor(daemon("edgeslice-prober"));
    private final Queue<Runnable> forControl = new ConcurrentLinkedQueue<>();

    // control thread only
    private final Map<ProfileKey, String> profiles = new HashMap<>();
    private final Map<ProfileKey, List<Asker>> askers = new HashMap<>();
    private final Map<ProfileKey, Message.ProfileRequest> awaitingModel = new HashMap<>();
    private ZMQ.Socket data;

    Measurements(AgentConfig cfg, ZContext ctx, ModelCache cache, ModelFetcher fetcher) {
        this.cfg = cfg;
        this.ctx = ctx;
        this.cache = cache;
        this.fetcher = fetcher;
    }

    /** Handles a planning message from the data endpoint; false if it is none. */
    boolean onData(ZMQ.Socket dataSocket, byte[] sender, Message m, long now) {
        data = dataSocket;
        if (m instanceof Message.Probe p) {
            Wire.send(data, sender, LinkProber.answer(p), true);
        } else if (m instanceof Message.ProfileRequest p) {
            onProfile(sender, p, now);
        } else if (m instanceof Message.LinkProbe p) {
            onLinkProbe(sender, p);
        } else {
            return false;
        }
        return true;
    }

    private void onProfile(byte[] sender, Message.ProfileRequest p, long now) {
        if (p.runs() < 1 || p.runs() > MAX_RUNS || p.modelSize() <= 0) {
            refuse(sender, p.requestId(), ErrorCode.BAD_REQUEST, "PROFILE needs 1 to " + MAX_RUNS + " runs and a positive model size; got "
                    + p.runs() + " runs, " + p.modelSize() + " bytes");
            return;
        }
        ProfileKey key = ProfileKey.of(p);
        String known = profiles.get(key);
        if (known != null) {
            log.info("profile of {} for {}: measured before, sent again", Hashing.shortHash(p.modelHash()), key.shapes());
            Wire.send(data, sender, new Message.Profiled(p.requestId(), cfg.name(), true, known), true);
            return;
        }
        List<Asker> waiting = askers.computeIfAbsent(key, k -> new ArrayList<>());
        boolean underWay = !waiting.isEmpty();
        waiting.removeIf(a -> a.requestId.equals(p.requestId())); // a resent request replaces itself
        waiting.add(new Asker(sender, p.requestId()));
        if (underWay) {
            return;
        }
        if (cache.contains(p.modelHash())) {
            startProfiling(key, p);
        } else {
            log.info("profile of {} asked for: fetching the model first", Hashing.shortHash(p.modelHash()));
            awaitingModel.put(key, p);
            fetcher.prefetch(p.modelHash(), p.modelSize(), now);
        }
    }

    private void startProfiling(ProfileKey key, Message.ProfileRequest p) {
        log.info("profiling model {} for {} ({} runs per segment)", Hashing.shortHash(p.modelHash()), key.shapes(), p.runs());
        ProfileJob job = new ProfileJob(cfg, cache.path(p.modelHash()), p, (step, done, total) ->
                forControl.add(() -> toAskers(key, id -> new Message.ProfileProgress(id, done, total, step), false)));
        profiler.execute(() -> {
            try {
                String json = job.run();
                forControl.add(() -> {
                    profiles.put(key, json);
                    toAskers(key, id -> new Message.Profiled(id, cfg.name(), false, json), true);
                });
            } catch (ProtocolException e) {
                forControl.add(() -> failAskers(key, e.code(), e.getMessage()));
            } catch (RuntimeException e) {
                log.error("profiling failed unexpectedly", e);
                forControl.add(() -> failAskers(key, ErrorCode.INTERNAL, "profiling failed on agent " + cfg.name() + ": " + e));
            }
        });
    }

    private void onLinkProbe(byte[] sender, Message.LinkProbe p) {
        if (p.probeBytes() > LinkProber.MAX_PROBE_BYTES || p.probeBytes() < 1) {
            refuse(sender, p.requestId(), p.probeBytes() < 1 ? ErrorCode.BAD_REQUEST : ErrorCode.TOO_LARGE, "probe size " + p.probeBytes()
                    + " bytes is outside 1 to " + LinkProber.MAX_PROBE_BYTES + " (16 MiB)");
            return;
        }
        if (!p.target().matches("(tcp|ipc|inproc)://.+")) {
            refuse(sender, p.requestId(), ErrorCode.BAD_REQUEST, "link probe target '" + p.target() + "' is not an endpoint like tcp://HOST:PORT");
            return;
        }
        prober.execute(() -> {
            Message answer;
            ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
            try {
                s.setLinger(0);
                s.setHandshakeIvl(1000);
                s.connect(p.target());
                LinkProber.Measurement m = new LinkProber(s, p.requestId(), p.target()).measure(p.probeBytes());
                log.info("link from {} to {}: {} Mbit/s, {} ms", cfg.name(), p.target(), String.format("%.1f", m.mbps()), String.format("%.3f", m.ms()));
                answer = new Message.Link(p.requestId(), cfg.name(), p.target(), m.mbps(), m.ms());
            } catch (ProtocolException e) {
                answer = new Message.Failed(p.requestId(), 0, e.code(), "agent " + cfg.name() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                answer = new Message.Failed(p.requestId(), 0, ErrorCode.BAD_REQUEST, "agent " + cfg.name() + " cannot probe " + p.target() + ": " + e);
            } finally {
                s.close();
            }
            Message reply = answer;
            if (reply instanceof Message.Failed f) {
                log.warn("link probe failed: {}", f.message());
            }
            forControl.add(() -> Wire.send(data, sender, reply, true));
        });
    }

    /** Control thread, every turn: profiles whose model arrived start, and the threads' answers go out. */
    void tick(long now) {
        if (!awaitingModel.isEmpty()) {
            for (var it = awaitingModel.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (cache.contains(e.getValue().modelHash())) {
                    it.remove();
                    startProfiling(e.getKey(), e.getValue());
                }
            }
        }
        for (Runnable r; (r = forControl.poll()) != null; ) {
            r.run();
        }
    }

    /** The model a profile waits for could not be fetched (e.g. the broker does not hold it). */
    void modelFailed(String modelHash, ErrorCode code, String message) {
        for (var it = awaitingModel.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().modelHash().equals(modelHash)) {
                it.remove();
                failAskers(e.getKey(), code, "agent " + cfg.name() + " cannot profile model " + modelHash + ": fetching it from the broker failed: " + message);
            }
        }
    }

    private void toAskers(ProfileKey key, java.util.function.Function<UUID, Message> message, boolean last) {
        List<Asker> list = last ? askers.remove(key) : askers.get(key);
        for (Asker a : list == null ? List.<Asker>of() : list) {
            Wire.send(data, a.identity, message.apply(a.requestId), true);
        }
    }

    private void failAskers(ProfileKey key, ErrorCode code, String message) {
        log.warn("profile request failed: {} {}", code, message);
        toAskers(key, id -> new Message.Failed(id, 0, code, message), true);
    }

    private void refuse(byte[] sender, UUID requestId, ErrorCode code, String message) {
        log.warn("refusing a planning request: {} {}", code, message);
        Wire.send(data, sender, new Message.Failed(requestId, 0, code, message), true);
    }

    void close() {
        profiler.shutdownNow();
        prober.shutdown();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
