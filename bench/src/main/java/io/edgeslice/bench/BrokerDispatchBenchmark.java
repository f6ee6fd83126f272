package io.edgeslice.bench;

import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerConfig;
import io.edgeslice.broker.store.InMemoryMetricTable;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.protocol.FileTrees;
import io.edgeslice.protocol.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.zeromq.ZContext;

/**
 * Tiny tasks through a real in-process broker: N {@link TinyAgent}s that answer at once, clients
 * running {@link EdgeSliceClient#run}, and for comparison {@link RawEchoBaseline} over the same
 * hops. Prints the numbers and, with {@code --out FILE}, writes them as properties for the report.
 *
 * <p>Options (defaults): --tasks 50000, --warmup 5000, --agents 2, --slots 64, --clients 1,
 * --concurrency 1000 (per client), --out none.
 */
public final class BrokerDispatchBenchmark {
    private BrokerDispatchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        Map<String, String> opt = options(args);
        int tasks = Integer.parseInt(opt.getOrDefault("tasks", "50000"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "5000"));
        int agents = Integer.parseInt(opt.getOrDefault("agents", "2"));
        int slots = Integer.parseInt(opt.getOrDefault("slots", "64"));
        int clients = Integer.parseInt(opt.getOrDefault("clients", "1"));
        int concurrency = Integer.parseInt(opt.getOrDefault("concurrency", "1000"));

        Properties out = new Properties();
        out.setProperty("load_at_start", Files.readString(Path.of("/proc/loadavg")).trim());
        Path dir = Files.createTempDirectory("edgeslice-bench");
        try (Broker broker = Broker.start(BrokerConfig.onPort(0, dir.resolve("models")), new InMemoryMetricTable());
             ZContext agentContext = new ZContext()) {
            List<TinyAgent> fleet = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                fleet.add(new TinyAgent(agentContext, broker.endpoint(), "tiny-" + i, slots));
            }
            awaitHealthy(broker, agents);
            String model = upload(broker.endpoint(), dir);
            run(broker.endpoint(), model, warmup, clients, concurrency); // JIT warm-up, not reported
            Run r = run(broker.endpoint(), model, tasks, clients, concurrency);
            double raw = RawEchoBaseline.run(tasks, concurrency * clients, agents);

            out.setProperty("tasks", Integer.toString(tasks));
            out.setProperty("agents", Integer.toString(agents));
            out.setProperty("slots", Integer.toString(slots));
            out.setProperty("clients", Integer.toString(clients));
            out.setProperty("concurrency", Integer.toString(concurrency));
            out.setProperty("ok", Long.toString(r.ok));
            out.setProperty("seconds", String.format("%.3f", r.seconds));
            out.setProperty("tasks_per_s", String.format("%.0f", r.ok / r.seconds));
            out.setProperty("latency_p50_ms", String.format("%.1f", r.percentile(0.50)));
            out.setProperty("latency_p99_ms", String.format("%.1f", r.percentile(0.99)));
            out.setProperty("raw_round_trips_per_s", String.format("%.0f", raw));
            out.setProperty("ratio_to_raw", String.format("%.2f", r.ok / r.seconds / raw));
            out.setProperty("failures", r.failures);
            Thread.sleep(300); // the broker publishes its counters four times a second
            out.setProperty("broker_redispatched", Long.toString(broker.snapshot().redispatched()));
            out.setProperty("broker_rejected", Long.toString(broker.snapshot().rejected()));
            for (TinyAgent a : fleet) {
                a.close();
            }
        } finally {
            FileTrees.delete(dir);
        }
        out.setProperty("load_at_end", Files.readString(Path.of("/proc/loadavg")).trim());
        new TreeMap<>(out).forEach((k, v) -> System.out.println(k + " = " + v));
        if (opt.containsKey("out")) {
            try (OutputStream o = Files.newOutputStream(Path.of(opt.get("out")))) {
                out.store(o, "BrokerDispatchBenchmark");
            }
        }
        if (!out.getProperty("failures").isEmpty()) {
            System.exit(1);
        }
    }

    private record Run(long ok, double seconds, double[] latencies, String failures) {
        double percentile(double p) {
            return latencies.length == 0 ? Double.NaN : latencies[(int) Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
        }
    }

    /** Submits {@code tasks} tiny tasks from {@code clients} threads, each its own client; timed from first submit to last answer. */
    private static Run run(String endpoint, String model, int tasks, int clients, int concurrency) throws Exception {
        Tensor input = Tensor.ofFloats("x", new long[] {1}, new float[] {1f}); // 4 bytes
        List<List<TaskRequest>> batches = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            List<TaskRequest> batch = new ArrayList<>();
            for (int i = c; i < tasks; i += clients) {
                batch.add(TaskRequest.of(model, List.of(input), 0, 0));
            }
            batches.add(batch);
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<EdgeSliceClient> connections = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                EdgeSliceClient client = new EdgeSliceClient(endpoint);
                // one round trip before the clock starts: JeroMQ 0.6.0 leaves ~1% of new connections
                // without a handshake for 30 s (see RawEchoBaseline.HANDSHAKE_MS)
                client.agents(Duration.ofSeconds(90));
                connections.add(client);
            }
            long start = System.nanoTime();
            List<Future<List<TaskOutcome>>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                EdgeSliceClient client = connections.get(c);
                List<TaskRequest> batch = batches.get(c);
                futures.add(pool.submit(() -> client.run(batch, concurrency, Duration.ofMinutes(2), o -> { })));
            }
            List<TaskOutcome> outcomes = new ArrayList<>();
            for (Future<List<TaskOutcome>> f : futures) {
                outcomes.addAll(f.get());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] latencies = outcomes.stream().filter(TaskOutcome::ok).mapToDouble(TaskOutcome::latencyMs).sorted().toArray();
            String failures = outcomes.stream().filter(o -> !o.ok())
                    .collect(Collectors.groupingBy(o -> o.status() + " " + o.code(), TreeMap::new, Collectors.counting())).toString();
            return new Run(latencies.length, seconds, latencies, latencies.length == tasks ? "" : failures);
        } finally {
            connections.forEach(EdgeSliceClient::close);
            pool.shutdown();
        }
    }

    private static void awaitHealthy(Broker broker, int agents) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (broker.snapshot() == null || broker.snapshot().agents().stream().filter(a -> a.state().equals("healthy")).count() < agents) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("agents did not register: " + (broker.snapshot() == null ? "no snapshot" : broker.snapshot().agents()));
            }
            Thread.sleep(50);
        }
    }

    /** Any file starting with 0x08 passes the client's ONNX check; the tiny agents never load it. */
    private static String upload(String endpoint, Path dir) throws IOException {
        Path file = dir.resolve("tiny.onnx");
        Files.write(file, new byte[] {0x08, 0x07, 0x12, 0x05, 't', 'i', 'n', 'y', '!'});
        try (EdgeSliceClient client = new EdgeSliceClient(endpoint)) {
            return client.uploadModel(file, Duration.ofSeconds(30), bytes -> { });
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opt = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value pairs, got " + Arrays.toString(args));
            }
            opt.put(args[i].substring(2), args[i + 1]);
        }
        return opt;
    }

}
