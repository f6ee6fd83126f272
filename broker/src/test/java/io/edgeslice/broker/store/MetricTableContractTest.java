package io.edgeslice.broker.store;

import static io.edgeslice.broker.store.RedisCodec.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.RedisClient;

/** Every {@link MetricTable} behaviour, run against both stores; Redis is a real redis-server. */
class MetricTableContractTest {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final int HISTORY = 5;
    private static final AtomicInteger runs = new AtomicInteger();

    enum Store { MEMORY, REDIS }

    /** A fresh key space per test, so that tests share one server without seeing each other. */
    private final String prefix = "test" + runs.incrementAndGet() + ":";
    private final List<MetricTable> opened = new ArrayList<>();

    private MetricTable open(Store store) {
        MetricTable t = store == Store.MEMORY ? new InMemoryMetricTable(HISTORY) : RedisMetricTable.connect(redis.uri(), prefix, HISTORY);
        opened.add(t);
        return t;
    }

    @AfterEach
    void closeTables() {
        opened.forEach(MetricTable::close);
    }

    // ---- routes ------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void eachReplicaKeepsItsLatestRoute(Store store) {
        MetricTable t = open(store);
        String model = "ab".repeat(32);
        var stage = new io.edgeslice.protocol.Message.Stage(0, 5, "cd".repeat(32), 10, "edge-a", "tcp://10.0.0.7:5556");
        t.routeSaved(new io.edgeslice.protocol.Message.Route(model, 0, 1, List.of(stage), io.edgeslice.protocol.Transport.NONE));
        t.routeSaved(new io.edgeslice.protocol.Message.Route(model, 1, 1, List.of(stage), io.edgeslice.protocol.Transport.LZ4));
        var replaced = new io.edgeslice.protocol.Message.Route(model, 0, 2, List.of(stage), io.edgeslice.protocol.Transport.NONE);
        t.routeSaved(replaced);

        assertThat(t.routes()).hasSize(2).contains(replaced)
                .anySatisfy(r -> assertThat(r.replica()).isEqualTo(1)).noneMatch(r -> r.epoch() == 1 && r.replica() == 0);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void aWithdrawnRouteIsGoneAndTheOtherReplicasStay(Store store) {
        MetricTable t = open(store);
        String model = "ab".repeat(32);
        var stage = new io.edgeslice.protocol.Message.Stage(0, 5, "cd".repeat(32), 10, "edge-a", "tcp://10.0.0.7:5556");
        t.routeSaved(new io.edgeslice.protocol.Message.Route(model, 0, 1, List.of(stage), io.edgeslice.protocol.Transport.NONE));
        t.routeSaved(new io.edgeslice.protocol.Message.Route(model, 1, 1, List.of(stage), io.edgeslice.protocol.Transport.NONE));
        t.routeRemoved(model, 0);
        t.routeRemoved(model, 7); // never deployed: nothing to do

        assertThat(t.routes()).singleElement().satisfies(r -> assertThat(r.replica()).isEqualTo(1));
    }

    // ---- agents ------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void registrationReplacesAnAgentOfTheSameName(Store store) {
        MetricTable t = open(store);
        t.agentRegistered(agent("edge-a", 1));
        t.agentRegistered(agent("edge-b", 1));
        t.agentState("edge-a", AgentState.LOST);
        AgentRecord again = new AgentRecord("edge-a", 2, "tcp://10.0.0.9:6000", "other-host", "x86_64", "Linux", 16, 32L << 30,
                List.of(), 8, "", 5_000);
        t.agentRegistered(again);

