package io.edgeslice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.protocol.Npy;
import io.edgeslice.protocol.SharedMemory;
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

@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Run a model on input tensors (.npy) through the broker and print or save the results.")
final class SubmitCommand implements Callable<Integer> {
    @Option(names = "--broker", required = true, description = "Broker endpoint, e.g. tcp://127.0.0.1:5555.")
    String broker;

    @Option(names = "--model", required = true, description = "The ONNX model file.")
    Path model;

    @Option(names = "--input", required = true, description = "FILE.npy for a model with one input, or NAME=FILE.npy (repeat).")
    List<String> inputs;

    @Option(names = "--priority", defaultValue = "5", description = "0 (lowest) to 9 (default: ${DEFAULT-VALUE}).")
    int priority;

    @Option(names = "--deadline-ms", defaultValue = "0", description = "Give up after this many ms (0: no deadline).")
    long deadlineMs;

    @Option(names = "--count", defaultValue = "1", description = "Submit the same input this many times (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--concurrency", defaultValue = "16", description = "Tasks in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--timeout-s", defaultValue = "300", description = "Stop waiting after this many seconds (default: ${DEFAULT-VALUE}).")
    int timeoutS;

    @Option(names = "--out", description = "Write one NAME.npy per model output here (per task in a sub-folder when --count > 1).")
    Path out;

    @Option(names = "--json", description = "One JSON line per task, then a summary line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (priority < 0 || priority > 9) {
            throw new IllegalArgumentException("--priority must be 0..9, got " + priority);
        }
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + count);
        }
        if (deadlineMs < 0) {
            throw new IllegalArgumentException("--deadline-ms must not be negative");
        }
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("model file " + model + " does not exist");
        }
        List<Tensor> tensors = Inputs.read(inputs);
        PrintStream stdout = System.out;
        SharedMemory.enable(SharedMemory.DEFAULT_DIR); // a first stage on this machine reads the inputs by reference
        try (EdgeSliceClient client = new EdgeSliceClient(broker)) {
            String hash = client.uploadModel(model, Duration.ofSeconds(timeoutS), bytes -> { });
            List<TaskRequest> requests = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                requests.add(TaskRequest.of(hash, tensors, priority, deadlineMs));
            }
            List<TaskOutcome> outcomes = hasRoute(client, hash)
                    ? client.runPipeline(hash, requests, concurrency, Duration.ofSeconds(timeoutS), o -> stdout.println(describe(o)))
                    : client.run(requests, concurrency, Duration.ofSeconds(timeoutS), o -> stdout.println(describe(o)));
            if (out != null) {
                save(outcomes);
            }
            long ok = outcomes.stream().filter(TaskOutcome::ok).count();
            List<Double> latencies = outcomes.stream().filter(TaskOutcome::ok).map(TaskOutcome::latencyMs).toList();
            ObjectNode summary = Json.object();
            summary.putObject("summary").put("tasks", count).put("ok", ok).put("failed", count - ok)
                    .put("p50_ms", Percentiles.round(Percentiles.of(latencies, 50))).put("p95_ms", Percentiles.round(Percentiles.of(latencies, 95)));
            stdout.println(json ? Json.line(summary) : String.format("%d tasks: %d ok, %d failed; p50 %.1f ms, p95 %.1f ms", count, ok, count - ok,
                    Percentiles.of(latencies, 50), Percentiles.of(latencies, 95)));
            return ok == count ? 0 : 1;
        }
    }

    /** A model with a deployed route runs slice by slice across agents; otherwise it is offloaded whole. */
    private static boolean hasRoute(EdgeSliceClient client, String modelHash) {
        try {
            client.route(modelHash, Duration.ofSeconds(10));
            return true;
        } catch (io.edgeslice.client.ClientException e) {
            if (e.code() == io.edgeslice.protocol.ErrorCode.NO_ROUTE) {
                return false;
            }
            throw e;
        }
    }

    private String describe(TaskOutcome o) {
        if (json) {
            ObjectNode n = Json.object().put("task", o.taskId().toString()).put("status", o.status().lowerName());
            if (o.agent() != null) {
                n.put("agent", o.agent());
            } else {
                n.putNull("agent");
            }
            n.put("ms", Percentiles.round(o.latencyMs()));
            if (o.ok()) {
                n.put("compute_ms", Percentiles.round(o.computeMicros() / 1000.0)); // ONNX Runtime's share, every stage's
            } else {
                n.put("code", o.code() == null ? null : o.code().name()).put("message", o.message());
            }
            return Json.line(n);
        }
        if (o.ok()) {
            StringBuilder sb = new StringBuilder(String.format("%s ok on %s in %.1f ms (compute %.1f ms):", o.taskId(), o.agent(), o.latencyMs(),
                    o.computeMicros() / 1000.0));
            o.outputs().forEach(t -> sb.append(' ').append(t.name()).append(' ').append(t.dtype().lowerName()).append(' ').append(t.shapeString()));
            return sb.toString();
        }
        return String.format("%s %s: %s %s", o.taskId(), o.status().lowerName(), o.code() == null ? "" : o.code(), o.message());
    }

    private void save(List<TaskOutcome> outcomes) throws java.io.IOException {
        for (TaskOutcome o : outcomes) {
            if (!o.ok()) {
                continue;
            }
            Path dir = count == 1 ? out : out.resolve(o.taskId().toString());
            Files.createDirectories(dir);
            for (Tensor t : o.outputs()) {
                Npy.write(dir.resolve(Inputs.fileName(t.name())), t);
            }
        }
    }
}
