package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeslice.broker.Broker;
import io.edgeslice.client.ClientException;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Withdrawing routes: one replica or all, with inputs on their way, and what cannot be withdrawn. Two agent processes. */
class UndeployTest {
    @TempDir
    static Path dir;
    static Broker broker;
    static Cluster cluster;
    static EdgeSliceClient client;
    static final Path MODEL = TestModels.blazefaceFront();
    static final Path OTHER = TestModels.model("jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx");

    @BeforeAll
    static void start() throws Exception {
        cluster = Cluster.embedded(dir);
        broker = cluster.broker();
        cluster.startAgents("a1", "a2");
        client = new EdgeSliceClient(broker.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        cluster.close(); // its broker too
    }

    /** Runs the command line; returns exit code, standard output and error. */
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = EdgeSliceCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    private static void deploy(Path model, String... extra) {
        List<String> args = new ArrayList<>(List.of("deploy", "--broker", broker.endpoint(), "--model", model.toString(), "--stages", "2"));
        args.addAll(List.of(extra));
        assertThat(run(args.toArray(String[]::new))[0]).as("deploy %s", model.getFileName()).isEqualTo("0");
    }

    @Test
    void oneReplicaThenAllAreWithdrawnWhileTheAgentsServeAnotherModel() throws Exception {
        String hash = Hashing.sha256(MODEL);
        deploy(MODEL, "--replicas", "2");
        deploy(OTHER);

        String[] one = run("undeploy", "--broker", broker.endpoint(), "--model", MODEL.toString(), "--replica", "1", "--json");
        assertThat(one[0]).isEqualTo("0");
        JsonNode gone = new ObjectMapper().readTree(one[1]).get("undeployed");
        assertThat(gone).hasSize(1);
        assertThat(gone.get(0).get("replica").asInt()).isEqualTo(1);
        assertThat(client.routesOf(hash, Duration.ofSeconds(5))).extracting(Message.Route::replica).containsExactly(0);
        assertThat(RouteRun.of(broker, client, MODEL, 10, 2).maxAbsDiff()).as("replica 0 still serves").isLessThanOrEqualTo(1e-5);

        long epoch = client.route(hash, Duration.ofSeconds(5)).epoch();
        String[] all = run("undeploy", "--broker", broker.endpoint(), "--hash", hash);
        assertThat(all[0]).isEqualTo("0");
        assertThat(all[1]).contains("withdrew model " + Hashing.shortHash(hash) + " route 0");
        assertThatThrownBy(() -> client.routesOf(hash, Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(ClientException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_ROUTE));
        assertThat(client.routes(Duration.ofSeconds(5))).extracting(Message.Route::modelHash).containsExactly(Hashing.sha256(OTHER));

        String[] again = run("undeploy", "--broker", broker.endpoint(), "--hash", hash);
        assertThat(again[0]).isEqualTo("1");
        assertThat(again[2]).contains("no route is deployed for model " + hash);

        assertThat(RouteRun.of(broker, client, OTHER, 10, 2).maxAbsDiff()).as("the other model on the same agents").isLessThanOrEqualTo(1e-5);
        deploy(MODEL);
        assertThat(client.route(hash, Duration.ofSeconds(5)).epoch()).as("a later epoch than the withdrawn route's").isGreaterThan(epoch + 1);
        assertThat(RouteRun.of(broker, client, MODEL, 10, 2).maxAbsDiff()).isLessThanOrEqualTo(1e-5);
        assertThat(run("undeploy", "--broker", broker.endpoint(), "--hash", hash)[0]).isEqualTo("0");
    }

    @Test
    void inputsOnTheirWayThroughAWithdrawnRouteFailWithNoRoute() throws Exception {
        String hash = Hashing.sha256(OTHER);
        deploy(OTHER);
        Tensor input = TestModels.randomInput(TestModels.inputShape(OTHER), 3);
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            requests.add(TaskRequest.of(hash, List.of(input), 5, 0));
        }
        AtomicInteger answered = new AtomicInteger();
        CompletableFuture<List<TaskOutcome>> running = CompletableFuture.supplyAsync(() -> {
            try (EdgeSliceClient own = new EdgeSliceClient(broker.endpoint())) {
                return own.runPipeline(hash, requests, 4, Duration.ofMinutes(2), o -> answered.incrementAndGet());
            }
        });
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (answered.get() < 10 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(run("undeploy", "--broker", broker.endpoint(), "--hash", hash)[0]).isEqualTo("0");

        List<TaskOutcome> outcomes = running.get(90, TimeUnit.SECONDS);
        assertThat(outcomes).hasSize(500);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.ok() || o.code() == ErrorCode.NO_ROUTE)
                .as("%s %s %s", o.status(), o.code(), o.message()).isTrue());
        assertThat(outcomes).filteredOn(TaskOutcome::ok).hasSizeGreaterThanOrEqualTo(10);
        assertThat(outcomes).filteredOn(o -> !o.ok()).isNotEmpty()
                .allSatisfy(o -> assertThat(o.message()).contains("no route is deployed for model " + hash));
        // both agents still up: healthy, or back to healthy after a reconnect (JeroMQ's stalled handshakes)
        cluster.await("a1 and a2 healthy", Duration.ofSeconds(10), rows -> rows.stream().filter(r -> r.state().equals("healthy")).count() == 2);
    }

    @Test
    void whatCannotBeWithdrawnIsRefusedClearly() {
        String[] badHash = run("undeploy", "--broker", broker.endpoint(), "--hash", "xyz");
        assertThat(badHash[0]).isEqualTo("2");
        assertThat(badHash[2]).contains("--hash must be a model's SHA-256");
        String[] badReplica = run("undeploy", "--broker", broker.endpoint(), "--hash", "ab".repeat(32), "--replica", "300");
        assertThat(badReplica[0]).isEqualTo("2");
        assertThat(badReplica[2]).contains("--replica must be 0 to 255");
        String[] unknown = run("undeploy", "--broker", broker.endpoint(), "--hash", "ab".repeat(32), "--replica", "3");
        assertThat(unknown[0]).isEqualTo("1");
        assertThat(unknown[2]).contains("no route 3 is deployed for model " + "ab".repeat(32));
        String[] noFile = run("undeploy", "--broker", broker.endpoint(), "--model", dir.resolve("nothing.onnx").toString());
        assertThat(noFile[0]).isEqualTo("2");
        assertThat(noFile[2]).contains("no such model file");
    }
}
