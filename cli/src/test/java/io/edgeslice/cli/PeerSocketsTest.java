package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.agent.AgentConfig;
import io.edgeslice.agent.EdgeAgent;
import io.edgeslice.broker.Broker;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.protocol.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The data sockets an agent opens to next stages and to clients close once idle: clients come and
 * go (each session binds an endpoint of its own), and an agent must not keep dialling every one it
 * ever answered. Two agents in this JVM, with the shortest idle time allowed, behind a real broker.
 */
class PeerSocketsTest {
    private static final Duration IDLE = AgentConfig.PEER_IDLE_MIN;
    private static final Duration RESULT_WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    static Cluster cluster;
    static Broker broker;
    static List<EdgeAgent> agents;
    static Path model;
    static String hash;

    @BeforeAll
    static void start() throws Exception {
        model = TestModels.blazefaceFront();
        hash = Hashing.sha256(model);
        cluster = Cluster.embedded(dir);
        broker = cluster.broker();
        agents = List.of(agent("p1"), agent("p2"));
        cluster.await("two healthy agents", Duration.ofSeconds(30), Cluster.healthy(2));
        assertThat(EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(),
                "--placement", "0-40@p1,40-93@p2")).isZero();
    }

    private static EdgeAgent agent(String name) throws IOException {
        EdgeAgent a = new EdgeAgent(AgentConfig.of(broker.endpoint()).withName(name).withThreads(1).withCacheDir(dir.resolve(name))
                .withPeerIdle(IDLE));
        a.start();
        return a;
    }

    @AfterAll
    static void stop() throws Exception {
        agents.forEach(EdgeAgent::close);
        cluster.close();
    }

    @Test
    void aClientThatLeftIsNotDialledAgainOnceItsSocketIdled() throws Exception {
        int port;
        try (ZContext ctx = new ZContext(); EdgeSliceClient client = new EdgeSliceClient(broker.endpoint())) {
            ZMQ.Socket results = ctx.createSocket(SocketType.ROUTER);
            port = results.bindToRandomPort("tcp://127.0.0.1");
            List<String> heard = request(ctx, client, results, "tcp://127.0.0.1:" + port);
            assertThat(heard).as("what the client heard").last().isEqualTo("RESULT");
        } // the client leaves: its endpoint closes

        // something listens where the client was and counts the agent's attempts to reach it again
        AtomicInteger dialled = new AtomicInteger();
        try (ServerSocket where = new ServerSocket()) {
            where.setReuseAddress(true);
            where.bind(new InetSocketAddress("127.0.0.1", port));
            Thread counter = new Thread(() -> {
                while (!where.isClosed()) {
                    try (Socket s = where.accept()) {
                        dialled.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            counter.setDaemon(true);
            counter.start();
            Thread.sleep(IDLE.toMillis() + 1000); // idle, closed, and a reconnect that was under way has landed
            int before = dialled.get();
            Thread.sleep(2500); // a socket kept open would dial at least every second (its reconnect backoff's cap)
            assertThat(dialled.get() - before).as("attempts to reach the departed client after its socket idled (%d before)", before)
                    .isZero();
        }
    }

    /**
     * One request through the route as a client session sends it, with its own result endpoint;
     * returns what the first stage and the result endpoint sent, in order. It is not sent again:
     * neither a stalled handshake nor an idle close may lose it.
     */
    private static List<String> request(ZContext ctx, EdgeSliceClient client, ZMQ.Socket results, String replyTo) throws Exception {
        Tensor input = TestModels.randomInput(TestModels.inputShape(model), 3);
        Message.Route route = client.route(hash, Duration.ofSeconds(10));
        Message.Activation a = new Message.Activation(UUID.randomUUID(), 1, route.epoch(), hash, 0, 0, replyTo, Codec.tensorsCrc(List.of(input)),
                List.of(input));
        ZMQ.Socket first = ctx.createSocket(SocketType.DEALER);
        first.setHandshakeIvl(1000); // a handshake that stalled (JeroMQ PR #1022) is retried, as a client's lane retries it
        first.connect(route.stages().get(0).dataEndpoint());
        Wire.send(first, null, Codec.encode(a), false);
        List<String> heard = new ArrayList<>();
        long sent = System.nanoTime();
        try (ZMQ.Poller poller = ctx.createPoller(2)) {
            poller.register(results, ZMQ.Poller.POLLIN);
            poller.register(first, ZMQ.Poller.POLLIN);
            while (System.nanoTime() - sent < RESULT_WAIT.toNanos()) {
                poller.poll(100);
                List<ByteBuffer> reply = Wire.receive(first, ZMQ.DONTWAIT);
                if (reply != null) {
                    heard.add(describe(Codec.decode(reply)));
                }
                List<ByteBuffer> frames = Wire.receive(results, ZMQ.DONTWAIT); // from the last stage, p2
                if (frames != null) {
                    heard.add(describe(Codec.decode(frames.subList(1, frames.size()))));
                    return heard;
                }
            }
        }
        heard.add("nothing more within " + RESULT_WAIT.toSeconds() + " s");
        return heard;
    }

    private static String describe(Message m) {
        return m.command() + (m instanceof Message.Failed f ? ": " + f.message() : "");
    }

    @Test
    void aRouteServesAgainAfterItsSocketsToTheNextStageAndTheClientIdled() throws Exception {
        try (EdgeSliceClient client = new EdgeSliceClient(broker.endpoint())) {
            assertThat(RouteRun.of(broker, client, model, 2, 1).maxAbsDiff()).isLessThanOrEqualTo(1e-5);
            Thread.sleep(IDLE.toMillis() + 1000); // p1's socket to p2 and p2's to this client close
            assertThat(RouteRun.of(broker, client, model, 2, 1).maxAbsDiff()).isLessThanOrEqualTo(1e-5);
        }
    }
}