        assertThat(t.agents()).extracting(a -> a.agent().name()).containsExactly("edge-a", "edge-b");
        assertThat(t.agents().get(0)).isEqualTo(new StoredAgent(again, AgentState.HEALTHY, null, 5_000));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void heartbeatsUpdateTheLatestMetricsAndABoundedHistory(Store store) {
        MetricTable t = open(store);
        t.agentRegistered(agent("edge-a", 1));
        List<AgentMetrics> sent = new ArrayList<>();
        for (long ts = 10_001; ts <= 10_012; ts++) {
            sent.add(sample(ts));
            t.agentHeartbeat("edge-a", sent.get(sent.size() - 1));
        }

        StoredAgent a = t.agents().get(0);
        assertThat(a.latest()).isEqualTo(sent.get(11));
        assertThat(a.lastSeenMs()).isEqualTo(10_012);
        assertThat(t.history("edge-a", 100)).containsExactlyElementsOf(sent.subList(12 - HISTORY, 12));
        assertThat(t.history("edge-a", 3)).containsExactlyElementsOf(sent.subList(9, 12));
        assertThat(t.history("edge-a", 0)).isEmpty();
        assertThat(t.history("nobody", 10)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void stateChangesAreKept(Store store) {
        MetricTable t = open(store);
        t.agentRegistered(agent("edge-a", 1));
        assertThat(t.agents().get(0).state()).isEqualTo(AgentState.HEALTHY);
        t.agentState("edge-a", AgentState.SUSPECT);
        assertThat(t.agents().get(0).state()).isEqualTo(AgentState.SUSPECT);
        t.agentState("edge-a", AgentState.LOST);
        assertThat(t.agents().get(0).state()).isEqualTo(AgentState.LOST);
    }

    // ---- tasks -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void theQueueIsOrderedByPriorityThenArrival(Store store) {
        MetricTable t = open(store);
        List<TaskRecord> r = queue(t, 5, 9, 5, 0);
        assertThat(t.readyQueue()).containsExactly(id(r, 1), id(r, 0), id(r, 2), id(r, 3));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void dispatchTakesATaskOffTheQueue(Store store) {
        MetricTable t = open(store);
        List<TaskRecord> r = queue(t, 5, 9, 5, 0);
        t.taskDispatched(id(r, 1), "edge-a", 1);

        assertThat(t.readyQueue()).containsExactly(id(r, 0), id(r, 2), id(r, 3));
        StoredTask running = t.unfinishedTasks().get(1);
        assertTask(running, r.get(1), TaskState.RUNNING, 1, "edge-a");
        assertTask(t.unfinishedTasks().get(0), r.get(0), TaskState.QUEUED, 0, null);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void requeueRestoresTheOriginalPosition(Store store) {
        MetricTable t = open(store);
        List<TaskRecord> r = queue(t, 5, 9, 5, 0);
        List<UUID> before = t.readyQueue();
        t.taskDispatched(id(r, 0), "edge-a", 1);
        t.taskDispatched(id(r, 1), "edge-b", 1);
        t.taskRequeued(id(r, 0));
        t.taskRequeued(id(r, 1));

        assertThat(t.readyQueue()).isEqualTo(before);
        assertTask(t.unfinishedTasks().get(0), r.get(0), TaskState.QUEUED, 1, null);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void finishedTasksLeaveTheQueueAndTheUnfinishedTasks(Store store) {
        MetricTable t = open(store);
        List<TaskRecord> r = queue(t, 5, 9, 5);
        t.taskDispatched(id(r, 1), "edge-a", 1);
        t.taskFinished(id(r, 1), TaskState.DONE);
        t.taskFinished(id(r, 2), TaskState.EXPIRED);

        assertThat(t.readyQueue()).containsExactly(id(r, 0));
        assertThat(t.unfinishedTasks()).extracting(s -> s.record().taskId()).containsExactly(id(r, 0));
        // a finished task stays finished: late calls about it change nothing
        t.taskRequeued(id(r, 1));
        t.taskDispatched(id(r, 2), "edge-a", 2);
        t.taskFinished(id(r, 1), TaskState.FAILED);
        assertThat(t.readyQueue()).containsExactly(id(r, 0));
        assertThat(t.unfinishedTasks()).hasSize(1);
        assertThatThrownBy(() -> t.taskFinished(id(r, 0), TaskState.RUNNING)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void callsAboutUnknownAgentsAndTasksAreIgnored(Store store) {
        MetricTable t = open(store);
        UUID ghost = UUID.randomUUID();
        t.agentHeartbeat("ghost", sample(1));
        t.agentState("ghost", AgentState.LOST);
        t.taskDispatched(ghost, "edge-a", 1);
        t.taskRequeued(ghost);
        t.taskFinished(ghost, TaskState.DONE);

        assertThat(t.agents()).isEmpty();
        assertThat(t.history("ghost", 10)).isEmpty();
        assertThat(t.readyQueue()).isEmpty();
        assertThat(t.unfinishedTasks()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void inputFramesRoundTripByteExact(Store store) {
        MetricTable t = open(store);
        byte[] mib = new byte[1 << 20];
        new Random(42).nextBytes(mib);
        ByteBuffer direct = ByteBuffer.allocateDirect(8).put(new byte[] {9, 9, 0, (byte) 0xFF, (byte) 0x80, 1, 9, 9});
        ByteBuffer middle = direct.position(2).limit(6).slice(); // a view with an offset into its buffer
        ByteBuffer consumedHalf = ByteBuffer.wrap(new byte[] {1, 2, 3, 4}).position(2); // only the remaining bytes count
        List<ByteBuffer> frames = List.of(ByteBuffer.allocate(0), ByteBuffer.wrap(mib), middle, consumedHalf);
        TaskRecord r = task(5, 1);
        t.taskQueued(r, frames);

        assertThat(consumedHalf.position()).as("the caller's buffers are not consumed").isEqualTo(2);
        List<ByteBuffer> back = t.unfinishedTasks().get(0).inputFrames();
        assertThat(back).hasSize(4);
        assertThat(back.get(0).remaining()).isZero();
        assertThat(back.get(1)).isEqualTo(ByteBuffer.wrap(mib));
        assertThat(back.get(2)).isEqualTo(ByteBuffer.wrap(new byte[] {0, (byte) 0xFF, (byte) 0x80, 1}));
        assertThat(back.get(3)).isEqualTo(ByteBuffer.wrap(new byte[] {3, 4}));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void binaryClientIdentitiesRoundTrip(Store store) {
        MetricTable t = open(store);
        byte[] identity = {0x00, (byte) 0xFF, 0x00, (byte) 0xC3, 0x28, (byte) 0x80, 'a', 0x00};
        TaskRecord r = new TaskRecord(UUID.randomUUID(), identity.clone(), 3, 1_700_000_000_123L, 77, 0, "model-hash", 42);
        t.taskQueued(r, List.of());

        StoredTask back = t.unfinishedTasks().get(0);
        assertThat(back.record().clientIdentity()).containsExactly(identity);
        assertTask(back, r, TaskState.QUEUED, 0, null);
        assertThat(back.inputFrames()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void readersOnOtherThreadsSeeConsistentSnapshots(Store store) throws Exception {
        MetricTable t = open(store);
        t.agentRegistered(agent("edge-a", 1));
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            int reads = 0;
            while (writing.get() || reads == 0) {
                assertThat(t.agents()).hasSize(1);
                assertThat(t.history("edge-a", 10).size()).isLessThanOrEqualTo(HISTORY);
                t.readyQueue();
                t.unfinishedTasks();
                reads++;
            }
            return reads;
        });
        for (int i = 0; i < 200; i++) {
            t.agentHeartbeat("edge-a", sample(i));
            TaskRecord r = task(i % 10, i);
            t.taskQueued(r, List.of(ByteBuffer.wrap(new byte[] {(byte) i})));
            t.taskDispatched(r.taskId(), "edge-a", 1);
            t.taskFinished(r.taskId(), TaskState.DONE);
        }
        writing.set(false);
        assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Store.class)
    void describeSaysWhereTheDataLives(Store store) {
        assertThat(open(store).describe()).isEqualTo(store == Store.MEMORY ? "memory" : redis.uri());
    }

    // ---- store-specific ----------------------------------------------------------------------

    @Test
    void aRouteStoredBeforeRoutesCarriedATargetReadsAsPortableAndAnUnreadableOneIsLeftOut() {
        MetricTable t = open(Store.REDIS);
        String model = "ab".repeat(32);
        var stage = new io.edgeslice.protocol.Message.Stage(0, 5, "cd".repeat(32), 10, "edge-a", "tcp://10.0.0.7:5556");
        var portable = new io.edgeslice.protocol.Message.Route(model, 0, 3, List.of(stage), io.edgeslice.protocol.Transport.LZ4);
        var targeted = new io.edgeslice.protocol.Message.Route(model, 2, 1, List.of(stage), io.edgeslice.protocol.Transport.NONE,
                "onnxruntime-1.23.2 amd64 avx+avx2+fma");
        t.routeSaved(targeted);
        ByteBuffer body = io.edgeslice.protocol.Codec.encode(portable).get(1);
        byte[] old = new byte[body.remaining() - 2]; // the body as it was stored before: no target at the end
        body.get(old);
        try (RedisClient c = RedisClient.create(redis.host(), redis.port())) {
            c.hset((prefix + "routes").getBytes(StandardCharsets.UTF_8), (model + "/0").getBytes(StandardCharsets.UTF_8), old);
            c.hset((prefix + "routes").getBytes(StandardCharsets.UTF_8), (model + "/1").getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});
        }
        assertThat(t.routes()).containsExactlyInAnyOrder(portable, targeted);
    }

    @Test
    void memoryKeepsInputsByReference() {
        MetricTable t = open(Store.MEMORY);
        ByteBuffer frame = ByteBuffer.wrap(new byte[] {1, 2, 3});
        t.taskQueued(task(1, 1), List.of(frame));
        frame.put(0, (byte) 7).position(3); // the same bytes, not a copy; the caller's position is not ours
        assertThat(t.unfinishedTasks().get(0).inputFrames().get(0)).isEqualTo(ByteBuffer.wrap(new byte[] {7, 2, 3}));
    }

    @Test
    void aRestartedBrokerSeesAgentsQueueAndUnfinishedTasks() {
        MetricTable first = open(Store.REDIS);
        first.agentRegistered(agent("edge-a", 1));
        first.agentHeartbeat("edge-a", sample(20_000));
        first.agentRegistered(agent("edge-b", 3));
        first.agentState("edge-b", AgentState.SUSPECT);
        List<TaskRecord> r = queue(first, 5, 9, 5, 0);
        first.taskDispatched(id(r, 1), "edge-a", 2);
        first.taskFinished(id(r, 3), TaskState.EXPIRED);
        List<StoredAgent> agents = first.agents();
        first.close();
        opened.remove(first);

        MetricTable second = open(Store.REDIS);
        assertThat(second.agents()).isEqualTo(agents);
        assertThat(second.history("edge-a", 10)).containsExactly(sample(20_000));
        assertThat(second.readyQueue()).containsExactly(id(r, 0), id(r, 2));
        List<StoredTask> tasks = second.unfinishedTasks();
        assertThat(tasks).hasSize(3);
        assertTask(tasks.get(0), r.get(0), TaskState.QUEUED, 0, null);
        assertTask(tasks.get(1), r.get(1), TaskState.RUNNING, 2, "edge-a");
        assertTask(tasks.get(2), r.get(2), TaskState.QUEUED, 0, null);
        assertThat(tasks.get(1).inputFrames()).isEqualTo(inputsOf(r.get(1)));
        second.taskRequeued(id(r, 1));
        assertThat(second.readyQueue()).containsExactly(id(r, 1), id(r, 0), id(r, 2));
    }

    @Test
    void redisKeysFollowTheDocumentedSchema() {
        MetricTable t = open(Store.REDIS);
        t.agentRegistered(agent("edge-a", 1));
        t.agentHeartbeat("edge-a", sample(1));
        List<TaskRecord> r = queue(t, 5, 9);
        t.taskFinished(id(r, 1), TaskState.DONE);
        String open = prefix + "task:" + id(r, 0);
        String done = prefix + "task:" + id(r, 1);
        try (RedisClient c = RedisClient.create(redis.host(), redis.port())) {
            assertThat(c.type(prefix + "agent:edge-a")).isEqualTo("hash");
            assertThat(c.hget(prefix + "agent:edge-a", "providers")).isEqualTo("CPUExecutionProvider,XnnpackExecutionProvider");
            assertThat(c.type(prefix + "agents")).isEqualTo("zset");
            assertThat(c.type(prefix + "metrics:edge-a")).isEqualTo("stream");
            assertThat(c.type(prefix + "queue")).isEqualTo("zset");
            assertThat(c.smembers(prefix + "tasks:open")).containsExactly(id(r, 0).toString());
            assertThat(c.hget(bytes(open), bytes("client"))).containsExactly(r.get(0).clientIdentity());
            assertThat(c.type(open + ":inputs")).isEqualTo("string");
            assertThat(c.ttl(open)).isEqualTo(-1);
            assertThat(c.exists(done + ":inputs")).isFalse();
            assertThat(c.hget(done, "state")).isEqualTo("DONE");
            assertThat(c.ttl(done)).isBetween(1L, RedisMetricTable.FINISHED_TTL.toSeconds());
        }
    }

    @Test
    void connectNamesTheUriWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String uri = "redis://127.0.0.1:" + port + "/2";
        assertThatThrownBy(() -> RedisMetricTable.connect(uri, "x:")).isInstanceOf(IllegalStateException.class).hasMessageContaining(uri);
        assertThatThrownBy(() -> RedisMetricTable.connect("http://127.0.0.1:6379")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://127.0.0.1:6379");
        assertThatThrownBy(() -> RedisMetricTable.connect("redis://127.0.0.1:6379/zero")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero");
    }

    @Test
    void theRedisServerHelperFailsLoudlyWhenRedisIsNotInstalled() {
        try (RedisServerExtension missing = new RedisServerExtension("redis-server-not-installed")) {
            assertThatThrownBy(missing::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("apt-get install -y redis-server");
        }
    }

    // ---- fixtures ----------------------------------------------------------------------------

    private static AgentRecord agent(String name, long incarnation) {
        return new AgentRecord(name, incarnation, "tcp://10.0.0.7:5601", "host-" + name, "aarch64", "Linux", 4, 8L << 30,
                List.of("CPUExecutionProvider", "XnnpackExecutionProvider"), 2,
                "onnxruntime-1.23.2 aarch64 asimd", 1_000 + incarnation);
    }

    /** Awkward doubles on purpose: they must come back bit-exact. */
    private static AgentMetrics sample(long ts) {
        return new AgentMetrics(ts, 12.5 + ts / 7.0, 3L << 30, 8L << 30, 0.1 * ts, (int) (ts % 3),
                ts % 2 == 0 ? List.of() : List.of("ab12", "cd34"), ts, ts / 10);
    }

    private static TaskRecord task(int priority, long seq) {
        return new TaskRecord(UUID.randomUUID(), new byte[] {0, (byte) 0xFF, 'c', (byte) seq}, priority, 1_700_000_000_000L + seq, seq,
                seq % 2 == 0 ? 0 : 1_700_000_060_000L, "sha256-abc", 1_234_567);
    }

    private static List<ByteBuffer> inputsOf(TaskRecord r) {
        return List.of(ByteBuffer.wrap(r.taskId().toString().getBytes(UTF_8)), ByteBuffer.allocate(0));
    }

    /** Queues tasks of these priorities in this order; arrival seq = index + 1. */
    private static List<TaskRecord> queue(MetricTable t, int... priorities) {
        List<TaskRecord> out = new ArrayList<>();
        for (int i = 0; i < priorities.length; i++) {
            TaskRecord r = task(priorities[i], i + 1);
            t.taskQueued(r, inputsOf(r));
            out.add(r);
        }
        return out;
    }

    private static UUID id(List<TaskRecord> r, int i) {
        return r.get(i).taskId();
    }

    private static void assertTask(StoredTask actual, TaskRecord record, TaskState state, int attempt, String agent) {
        assertThat(actual.record()).usingRecursiveComparison().isEqualTo(record); // compares clientIdentity by content
        assertThat(actual.state()).isEqualTo(state);
        assertThat(actual.attempt()).isEqualTo(attempt);
        assertThat(actual.agent()).isEqualTo(agent);
    }
}
