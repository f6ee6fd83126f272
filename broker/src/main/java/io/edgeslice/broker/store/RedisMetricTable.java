package io.edgeslice.broker.store;

import static io.edgeslice.broker.store.RedisCodec.bytes;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.resps.StreamEntry;

/**
 * A {@link MetricTable} in Redis 7.0 or later, so that a broker restarted on the same Redis finds
 * its agents, its ready queue and its unfinished tasks again. With {@code p} the key prefix:
 * <pre>
 * p agent:NAME        hash    incarnation endpoint host arch os cores memory providers slots registered_at,
 *                             latest metrics (ts cpu mem_used mem_total load inflight models done failed), state, last_seen
 * p agents            zset    agent names scored by last-seen ms
 * p metrics:NAME      stream  one entry of metric fields per heartbeat, XADD MAXLEN ~ historyLimit
 * p queue             zset    ready task ids scored by TaskRecord.queueScore() (priority, then arrival)
 * p tasks:open        set     ids of QUEUED and RUNNING tasks
 * p task:ID           hash    client (binary) priority submitted_at seq deadline model model_size score state attempt agent;
 *                             EXPIRE 1 day once final
 * p task:ID:inputs    string  [u32 count]{[u32 len][bytes]}*, big-endian; deleted once final
 * </pre>
 * Lists are comma-joined, numbers decimal, states enum names. Each write is one round trip:
 * MULTI/EXEC for unconditional writes, a Lua script where the write depends on what is stored
 * (only registered agents and open tasks change, so a stray call cannot create a partial record).
 * Reads may come from any thread: the client is a thread-safe connection pool.
 */
