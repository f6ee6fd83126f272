package io.edgeslice.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.protocol.Command;
import io.edgeslice.protocol.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start order, broker silence, reconnects and backoff (Paranoid Pirate), in real time and on an injected clock. */
class ReconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Long enough for the agent's control loop (polling every 100 ms at most) to act on a clock change. */
    private static final Duration SETTLE = Duration.ofMillis(500);
    private static final Duration SHORT_INTERVAL = Duration.ofMillis(200);
    private static final long[] FACE_SHAPE = {1, 128, 128, 3};
    private static final long[] MLSD_SHAPE = {1, 320, 320, 4};

    @TempDir
    Path tmp;
    private Fixture fx;
    private final AtomicLong clock = new AtomicLong(1L << 40);

    @BeforeEach
    void fixture() {
        fx = new Fixture(tmp);
    }

    @AfterEach
    void cleanUp() throws Exception {
        fx.close();
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    private static Duration silence() {
        return AgentConfig.HEARTBEAT_INTERVAL.multipliedBy(AgentConfig.LIVENESS).plusMillis(100);
    }

    @Test
    void registersWhenTheBrokerStartsAfterIt() throws Exception {
        int port = Fixture.freePort();
        fx.start(fx.config(port).withHeartbeatInterval(SHORT_INTERVAL));
        Thread.sleep(2000); // long enough for at least one give-up-and-back-off cycle

        BrokerPeer broker = fx.peer(port);
        Message.Ready ready = (Message.Ready) broker.next(Command.READY, WAIT).message();
        assertThat(ready.name()).isEqualTo("agent-under-test");
    }

    @Test
    void reconnectsOnANewSocketToABrokerThatCameBackOnTheSamePort() throws Exception {
        String hash = seed(TestModels.BLAZEFACE);
        BrokerPeer first = fx.peer();
        int port = first.port();
        fx.start(fx.config(port).withHeartbeatInterval(SHORT_INTERVAL));
        byte[] firstId = first.next(Command.READY, WAIT).identity();

        fx.closeNow(first);
        // back only after the agent gave up the old socket (600 ms of silence) and before the new one (1 s later)
        Thread.sleep(1200);
        BrokerPeer second = fx.peer(port);
        BrokerPeer.Received again = second.next(Command.READY, WAIT);
        assertThat(again.identity()).isNotEqualTo(firstId);

        second.send(again.identity(), Fixture.task(hash, 0, TestModels.randomFloats("", FACE_SHAPE, 21)));
        assertThat(second.next(Command.RESULT, WAIT).message()).isInstanceOf(Message.Result.class);
    }

    @Test
    void registersAgainOnTheSameSocketWhenTheBrokerSaysDisconnect() throws Exception {
        BrokerPeer broker = fx.peer();
        fx.start(fx.config(broker.port()));
        byte[] id = broker.next(Command.READY, WAIT).identity();

        broker.send(id, new Message.Disconnect("unknown agent"));
        assertThat(broker.next(Command.READY, WAIT).identity()).isEqualTo(id);
    }

    @Test
    void aFetchCutByBrokerSilenceResumesOnTheNewSocket() throws Exception {
        BrokerPeer broker = fx.peer();
        broker.quiet = true; // liveness is then up to the injected clock
        broker.hold = true;
        String hash = broker.serve(TestModels.MLSD);
        fx.start(fx.config(broker.port()).withClock(clock::get));
        byte[] firstId = broker.next(Command.READY, WAIT).identity();
        broker.send(firstId, Fixture.task(hash, Files.size(TestModels.MLSD), TestModels.randomFloats("", MLSD_SHAPE, 22)));
        for (int i = 0; i < 3; i++) {
            assertThat(broker.next(Command.FETCH, WAIT).identity()).isEqualTo(firstId);
        }

        advance(silence());
        assertThat(broker.poll(Command.READY, SETTLE)).as("no new socket before the backoff").isNull();
        advance(BrokerLink.BACKOFF_INITIAL);
        byte[] secondId = broker.next(Command.READY, WAIT).identity();
        assertThat(secondId).isNotEqualTo(firstId);
        for (int i = 0; i < 3; i++) {
            assertThat(broker.next(Command.FETCH, WAIT).identity()).isEqualTo(secondId);
        }

        broker.hold = false; // answers to the closed first socket go nowhere
        assertThat(broker.next(Command.RESULT, WAIT).identity()).isEqualTo(secondId);
    }

    @Test
    void backoffDoublesWhileTheBrokerStaysSilentAndResetsOnceItIsHeard() throws Exception {
        BrokerPeer broker = fx.peer();
        broker.silent = true;
        fx.start(fx.config(broker.port()).withClock(clock::get));
        broker.next(Command.READY, WAIT);

        advance(silence());
        assertThat(broker.poll(Command.READY, SETTLE)).isNull();
        advance(Duration.ofSeconds(1));
        broker.next(Command.READY, WAIT); // after 1 s

        advance(silence());
        Thread.sleep(SETTLE.toMillis()); // the agent must see the silence before the backoff starts
        advance(Duration.ofSeconds(1));
        assertThat(broker.poll(Command.READY, SETTLE)).as("the second backoff is 2 s").isNull();
        advance(Duration.ofSeconds(1));
        byte[] id = broker.next(Command.READY, WAIT).identity();

        broker.send(id, Message.Heartbeat.fromBroker(1)); // heard: back to 1 s
        Thread.sleep(SETTLE.toMillis());
        advance(silence());
        assertThat(broker.poll(Command.READY, SETTLE)).isNull();
        advance(Duration.ofSeconds(1));
        broker.next(Command.READY, WAIT);
    }

    @Test
    void resultsFinishedWhileDisconnectedAreSentAfterReconnecting() throws Exception {
        String hash = seed(TestModels.MLSD_LARGE); // slow enough that results finish after the link is down
        BrokerPeer broker = fx.peer();
        broker.quiet = true;
        fx.start(fx.config(broker.port()).withClock(clock::get));
        byte[] firstId = broker.next(Command.READY, WAIT).identity();

        Set<UUID> sent = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Message.Task t = Fixture.task(hash, 0, TestModels.randomFloats("", MLSD_SHAPE, 30 + i));
            sent.add(t.taskId());
            broker.send(firstId, t);
        }
        Thread.sleep(50); // the tasks are in before the silence starts
        advance(silence());
        Thread.sleep(SETTLE.toMillis()); // the link is down before the last results are done
        advance(BrokerLink.BACKOFF_INITIAL);
        byte[] secondId = broker.next(Command.READY, WAIT).identity();

        Set<UUID> got = new HashSet<>();
        boolean viaNewSocket = false;
        for (int i = 0; i < 3; i++) {
            BrokerPeer.Received r = broker.next(Command.RESULT, WAIT);
            got.add(((Message.Result) r.message()).taskId());
            viaNewSocket |= Arrays.equals(r.identity(), secondId);
        }
        assertThat(got).isEqualTo(sent);
        assertThat(viaNewSocket).as("results kept while disconnected went out on the new socket").isTrue();
    }

    /** Puts a model into the agent's cache before it starts, as a previous run would have. */
    private String seed(Path model) throws Exception {
        String hash = TestModels.sha256(model);
        Path dir = Files.createDirectories(tmp.resolve("cache"));
        Files.copy(model, dir.resolve(hash + ".onnx"));
        return hash;
    }
}
