package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.broker.Broker;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.SharedMemory;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * M-LSD large in three slices on three agent processes, requests flowing agent to agent; the
 * middle agent is SIGKILLed mid-run with a fourth agent idle, and every request still completes
 * exactly once, equal to the whole model.
 */
class PipelineTest {
    @TempDir
    Path dir;

    @Test
    void aThreeStagePipelineSurvivesTheLossOfItsMiddleAgent() throws Exception {
        Path model = TestModels.model("jp.keijiro.mlsd/ONNX/mlsd_320x320_large.onnx");
        String hash = Hashing.sha256(model);
        List<Tensor> inputs = new ArrayList<>();
        List<List<Tensor>> expected = new ArrayList<>();
        try (Cluster c = Cluster.embedded(dir);
             EdgeSliceClient client = new EdgeSliceClient(c.broker().endpoint())) {
            Broker broker = c.broker();
            c.startAgents("a1", "a2", "a3");
            picocli.CommandLine deploy = EdgeSliceCommand.commandLine();
            java.io.StringWriter deployErr = new java.io.StringWriter();
            deploy.setErr(new java.io.PrintWriter(deployErr, true));
            int code = deploy.execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(), "--stages", "3");
            assertThat(code).isZero();
            Message.Route route = client.route(hash, Duration.ofSeconds(5));
            assertThat(route.stages()).hasSize(3);
            // the profile's cuts and their neighbours were timed as real slices, and deploy used one of those sets
            List<Integer> cuts = List.of(route.stages().get(1).start(), route.stages().get(2).start());
            assertThat(deployErr.toString())
                    .contains("neighbouring sets here...")
                    .contains("  cuts " + cuts + ": slices [")
                    .contains("cuts " + cuts + " of the optimised graph");
            assertThat(new HashSet<>(RoutesOf.agents(route))).as("one stage per agent; the broker's events: %s", broker.snapshot().events())
                    .hasSize(3);
            // the agents share this machine's ONNX Runtime target: deploy cut the graph ONNX Runtime runs here
            assertThat(route.ortTarget()).isEqualTo(io.edgeslice.slicer.OrtTarget.local()).isNotEmpty();
            // the reference runs at the level the slices run at (all where the cuts allow it), to match bit for bit
            try (LocalModel local = new LocalModel(model, LocalModel.levelOf(broker, route))) {
                for (int i = 0; i < 5; i++) {
                    inputs.add(local.randomInput(50 + i));
                    expected.add(local.run(inputs.get(i)));
                }
            }
            c.startAgents("a4"); // idle, ready to take over a slice

            List<TaskRequest> requests = new ArrayList<>();
            Map<UUID, Integer> inputOf = new HashMap<>();
            for (int i = 0; i < 100; i++) {
                TaskRequest r = TaskRequest.of(hash, List.of(inputs.get(i % inputs.size())), 5, 0);
                requests.add(r);
                inputOf.put(r.id(), i % inputs.size());
            }
            List<Long> completedAt = Collections.synchronizedList(new ArrayList<>());
            List<TaskOutcome> seen = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<List<TaskOutcome>> run = CompletableFuture.supplyAsync(() -> client.runPipeline(hash, requests, 4,
                    Duration.ofMinutes(4), o -> {
                        seen.add(o);
                        completedAt.add(System.nanoTime());
                    }));
            while (seen.size() < 15 && !run.isDone()) {
                Thread.sleep(20);
            }
            String middle = route.stages().get(1).agent();
            long killedAt = System.nanoTime();
            c.processes().stream().filter(p -> p.name().equals(middle)).findFirst().orElseThrow().kill();
            List<TaskOutcome> outcomes = run.get();

            assertThat(outcomes).hasSize(100).allSatisfy(o -> assertThat(o.status()).as(o.message()).isEqualTo(TaskOutcome.Status.OK));
            assertThat(seen).as("exactly one outcome per request").hasSize(100);
            assertThat(new HashSet<>(seen.stream().map(TaskOutcome::taskId).toList())).hasSize(100);
            for (TaskOutcome o : outcomes) {
                assertThat(TestModels.maxAbsDiff(expected.get(inputOf.get(o.taskId())), o.outputs())).isLessThanOrEqualTo(1e-5);
            }
            Message.Route repaired = client.route(hash, Duration.ofSeconds(5));
            assertThat(repaired.epoch()).isGreaterThan(route.epoch());
            assertThat(RoutesOf.agents(repaired)).doesNotContain(middle).contains("a4");
            long firstAfterKill = completedAt.stream().filter(t -> t > killedAt).findFirst().orElseThrow();
            long gapAfterRepair = completedAt.stream().filter(t -> t > killedAt).mapToLong(t -> t).max().orElseThrow();
            System.out.printf("first result %d ms after the kill; last at %d ms%n", (firstAfterKill - killedAt) / 1_000_000,
                    (gapAfterRepair - killedAt) / 1_000_000);
            assertThat((firstAfterKill - killedAt) / 1_000_000).as("ms from the kill to the next result").isLessThanOrEqualTo(4000);
        }
    }

    @Test
    void twoModelsSlicedAcrossTheSameAgentsServeInterleavedRequests() throws Exception {
        List<Path> models = List.of(TestModels.blazefaceFront(), TestModels.model("jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx"));
        try (Cluster c = Cluster.embedded(dir)) {
            Broker broker = c.broker();
            c.startAgents("a1", "a2");
            List<CompletableFuture<Double>> runs = new ArrayList<>();
            for (Path model : models) {
                assertThat(EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(),
                        "--stages", "2")).isZero();
            }
            for (Path model : models) {
                runs.add(CompletableFuture.supplyAsync(() -> RouteRun.of(broker, model, 20, 3).maxAbsDiff()));
            }
            for (CompletableFuture<Double> r : runs) {
                assertThat(r.get()).isLessThanOrEqualTo(1e-5);
            }
            assertThat(c.agent("a1").orElseThrow().models()).hasSizeGreaterThanOrEqualTo(2); // a slice of each model
        }
    }

    @Test
    void activationsCompressedWithLz4GiveTheWholeModelsAnswer() throws Exception {
        Path model = TestModels.blazefaceFront();
        try (Cluster c = Cluster.embedded(dir);
             EdgeSliceClient client = new EdgeSliceClient(c.broker().endpoint())) {
            Broker broker = c.broker();
            // with shared memory the agents, on one machine, would pass references instead of compressed bytes
            c.startAgents(List.of("a1", "a2"), "--shared-memory", "off");
            assertThat(EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(),
                    "--placement", "0-40@a1,40-93@a2", "--transport", "LZ4")).isZero();
            assertThat(client.route(Hashing.sha256(model), Duration.ofSeconds(5)).transport()).isEqualTo(io.edgeslice.protocol.Transport.LZ4);
            assertThat(RouteRun.of(broker, model, 10, 3).maxAbsDiff()).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void aMiddleStageThatPassesATensorOnGivesTheWholeModelsAnswerEveryTime() throws Exception {
        // cut at 22 and 77, M-LSD tiny's middle slice hands a skip connection on unchanged (an output that is an input);
        // before the engine copied such outputs, every request after the first came back wrong
        Path model = TestModels.model("jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx");
        try (Cluster c = Cluster.embedded(dir)) {
            Broker broker = c.broker();
            c.startAgents("a1", "a2", "a3");
            assertThat(EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(),
                    "--placement", "0-22@a2,22-77@a3,77-109@a1")).isZero();
            assertThat(RouteRun.of(broker, model, 20, 3).maxAbsDiff()).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void agentsOnOneMachinePassActivationsThroughSharedMemory() throws Exception {
        Path model = TestModels.blazefaceFront();
        try (Cluster c = Cluster.embedded(dir)) {
            Broker broker = c.broker();
            EdgeSliceProcess a1 = c.startAgent("a1");
            c.startAgents("a2");
            assertThat(EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(),
                    "--placement", "0-30@a1,30-93@a2")).isZero(); // 168 KiB cross the cut: by reference (from 64 KiB on)
            assertThat(RouteRun.of(broker, model, 30, 4).maxAbsDiff()).isLessThanOrEqualTo(1e-5);
            assertThat(Files.readString(a1.log())).contains("travel through shared memory").doesNotContain("travel inline");
        }
    }

    @Test
    void anAgentThatCannotReadItsPeersSharedMemoryGetsActivationsInline() throws Exception {
        // a2 looks in another directory, as an agent in another container would: a1's segments are not there
        Path model = TestModels.blazefaceFront();
        try (Cluster c = Cluster.embedded(dir)) {
            Broker broker = c.broker();
            EdgeSliceProcess a1 = c.startAgent("a1", "--shared-memory", Files.createDirectories(dir.resolve("shm-a1")).toString());
            EdgeSliceProcess a2 = c.startAgent("a2", "--shared-memory", Files.createDirectories(dir.resolve("shm-a2")).toString());
            EdgeSliceProcess a3 = c.startAgent("a3", "--shared-memory", "off");
            c.await("three agents", Duration.ofSeconds(30), Cluster.healthy(3));
            assertThat(EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(),
                    "--placement", "0-30@a1,30-60@a2,60-93@a3")).isZero();
            assertThat(RouteRun.of(broker, model, 20, 4).maxAbsDiff()).isLessThanOrEqualTo(1e-5);
            assertThat(Files.readString(a1.log())).contains("cannot read this machine's shared memory").contains("does not exist");
            assertThat(Files.readString(a2.log())).contains("cannot read this machine's shared memory").contains("does not read shared memory");
            assertThat(Files.readString(a3.log())).contains("refusing an activation").contains("does not read shared memory");
        }
    }

    @Test
    void aClientOnTheMachineSendsInputsByReferenceAndInlineToAnAgentThatCannotReadThem() throws Exception {
        SharedMemory.enable(SharedMemory.DEFAULT_DIR); // as submit, demo and bench do (for the rest of this JVM's tests too)
        Path face = TestModels.blazefaceFront(); // 192 KiB input
        Path lines = TestModels.model("jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx"); // 1.6 MiB input
        try (Cluster c = Cluster.embedded(dir)) {
            Broker broker = c.broker();
            EdgeSliceProcess reads = c.startAgent("reads");
            EdgeSliceProcess off = c.startAgent("off", "--shared-memory", "off");
            c.await("two agents", Duration.ofSeconds(30), Cluster.healthy(2));
            assertThat(EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model", face.toString(),
                    "--placement", "0-93@reads")).isZero();
            assertThat(EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model", lines.toString(),
                    "--placement", "0-" + Analysis.of(OnnxModel.load(lines), InputShapes.none()).nodeCount() + "@off")).isZero();
            assertThat(RouteRun.of(broker, face, 20, 4).maxAbsDiff()).isLessThanOrEqualTo(1e-5);
            assertThat(RouteRun.of(broker, lines, 20, 4).maxAbsDiff()).isLessThanOrEqualTo(1e-5);
            assertThat(Files.readString(reads.log())).doesNotContain("refusing");
            assertThat(Files.readString(off.log())).contains("refusing an activation by shared memory").contains("does not read shared memory");
        }
    }

    @Test
    void replicasOfOneModelRunOnSeparateAgentsAndShareTheRequests() throws Exception {
        Path model = TestModels.blazefaceFront();
        String hash = Hashing.sha256(model);
        try (Cluster c = Cluster.embedded(dir);
             EdgeSliceClient client = new EdgeSliceClient(c.broker().endpoint())) {
            Broker broker = c.broker();
            c.startAgents("a1", "a2", "a3", "a4");
            assertThat(EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(),
                    "--stages", "2", "--replicas", "2")).isZero();
            List<Message.Route> replicas = client.routesOf(hash, Duration.ofSeconds(5));
            assertThat(replicas).extracting(Message.Route::replica).containsExactly(0, 1);
            List<String> used = new ArrayList<>(RoutesOf.agents(replicas.get(0)));
            used.addAll(RoutesOf.agents(replicas.get(1)));
            assertThat(new HashSet<>(used)).as("each replica on agents of its own").hasSize(4);

            RouteRun run = RouteRun.of(broker, client, model, 30, 4);
            assertThat(run.maxAbsDiff()).isLessThanOrEqualTo(1e-5);
            List<TaskOutcome> outcomes = run.outcomes();
            String last0 = replicas.get(0).stages().get(1).agent();
            String last1 = replicas.get(1).stages().get(1).agent();
            assertThat(outcomes.stream().map(TaskOutcome::agent).distinct().toList()).as("both replicas answered")
                    .containsExactlyInAnyOrder(last0, last1);
        }
    }

    @Test
    void replicasNeedStagesNotAPlacement() {
        int code = EdgeSliceCommand.commandLine().execute("deploy", "--broker", "tcp://127.0.0.1:1", "--model",
                TestModels.blazefaceFront().toString(), "--placement", "0-40@a1,40-93@a2", "--replicas", "2");
        assertThat(code).isEqualTo(2);
    }

    /** The agents of a route in stage order. */
    static final class RoutesOf {
        static List<String> agents(Message.Route r) {
            return r.stages().stream().map(Message.Stage::agent).toList();
        }
    }
}