public final class RedisMetricTable implements MetricTable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RedisMetricTable.class);
    public static final String DEFAULT_PREFIX = "edgeslice:";
    public static final Duration FINISHED_TTL = Duration.ofDays(1);

    private static final String HEARTBEAT = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            redis.call('HSET', KEYS[1], 'last_seen', ARGV[2], unpack(ARGV, 4))
            redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
            redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
            return 1""";
    private static final String AGENT_STATE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            return redis.call('HSET', KEYS[1], 'state', ARGV[1])""";
    private static final String DISPATCH = """
            if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
            redis.call('ZREM', KEYS[2], ARGV[1])
            return redis.call('HSET', KEYS[3], 'state', 'RUNNING', 'agent', ARGV[2], 'attempt', ARGV[3])""";
    private static final String REQUEUE = """
            if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
            redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[3], 'score'), ARGV[1])
            redis.call('HDEL', KEYS[3], 'agent')
            return redis.call('HSET', KEYS[3], 'state', 'QUEUED')""";
    private static final String FINISH = """
            if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('DEL', KEYS[4])
            redis.call('HSET', KEYS[3], 'state', ARGV[2])
            return redis.call('EXPIRE', KEYS[3], ARGV[3])""";

    private final RedisClient client;
    private final String describe;
    private final String p;
    private final int historyLimit;

    private RedisMetricTable(RedisClient client, String describe, String keyPrefix, int historyLimit) {
        this.client = client;
        this.describe = describe;
        this.p = keyPrefix;
        this.historyLimit = historyLimit;
    }

    /** Connects with the default prefix and history of {@value InMemoryMetricTable#DEFAULT_HISTORY} samples. */
    public static RedisMetricTable connect(String uri) {
        return connect(uri, DEFAULT_PREFIX);
    }

    /** Connects to {@code redis://HOST:PORT[/DB]} and PINGs it; throws {@link IllegalStateException} naming the URI if that fails. */
    public static RedisMetricTable connect(String uri, String keyPrefix) {
        return connect(uri, keyPrefix, InMemoryMetricTable.DEFAULT_HISTORY);
    }

    /** As {@link #connect(String, String)}, keeping about {@code historyLimit} samples per agent. */
    public static RedisMetricTable connect(String uri, String keyPrefix, int historyLimit) {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (historyLimit < 1) {
            throw new IllegalArgumentException("historyLimit must be at least 1, got " + historyLimit);
        }
        URI u = parse(uri);
        int port = u.getPort() == -1 ? 6379 : u.getPort();
        int db = database(u, uri);
        RedisClient client = RedisClient.builder().hostAndPort(u.getHost(), port)
                .clientConfig(DefaultJedisClientConfig.builder().timeoutMillis(2000).clientName("edgeslice-broker").database(db).build())
                .build();
        try {
            client.ping();
        } catch (JedisException e) {
            client.close();
            throw new IllegalStateException("cannot reach the Redis metric table at " + uri + ": " + e.getMessage(), e);
        }
        return new RedisMetricTable(client, "redis://" + u.getHost() + ":" + port + (db == 0 ? "" : "/" + db), keyPrefix, historyLimit);
    }

    private static URI parse(String uri) {
        try {
            URI u = new URI(uri);
            if ("redis".equals(u.getScheme()) && u.getHost() != null && u.getUserInfo() == null && u.getQuery() == null) {
                return u;
            }
        } catch (URISyntaxException e) {
            // reported below, with the expected form
        }
        throw new IllegalArgumentException("not a Redis URI of the form redis://HOST:PORT[/DB]: " + uri);
    }

    private static int database(URI u, String uri) {
        String path = u.getPath() == null ? "" : u.getPath();
        if (path.isEmpty() || path.equals("/")) {
            return 0;
        }
        try {
            return Integer.parseInt(path.substring(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Redis database in " + uri + " is not a number: " + path.substring(1), e);
        }
    }

    @Override
    public void agentRegistered(AgentRecord agent) {
        Map<String, String> fields = RedisCodec.agentFields(agent);
        fields.put("state", AgentState.HEALTHY.name());
        fields.put("last_seen", Long.toString(agent.registeredAtMs()));
        try (AbstractTransaction tx = client.multi()) {
            tx.hset(agentKey(agent.name()), fields);
            tx.zadd(p + "agents", agent.registeredAtMs(), agent.name());
            exec(tx, "register agent " + agent.name());
        }
    }

    @Override
    public void agentHeartbeat(String name, AgentMetrics metrics) {
        List<String> args = new ArrayList<>(List.of(name, Long.toString(metrics.timestampMs()), Integer.toString(historyLimit)));
        RedisCodec.metricFields(metrics).forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        client.eval(HEARTBEAT, List.of(agentKey(name), p + "agents", p + "metrics:" + name), args);
    }

    @Override
    public void agentState(String name, AgentState state) {
        client.eval(AGENT_STATE, List.of(agentKey(name)), List.of(state.name()));
    }

    @Override
    public List<StoredAgent> agents() {
        List<String> names = client.zrange(p + "agents", 0, -1);
        List<Response<Map<String, String>>> hashes = new ArrayList<>(names.size());
        try (AbstractPipeline pipe = client.pipelined()) {
            names.forEach(n -> hashes.add(pipe.hgetAll(agentKey(n))));
            pipe.sync();
        }
        List<StoredAgent> out = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            Map<String, String> h = hashes.get(i).get();
            if (!h.isEmpty()) {
                out.add(RedisCodec.agent(names.get(i), h, agentKey(names.get(i))));
            }
        }
        out.sort(Comparator.comparing(a -> a.agent().name()));
        return out;
    }

    /** The stream is trimmed approximately (MAXLEN ~), so reads are capped at the history limit exactly. */
    @Override
    public List<AgentMetrics> history(String name, int max) {
        if (max <= 0) {
            return List.of();
        }
        String key = p + "metrics:" + name;
        List<StreamEntry> newestFirst = client.xrevrange(key, "+", "-", Math.min(max, historyLimit));
        List<AgentMetrics> out = new ArrayList<>(newestFirst.size());
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            out.add(RedisCodec.metrics(newestFirst.get(i).getFields(), key));
        }
        return out;
    }

    @Override
    public void taskQueued(TaskRecord task, List<ByteBuffer> inputFrames) {
        String id = task.taskId().toString();
        byte[] inputs = RedisCodec.encodeFrames(inputFrames);
        try (AbstractTransaction tx = client.multi()) {
            tx.del(taskKey(id)); // a reused id must not inherit fields or the TTL of a finished task
            tx.hset(bytes(taskKey(id)), RedisCodec.taskFields(task));
            tx.set(bytes(taskKey(id) + ":inputs"), inputs);
            tx.sadd(p + "tasks:open", id);
            tx.zadd(p + "queue", task.queueScore(), id);
            exec(tx, "queue task " + id);
        }
    }

    @Override
    public void taskDispatched(UUID taskId, String agent, int attempt) {
        String id = taskId.toString();
        client.eval(DISPATCH, List.of(p + "tasks:open", p + "queue", taskKey(id)), List.of(id, agent, Integer.toString(attempt)));
    }

    @Override
    public void taskRequeued(UUID taskId) {
        String id = taskId.toString();
        client.eval(REQUEUE, List.of(p + "tasks:open", p + "queue", taskKey(id)), List.of(id));
    }

    @Override
    public void taskFinished(UUID taskId, TaskState state) {
        if (!state.isFinal()) {
            throw new IllegalArgumentException("taskFinished needs a final state, got " + state);
        }
        String id = taskId.toString();
        client.eval(FINISH, List.of(p + "tasks:open", p + "queue", taskKey(id), taskKey(id) + ":inputs"),
                List.of(id, state.name(), Long.toString(FINISHED_TTL.toSeconds())));
    }

    @Override
    public List<StoredTask> unfinishedTasks() {
        List<String> ids = new ArrayList<>(client.smembers(p + "tasks:open"));
        List<Response<List<byte[]>>> hashes = new ArrayList<>(ids.size());
        List<Response<byte[]>> inputs = new ArrayList<>(ids.size());
        try (AbstractPipeline pipe = client.pipelined()) {
            for (String id : ids) {
                hashes.add(pipe.hmget(bytes(taskKey(id)), RedisCodec.TASK_FIELDS));
                inputs.add(pipe.get(bytes(taskKey(id) + ":inputs")));
            }
            pipe.sync();
        }
        List<StoredTask> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            StoredTask t = RedisCodec.task(UUID.fromString(ids.get(i)), hashes.get(i).get(), inputs.get(i).get(), taskKey(ids.get(i)));
            if (t != null) { // null: finished by the writer thread since SMEMBERS
                out.add(t);
            }
        }
        out.sort(Comparator.comparingLong(t -> t.record().arrivalSeq()));
        return out;
    }

    @Override
    public void routeSaved(io.edgeslice.protocol.Message.Route route) {
        // the route's protocol body frame is its stored form: one codec, no second schema
        java.nio.ByteBuffer body = io.edgeslice.protocol.Codec.encode(route).get(1);
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        client.hset((p + "routes").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                (route.modelHash() + "/" + route.replica()).getBytes(java.nio.charset.StandardCharsets.UTF_8), bytes);
    }

    /**
     * A stored route, or null if unreadable. One stored before routes carried an ONNX Runtime target
     * ends at its transport byte: it reads as a route of the portable graph (an empty target, u16 0).
     */
    static io.edgeslice.protocol.Message.Route storedRoute(byte[] body) {
        ByteBuffer signature = ByteBuffer.wrap(new byte[] {'E', 'S', (byte) io.edgeslice.protocol.Codec.VERSION,
                (byte) io.edgeslice.protocol.Command.ROUTE.code()});
        for (byte[] candidate : List.of(body, java.util.Arrays.copyOf(body, body.length + 2))) {
            try {
                return (io.edgeslice.protocol.Message.Route) io.edgeslice.protocol.Codec.decode(List.of(signature.duplicate(), ByteBuffer.wrap(candidate)));
            } catch (io.edgeslice.protocol.ProtocolException e) {
                // try the older form, then give up
            }
        }
        return null;
    }

    @Override
    public void routeRemoved(String modelHash, int replica) {
        client.hdel(p + "routes", modelHash + "/" + replica);
    }

    @Override
    public List<io.edgeslice.protocol.Message.Route> routes() {
        List<io.edgeslice.protocol.Message.Route> out = new java.util.ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : client.hgetAll((p + "routes").getBytes(java.nio.charset.StandardCharsets.UTF_8)).entrySet()) {
            io.edgeslice.protocol.Message.Route r = storedRoute(e.getValue());
            if (r != null) {
                out.add(r);
            } else {
                log.warn("stored route {} cannot be read; it is left out", new String(e.getKey(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        out.sort(java.util.Comparator.comparing(io.edgeslice.protocol.Message.Route::modelHash));
        return out;
    }

    @Override
    public List<UUID> readyQueue() {
        return client.zrange(p + "queue", 0, -1).stream().map(UUID::fromString).toList();
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public void close() {
        client.close();
    }

    private String agentKey(String name) {
        return p + "agent:" + name;
    }

    private String taskKey(String id) {
        return p + "task:" + id;
    }

    private static void exec(AbstractTransaction tx, String what) {
        List<Object> replies = tx.exec();
        if (replies == null) {
            throw new IllegalStateException("Redis aborted the transaction to " + what);
        }
        for (Object r : replies) {
            if (r instanceof Exception e) {
                throw new IllegalStateException("Redis failed to " + what + ": " + e.getMessage(), e);
            }
        }
    }
}
