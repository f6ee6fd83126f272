package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.broker.Broker;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Random inputs sent through a model's deployed routes, each result checked against the whole model
 * run here at the level the route's slices run at.
 */
record RouteRun(List<TaskOutcome> outcomes, double maxAbsDiff) {
    /** Sends n requests at the given concurrency; every outcome must be OK. */
    static RouteRun of(Broker broker, EdgeSliceClient client, Path model, int n, int concurrency) {
        try {
            String hash = Hashing.sha256(model);
            return of(client, model, hash, LocalModel.levelOf(broker, client.route(hash, Duration.ofSeconds(10))), n, concurrency);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static RouteRun of(EdgeSliceClient client, Path model, String hash, ai.onnxruntime.OrtSession.SessionOptions.OptLevel level, int n,
                               int concurrency) {
        try (LocalModel local = new LocalModel(model, level)) {
            List<TaskRequest> requests = new ArrayList<>();
            Map<UUID, List<Tensor>> expected = new HashMap<>();
            for (int i = 0; i < n; i++) {
                Tensor in = local.randomInput(i);
                TaskRequest r = TaskRequest.of(hash, List.of(in), 5, 0);
                requests.add(r);
                expected.put(r.id(), local.run(in));
            }
            double worst = 0;
            List<TaskOutcome> outcomes = client.runPipeline(hash, requests, concurrency, Duration.ofMinutes(2), x -> { });
            for (TaskOutcome o : outcomes) {
                assertThat(o.status()).as(o.message()).isEqualTo(TaskOutcome.Status.OK);
                worst = Math.max(worst, TestModels.maxAbsDiff(expected.get(o.taskId()), o.outputs()));
            }
            return new RouteRun(outcomes, worst);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** As {@link #of(Broker, EdgeSliceClient, Path, int, int)} with a client of its own. */
    static RouteRun of(Broker broker, Path model, int n, int concurrency) {
        try (EdgeSliceClient client = new EdgeSliceClient(broker.endpoint())) {
            return of(broker, client, model, n, concurrency);
        }
    }
}
