package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeslice.broker.Broker;
import io.edgeslice.client.AgentProfile;
import io.edgeslice.client.ClientException;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.LinkSpeed;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Wire;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.SlicerJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import picocli.CommandLine;

/**
 * {@code deploy --plan auto} on three agent processes with M-LSD tiny: the agents really profile
 * the model, the links are really measured, and the planned route answers like the whole model.
 * Bad planning requests get clear errors and leave the agents serving.
 */
class AutoPlanTest {
    @TempDir
    static Path dir;
    static Broker broker;
    static Cluster cluster;
    static EdgeSliceClient client;
    static Path model;
    static String hash;
    static Map<String, long[]> shapes;

    @BeforeAll
    static void start() throws Exception {
        model = TestModels.model("jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx");
        hash = Hashing.sha256(model);
        try (LocalModel local = new LocalModel(model)) {
            shapes = Map.of(local.inputName(), local.inputShape());
        }
        cluster = Cluster.embedded(dir);
        broker = cluster.broker();
        cluster.startAgents("a1", "a2", "a3");
        client = new EdgeSliceClient(broker.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        cluster.close(); // its broker too
    }

    @Test
    void aPlannedRouteGivesTheWholeModelsAnswer() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = EdgeSliceCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));

        int code = cl.execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(), "--plan", "auto", "--objective", "throughput",
                "--json", "--runs", "2");

        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(err.toString()).contains("planning over 3 agent(s)").contains("client -> a1").contains("a2 -> a3");
        JsonNode line = Json.MAPPER.readTree(out.toString());
        JsonNode plan = line.get("plan");
        assertThat(plan.get("profiles")).hasSize(3).allSatisfy(p -> assertThat(p.get("whole_ms").asDouble()).isPositive());
        assertThat(plan.get("links")).hasSize(12).allSatisfy(l -> assertThat(l.get("mbps").asDouble()).isPositive());
        assertThat(plan.get("transport").asText()).isEqualTo("none"); // loopback is far above 200 Mbit/s
        // the three agents share this machine's cores: the period they can sustain is at least the busiest stage's
        assertThat(plan.get("shared_period_ms").asDouble()).isGreaterThanOrEqualTo(plan.get("period_ms").asDouble());
        List<String> placement = new ArrayList<>();
        plan.get("placement").forEach(n -> placement.add(n.asText()));
        Message.Route route = client.route(hash, Duration.ofSeconds(5));
        assertThat(route.stages().stream().map(Message.Stage::agent).toList()).isEqualTo(placement).doesNotContain("client");
        assertThat(route.transport()).isEqualTo(io.edgeslice.protocol.Transport.NONE);
        // as a pipeline, agents of about the same speed on fast links share the model
        assertThat(route.stages()).hasSizeGreaterThanOrEqualTo(2);

        double diff = RouteRun.of(broker, client, model, 5, 2).maxAbsDiff();
        System.out.printf("plan: %s%nmax_abs_diff over 5 requests: %s%n", plan, diff);
        assertThat(diff).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void agentsProfileOnTheirOwnAndRememberTheProfile() {
        List<Message.AgentRow> agents = client.agents(Duration.ofSeconds(5));

        List<AgentProfile> first = client.profile(agents, upload(), sizeOf(model), shapes, 2, Duration.ofMinutes(3), p -> { });
        List<AgentProfile> again = client.profile(agents, hash, sizeOf(model), shapes, 2, Duration.ofMinutes(3), p -> { });

        assertThat(first).extracting(AgentProfile::agent).containsExactlyInAnyOrder("a1", "a2", "a3");
        for (AgentProfile p : first) {
            Profile profile = parse(p);
            assertThat(profile.device()).isEqualTo(p.agent());
            assertThat(profile.modelSha256()).isEqualTo(hash);
            assertThat(profile.wholeMs()).isPositive();
            assertThat(profile.segmentMs()).isNotEmpty().allSatisfy(ms -> assertThat(ms).isPositive());
        }
        assertThat(again).allSatisfy(p -> assertThat(p.cached()).isTrue());
    }

    @Test
    void linksBetweenTheClientAndEveryAgentAndBetweenAgentsAreMeasured() {
        List<Message.AgentRow> agents = client.agents(Duration.ofSeconds(5));

        List<LinkSpeed> links = client.measureLinks(agents, "me", 1 << 20, Duration.ofMinutes(2), p -> { });

        assertThat(links).hasSize(12).allSatisfy(l -> {
            assertThat(l.mbps()).isPositive();
            assertThat(l.ms()).isPositive();
        });
        assertThat(links).extracting(l -> l.from() + ">" + l.to()).containsExactlyInAnyOrder("me>a1", "a1>me", "me>a2", "a2>me", "me>a3",
                "a3>me", "a1>a2", "a1>a3", "a2>a1", "a2>a3", "a3>a1", "a3>a2");
    }

    @Test
    void profilingAModelTheBrokerDoesNotHoldFailsClearly() {
        String unknown = "ab".repeat(32);

        assertThatThrownBy(() -> client.profile(agent("a1"), unknown, 1000, shapes, 1, Duration.ofMinutes(1), p -> { }))
                .isInstanceOf(ClientException.class).hasMessageContaining("a1").hasMessageContaining(unknown)
                .satisfies(e -> assertThat(((ClientException) e).code()).isEqualTo(ErrorCode.MODEL_MISSING));
        assertStillServing("a1", "fetching it from the broker failed");
    }

    @Test
    void badInputShapesAreRefused() {
        String input = shapes.keySet().iterator().next();

        assertThatThrownBy(() -> client.profile(agent("a2"), upload(), sizeOf(model), Map.of(input, new long[] {1, 3, 3}), 1,
                Duration.ofMinutes(1), p -> { }))
                .isInstanceOf(ClientException.class).hasMessageContaining("a2").hasMessageContaining(input).hasMessageContaining("rank")
                .satisfies(e -> assertThat(((ClientException) e).code()).isEqualTo(ErrorCode.BAD_INPUT));
        assertStillServing("a2", "rank");
    }

    @Test
    void aModelThatDoesNotLoadIsRefused() throws Exception {
        Path junk = dir.resolve("junk.onnx");
        Files.write(junk, new byte[] {0x08, 0x07, 0x12, 0x07, 'n', 'o', 't', ' ', 'o', 'n', 'n', 'x'});
        String junkHash = broker.importModel(junk);

        assertThatThrownBy(() -> client.profile(agent("a3"), junkHash, Files.size(junk), shapes, 1, Duration.ofMinutes(1), p -> { }))
                .isInstanceOf(ClientException.class).hasMessageContaining("a3").hasMessageContaining("does not load")
                .satisfies(e -> assertThat(((ClientException) e).code()).isEqualTo(ErrorCode.BAD_MODEL));
        assertStillServing("a3", "does not load");
    }

    @Test
    void aLinkProbeToAnUnreachableEndpointTimesOut() throws Exception {
        String nowhere = "tcp://127.0.0.1:" + Cluster.freePort();

        Message answer = toAgent("a1", new Message.LinkProbe(UUID.randomUUID(), nowhere, 1 << 20));

        assertThat(answer).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.UNREACHABLE);
            assertThat(f.message()).contains("a1").contains(nowhere).contains("timed out");
        });
        assertStillServing("a1", "link probe failed");
    }

    @Test
    void aProbeOverTheSizeLimitIsRefused() throws Exception {
        String a2 = agent("a2").get(0).dataEndpoint();

        Message answer = toAgent("a1", new Message.LinkProbe(UUID.randomUUID(), a2, 32 << 20));

        assertThat(answer).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(f.message()).contains("33554432").contains("16 MiB");
        });
        assertStillServing("a1", "33554432");
    }

    /** The agent is healthy, answers a probe, and logged the problem. */
    private static void assertStillServing(String agent, String logged) {
        assertThat(cluster.agent(agent).orElseThrow().state()).isEqualTo("healthy");
        UUID id = UUID.randomUUID();
        assertThat(toAgent(agent, new Message.Probe(id, 1, ByteBuffer.allocate(10)))).isEqualTo(new Message.ProbeAck(id, 1, 10));
        String log = cluster.processes().stream().filter(p -> p.name().equals(agent)).findFirst().map(p -> read(p.log())).orElseThrow();
        assertThat(log).contains(logged);
    }

    private static Message toAgent(String agent, Message m) {
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
            s.setHandshakeIvl(1000);
            s.setReceiveTimeOut(15_000);
            s.connect(agent(agent).get(0).dataEndpoint());
            Wire.send(s, null, m, false);
            List<ByteBuffer> answer = Wire.receive(s, 0);
            assertThat(answer).as("an answer from %s", agent).isNotNull();
            return Codec.decode(answer);
        }
    }

    private static List<Message.AgentRow> agent(String name) {
        return List.of(cluster.agent(name).orElseThrow());
    }

    private static String upload() {
        try {
            return client.uploadModel(model, Duration.ofMinutes(1), b -> { });
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Profile parse(AgentProfile p) {
        try {
            return SlicerJson.mapper().readValue(p.profileJson(), Profile.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
