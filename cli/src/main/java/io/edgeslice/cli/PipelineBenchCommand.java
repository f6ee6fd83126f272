package io.edgeslice.cli;

import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeslice.agent.InferenceEngine;
import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerConfig;
import io.edgeslice.broker.store.InMemoryMetricTable;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Whole model against the same model sliced across agent processes on loopback: latency of one
 * request at a time, per-hop overhead, and pipelined throughput against the bound set by the
 * slowest stage. Everything runs with the agents' settings (1 intra-op thread, extended
 * optimisation), measured in one run so the ratios hold on a noisy machine.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Whole-model vs pipeline latency, per-hop overhead and pipelined throughput on loopback.")
final class PipelineBenchCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "The ONNX model (single float32 input).")
    Path model;

    @Option(names = "--stages", defaultValue = "3", description = "Slices, one agent process each (default: ${DEFAULT-VALUE}).")
    int stages;

    @Option(names = "--requests", defaultValue = "60", description = "Requests per measurement (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--json", description = "End with a JSON line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (stages < 1 || requests < 5) {
            throw new IllegalArgumentException("--stages must be at least 1 and --requests at least 5");
        }
        PrintStream out = json ? System.err : System.out;
        Path work = Files.createTempDirectory("edgeslice-bench-");
        String hash = Hashing.sha256(model);
        List<EdgeSliceProcess> agents = new ArrayList<>();
        try (Broker broker = Broker.start(BrokerConfig.onPort(0, work.resolve("models")), new InMemoryMetricTable());
             EdgeSliceClient client = new EdgeSliceClient(broker.endpoint());
             LocalModel whole = new LocalModel(model, OrtSession.SessionOptions.OptLevel.EXTENDED_OPT, 1)) {
            for (int i = 1; i <= stages; i++) {
                agents.add(EdgeSliceProcess.agent(broker.endpoint(), "s" + i, Files.createDirectories(work.resolve("s" + i)),
                        work.resolve("s" + i + ".log"), "--threads", "1"));
            }
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (broker.snapshot().agents().stream().filter(a -> a.state().equals("healthy")).count() < stages && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            out.printf("deploying %s in %d stages on %d agents...%n", model.getFileName(), stages, stages);
            picocli.CommandLine deploy = EdgeSliceCommand.commandLine();
            deploy.setOut(new java.io.PrintWriter(out, true)); // with --json, stdout carries only the result line
            if (deploy.execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(),
                    "--stages", String.valueOf(stages)) != 0) {
                throw new IllegalStateException("deploy failed");
            }
            Message.Route route = client.route(hash, Duration.ofSeconds(10));
            Tensor input = whole.randomInput(1);

            double wholeMs = median(timeWhole(whole, input, requests));
            List<Double> stageMs = stageTimes(broker, route, whole, input);
            List<Double> sequential = latencies(client.runPipeline(hash, requestsOf(hash, input, requests), 1, Duration.ofMinutes(10), o -> { }));
            double pipelineMs = median(sequential);
            long t0 = System.nanoTime();
            List<TaskOutcome> piped = client.runPipeline(hash, requestsOf(hash, input, requests), 2 * stages, Duration.ofMinutes(10), o -> { });
            double seconds = (System.nanoTime() - t0) / 1e9;
            long ok = piped.stream().filter(TaskOutcome::ok).count();
            double sumStages = stageMs.stream().mapToDouble(Double::doubleValue).sum();
            double maxStage = stageMs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            double hop = (pipelineMs - sumStages) / (stages + 1);
            double rps = ok / seconds;
            double bound = 1000 / maxStage;
            int cores = Runtime.getRuntime().availableProcessors();
            double coreBound = Math.min(bound, cores * 1000 / sumStages);
            out.printf("%nwhole model %.1f ms; pipeline %.1f ms (ratio %.3f); stages %s ms; per-hop overhead %.2f ms%n", wholeMs, pipelineMs,
                    pipelineMs / wholeMs, stageMs.stream().map(v -> String.format("%.1f", v)).toList(), hop);
            out.printf("pipelined: %.2f requests/s; bound 1/max(stage) %.2f/s (%.2f of it); %d cores allow %.2f/s%n", rps, bound, rps / bound,
                    cores, coreBound);
            if (json) {
                ObjectNode n = Json.object().put("model", model.getFileName().toString()).put("stages", stages).put("requests", requests)
                        .put("whole_ms", Percentiles.round(wholeMs)).put("pipeline_ms", Percentiles.round(pipelineMs))
                        .put("latency_ratio", Math.round(pipelineMs / wholeMs * 1000) / 1000.0).put("hop_overhead_ms", Percentiles.round(hop))
                        .put("throughput_rps", Percentiles.round(rps)).put("bound_rps", Percentiles.round(bound))
                        .put("cores", cores).put("core_bound_rps", Percentiles.round(coreBound)).put("ok", ok);
                System.out.println(Json.line(n));
            }
            return ok == requests ? 0 : 1;
        } finally {
            for (EdgeSliceProcess p : agents) {
                p.close();
            }
        }
    }

    private static List<TaskRequest> requestsOf(String hash, Tensor input, int n) {
        List<TaskRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TaskRequest.of(hash, List.of(input), 5, 0));
        }
        return out;
    }

    private static List<Double> timeWhole(LocalModel m, Tensor input, int n) throws Exception {
        for (int i = 0; i < 3; i++) {
            m.run(input);
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            m.run(input);
            out.add((System.nanoTime() - t) / 1e6);
        }
        return out;
    }

    /** Each slice timed in this process with the agents' settings, fed with the previous slice's real outputs. */
    private List<Double> stageTimes(Broker broker, Message.Route route, LocalModel whole, Tensor input) throws Exception {
        List<Double> out = new ArrayList<>();
        List<Tensor> current = List.of(input.withName(whole.inputName()));
        try (InferenceEngine engine = new InferenceEngine(1, InferenceEngine.DEFAULT_MAX_SESSIONS, OrtSession.SessionOptions.OptLevel.EXTENDED_OPT)) {
            for (Message.Stage st : route.stages()) {
                Path slice = broker.modelFile(st.sliceHash());
                List<Tensor> in = current;
                for (int i = 0; i < 3; i++) {
                    engine.run(slice, st.sliceHash(), in);
                }
                List<Double> times = new ArrayList<>();
                List<Tensor> result = null;
                for (int i = 0; i < Math.max(10, requests / 3); i++) {
                    long t = System.nanoTime();
                    result = engine.run(slice, st.sliceHash(), in);
                    times.add((System.nanoTime() - t) / 1e6);
                }
                out.add(median(times));
                current = result;
            }
        }
        return out;
    }

    private static List<Double> latencies(List<TaskOutcome> outcomes) {
        return outcomes.stream().filter(TaskOutcome::ok).map(TaskOutcome::latencyMs).toList();
    }

    private static double median(List<Double> v) {
        return Percentiles.of(v, 50);
    }
}
