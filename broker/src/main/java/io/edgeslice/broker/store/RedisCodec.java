package io.edgeslice.broker.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Field-level encoding of {@link RedisMetricTable}'s hashes, streams and input blobs (see docs/redis-schema.md). */
final class RedisCodec {
    /** The task hash fields in the order {@link #task} expects them from HMGET. */
    static final byte[][] TASK_FIELDS = bytes("client", "priority", "submitted_at", "seq", "deadline", "model", "model_size",
            "state", "attempt", "agent");

    private RedisCodec() {
    }

    static Map<String, String> agentFields(AgentRecord a) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("incarnation", Long.toString(a.incarnation()));
        f.put("endpoint", a.dataEndpoint());
        f.put("host", a.host());
        f.put("arch", a.arch());
        f.put("os", a.os());
        f.put("cores", Integer.toString(a.cores()));
        f.put("memory", Long.toString(a.memoryBytes()));
        f.put("providers", join(a.executionProviders(), "execution provider"));
        f.put("slots", Integer.toString(a.slots()));
        f.put("ort_target", a.ortTarget());
        f.put("registered_at", Long.toString(a.registeredAtMs()));
        return f;
    }

    /** Latest-metric fields, shared by the agent hash and the metrics stream entries. */
    static Map<String, String> metricFields(AgentMetrics m) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("ts", Long.toString(m.timestampMs()));
        f.put("cpu", Double.toString(m.cpuPercent()));
        f.put("mem_used", Long.toString(m.memoryUsedBytes()));
        f.put("mem_total", Long.toString(m.memoryTotalBytes()));
        f.put("load", Double.toString(m.loadAverage()));
        f.put("inflight", Integer.toString(m.inflight()));
        f.put("models", join(m.cachedModels(), "model"));
        f.put("done", Long.toString(m.tasksDone()));
        f.put("failed", Long.toString(m.tasksFailed()));
        return f;
    }

    static StoredAgent agent(String name, Map<String, String> h, String key) {
        AgentRecord r = new AgentRecord(name, Long.parseLong(req(h, "incarnation", key)), req(h, "endpoint", key),
                req(h, "host", key), req(h, "arch", key), req(h, "os", key), Integer.parseInt(req(h, "cores", key)),
                Long.parseLong(req(h, "memory", key)), split(req(h, "providers", key)), Integer.parseInt(req(h, "slots", key)),
                h.getOrDefault("ort_target", ""), Long.parseLong(req(h, "registered_at", key)));
        AgentMetrics latest = h.containsKey("ts") ? metrics(h, key) : null;
        return new StoredAgent(r, AgentState.valueOf(req(h, "state", key)), latest, Long.parseLong(req(h, "last_seen", key)));
    }

    static AgentMetrics metrics(Map<String, String> f, String key) {
        return new AgentMetrics(Long.parseLong(req(f, "ts", key)), Double.parseDouble(req(f, "cpu", key)),
                Long.parseLong(req(f, "mem_used", key)), Long.parseLong(req(f, "mem_total", key)),
                Double.parseDouble(req(f, "load", key)), Integer.parseInt(req(f, "inflight", key)), split(req(f, "models", key)),
                Long.parseLong(req(f, "done", key)), Long.parseLong(req(f, "failed", key)));
    }

    static Map<byte[], byte[]> taskFields(TaskRecord t) {
        Map<byte[], byte[]> f = new LinkedHashMap<>();
        f.put(bytes("client"), t.clientIdentity().clone());
        f.put(bytes("priority"), bytes(Integer.toString(t.priority())));
        f.put(bytes("submitted_at"), bytes(Long.toString(t.submittedAtMs())));
        f.put(bytes("seq"), bytes(Long.toString(t.arrivalSeq())));
        f.put(bytes("deadline"), bytes(Long.toString(t.deadlineMs())));
        f.put(bytes("model"), bytes(t.modelHash()));
        f.put(bytes("model_size"), bytes(Long.toString(t.modelSize())));
        // the exact queue score, so that a requeue (a Lua script) restores it without recomputing it
        f.put(bytes("score"), bytes(score(t)));
        f.put(bytes("state"), bytes(TaskState.QUEUED.name()));
        f.put(bytes("attempt"), bytes("0"));
        return f;
    }

    /** The queue score as an exact decimal: Redis parses it back to the very same double. */
    static String score(TaskRecord t) {
        return new BigDecimal(t.queueScore()).toPlainString();
    }

    /** Decodes HMGET {@link #TASK_FIELDS}; null when the hash is gone or already final. */
    static StoredTask task(UUID id, List<byte[]> v, byte[] inputs, String key) {
        if (v.get(0) == null || v.get(7) == null) {
            return null;
        }
        TaskState state = TaskState.valueOf(text(v.get(7)));
        if (state.isFinal()) {
            return null;
        }
        if (inputs == null) {
            throw new IllegalStateException("Redis key " + key + ":inputs is missing for unfinished task " + id);
        }
        TaskRecord r = new TaskRecord(id, v.get(0), Integer.parseInt(text(v.get(1))), Long.parseLong(text(v.get(2))),
                Long.parseLong(text(v.get(3))), Long.parseLong(text(v.get(4))), text(v.get(5)), Long.parseLong(text(v.get(6))));
        String agent = v.get(9) == null ? null : text(v.get(9));
        return new StoredTask(r, state, v.get(8) == null ? 0 : Integer.parseInt(text(v.get(8))), agent, decodeFrames(inputs, key));
    }

    /** [u32 count]{[u32 len][bytes]}*, big-endian; reads each frame's remaining bytes without moving its position. */
    static byte[] encodeFrames(List<ByteBuffer> frames) {
        long size = 4;
        for (ByteBuffer f : frames) {
            size += 4 + f.remaining();
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("task inputs of " + size + " bytes do not fit one Redis value");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).putInt(frames.size());
        for (ByteBuffer f : frames) {
            out.putInt(f.remaining()).put(f.duplicate());
        }
        return out.array();
    }

    /** The frames as views into {@code blob} (no per-frame copy). */
    static List<ByteBuffer> decodeFrames(byte[] blob, String key) {
        try {
            ByteBuffer in = ByteBuffer.wrap(blob);
            int count = in.getInt();
            List<ByteBuffer> frames = new ArrayList<>(Math.min(count, blob.length / 4));
            for (int i = 0; i < count; i++) {
                int len = in.getInt();
                frames.add(in.slice(in.position(), len));
                in.position(in.position() + len);
            }
            if (in.hasRemaining()) {
                throw new IllegalStateException(in.remaining() + " trailing bytes");
            }
            return frames;
        } catch (RuntimeException e) {
            throw new IllegalStateException("Redis value " + key + ":inputs is not a valid frame list (" + e + ")", e);
        }
    }

    private static String join(List<String> items, String what) {
        for (String s : items) {
            if (s.isEmpty() || s.indexOf(',') >= 0) {
                throw new IllegalArgumentException(what + " name '" + s + "' cannot be stored comma-joined in Redis");
            }
        }
        return String.join(",", items);
    }

    private static List<String> split(String s) {
        return s.isEmpty() ? List.of() : Arrays.asList(s.split(","));
    }

    private static String req(Map<String, String> h, String field, String key) {
        String v = h.get(field);
        if (v == null) {
            throw new IllegalStateException("Redis key " + key + " lacks field '" + field + "'");
        }
        return v;
    }

    static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    static byte[][] bytes(String... s) {
        return Arrays.stream(s).map(RedisCodec::bytes).toArray(byte[][]::new);
    }

    private static String text(byte[] b) {
        return new String(b, UTF_8);
    }
}
