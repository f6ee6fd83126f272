package io.edgeslice.bench;

import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.Wire;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Writes the Foundation section of docs/benchmarks.md from bench/results (JMH's CSV, the dispatch
 * harness's properties) and a description of this machine. Only the text between the section's
 * markers is replaced, so the sections other benchmarks own are kept.
 *
 * <p>Usage: {@code FoundationReport RESULTS_DIR DOC}.
 */
public final class FoundationReport {
    static final String BEGIN = "<!-- BEGIN foundation: written by bench/run-benchmarks, do not edit by hand -->";
    static final String END = "<!-- END foundation -->";

    /** docs/benchmarks.md as first written; later sections belong to whoever measures them. */
    private static final String TEMPLATE = """
            # EdgeSlice benchmarks

            `bench/run-benchmarks` builds `bench/target/benchmarks.jar` and rewrites the Foundation section below.

            ## Foundation

            %s
            %s

            ## Slicing

            _Reserved for the slicing benchmarks (not measured yet). `bench/run-benchmarks` never changes this section._

            ## Pipeline

            _Reserved for the pipeline benchmarks (not measured yet). `bench/run-benchmarks` never changes this section._
            """.formatted(BEGIN, END);

    private FoundationReport() {
    }

    public static void main(String[] args) throws IOException {
        Path results = Path.of(args[0]);
        Path doc = Path.of(args[1]);
        Map<String, double[]> codec = readJmhCsv(results.resolve("codec.csv"));
        Properties dispatch = new Properties();
        try (Reader r = Files.newBufferedReader(results.resolve("dispatch.properties"))) {
            dispatch.load(r);
        }
        String loadStart = Files.exists(results.resolve("load-start")) ? Files.readString(results.resolve("load-start")).trim() : "?";
        String loadEnd = dispatch.getProperty("load_at_end", Files.readString(Path.of("/proc/loadavg")).trim());
        // the time of the measurement, not of this rendering
        ZonedDateTime measured = ZonedDateTime.ofInstant(Files.getLastModifiedTime(results.resolve("dispatch.properties")).toInstant(), ZoneOffset.UTC);
        String section = BEGIN + "\n" + machine(measured, loadStart, loadEnd) + codecTable(codec) + dispatchTable(dispatch) + END;

        String text = Files.exists(doc) ? Files.readString(doc) : TEMPLATE;
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        if (b < 0 || e < b) {
            throw new IllegalStateException(doc + " lacks the markers of the Foundation section:\n" + BEGIN + "\n" + END);
        }
        Files.writeString(doc, text.substring(0, b) + section + text.substring(e + END.length()));
        System.out.println("wrote the Foundation section of " + doc);
    }

    private static String machine(ZonedDateTime measured, String loadStart, String loadEnd) throws IOException {
        String cpu = grep(Path.of("/proc/cpuinfo"), "model name", ':');
        long memKb = Long.parseLong(grep(Path.of("/proc/meminfo"), "MemTotal", ':').replaceAll("[^0-9]", ""));
        String os = grep(Path.of("/etc/os-release"), "PRETTY_NAME=", '=').replace("\"", "");
        int cores = Runtime.getRuntime().availableProcessors();
        double load = Double.parseDouble(loadStart.split(" ")[0].replace("?", "0"));
        return "Measured " + measured.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")) + " by `bench/run-benchmarks`.\n\n"
                + "| machine | |\n| --- | --- |\n"
                + "| nproc | " + cores + " |\n"
                + "| CPU | " + cpu + " |\n"
                + "| memory | " + String.format(Locale.ROOT, "%.1f GiB", memKb / 1024.0 / 1024.0) + " |\n"
                + "| Java | " + System.getProperty("java.runtime.name") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vm.name") + ") |\n"
                + "| OS | " + os + ", kernel " + System.getProperty("os.version") + ", " + System.getProperty("os.arch") + " |\n"
                + "| load average (1, 5, 15 min) | at start " + String.join(" ", List.of(loadStart.split(" ")).subList(0, 3)) + "; at end "
                + String.join(" ", List.of(loadEnd.split(" ")).subList(0, 3)) + " |\n\n"
                + (load > 0.5 * cores
                        ? "**Other work was running on this machine during the run** (the load average above counts it), so these numbers understate what an idle machine does.\n\n"
                        : "");
    }

    private static String codecTable(Map<String, double[]> codec) {
        long submit = Wire.size(Codec.encode(CodecBenchmark.submit()));
        long result = Wire.size(Codec.encode(CodecBenchmark.result()));
        Map<String, Long> bytes = new TreeMap<>(Map.of("encodeSubmit", submit, "decodeSubmit", submit, "encodeResult", result,
                "decodeResult", result, "encodeSubmitToWire", submit, "copyBaseline", (long) CodecBenchmark.ELEMENTS * 4));
        StringBuilder sb = new StringBuilder("### Codec: one 1 MiB float32 tensor (JMH `CodecBenchmark`, 1 fork, 3 × 1 s warm-up, 5 × 1 s measurement)\n\n"
                + "| benchmark | bytes per op | time per op | throughput | target ≥ 1 GB/s |\n| --- | ---: | ---: | ---: | --- |\n");
        for (String name : List.of("encodeSubmit", "decodeSubmit", "encodeResult", "decodeResult", "encodeSubmitToWire", "copyBaseline")) {
            double[] score = codec.get(name);
            if (score == null) {
                continue;
            }
            double gbPerS = bytes.get(name) / score[0]; // bytes per ns = GB (10^9 bytes) per s
            sb.append(String.format(Locale.ROOT, "| `%s` | %,d | %s | %s GB/s | %s |%n", name, bytes.get(name), nanos(score[0], score[1]),
                    gbPerS >= 100 ? String.format(Locale.ROOT, "%,.0f", gbPerS) : String.format(Locale.ROOT, "%.1f", gbPerS),
                    name.equals("copyBaseline") ? "(reference)" : gbPerS >= 1 ? "met" : "**not met**"));
        }
        return sb.append("\nThroughput is message bytes (all frames) / time per operation. Encode and decode never copy tensor data (frames are views of the ")
                .append("tensor's buffer and back), so their cost does not grow with the tensor and their GB/s only says the codec is not the bottleneck. ")
                .append("`encodeSubmitToWire` adds what a socket write does, gathering every frame into one buffer; `copyBaseline` is a plain 1 MiB copy ")
                .append("for comparison.\n\n").toString();
    }

    private static String dispatchTable(Properties p) {
        double tasks = Double.parseDouble(p.getProperty("tasks_per_s"));
        return "### Broker dispatch: tiny tasks end to end (`BrokerDispatchBenchmark`)\n\n"
                + "| measure | value |\n| --- | ---: |\n"
                + String.format(Locale.ROOT, "| tasks through the broker | **%,.0f tasks/s** (target ≥ 10,000: %s) |%n", tasks, tasks >= 10_000 ? "met" : "**not met**")
                + String.format(Locale.ROOT, "| raw JeroMQ DEALER → ROUTER → DEALER echo, same run | %,.0f round trips/s |%n",
                        Double.parseDouble(p.getProperty("raw_round_trips_per_s")))
                + "| ours vs raw socket | " + p.getProperty("ratio_to_raw") + " |\n"
                + "| task latency p50 / p99 (submit to result, " + p.getProperty("concurrency") + " in flight) | " + p.getProperty("latency_p50_ms")
                + " ms / " + p.getProperty("latency_p99_ms") + " ms |\n"
                + "| tasks, all answered OK | " + p.getProperty("ok") + " of " + p.getProperty("tasks") + " in " + p.getProperty("seconds") + " s |\n"
                + "| re-dispatched / rejected by the broker | " + p.getProperty("broker_redispatched") + " / " + p.getProperty("broker_rejected") + " |\n\n"
                + "Setup: a real `Broker` (in-memory Metric Table) on TCP loopback in one JVM with " + p.getProperty("agents") + " tiny agents ("
                + p.getProperty("slots") + " slots each: READY, a HEARTBEAT a second, a RESULT echoing the 4-byte input at once, each agent a JeroMQ "
                + "DEALER on its own thread) and " + p.getProperty("clients") + " `EdgeSliceClient` running " + p.getProperty("tasks")
                + " tasks of one 4-byte float32 tensor with `run(requests, " + p.getProperty("concurrency") + ", …)`, after a 5,000-task warm-up. "
                + "A task is 5 messages (SUBMIT, ACCEPTED, TASK, RESULT, RESULT); a raw round trip is 4 single-frame messages through a relay "
                + "ROUTER that does nothing else, with as many echo peers as agents and as many messages in flight. Every connection makes one "
                + "round trip before the clock starts, because JeroMQ 0.6.0 leaves about 1% of new connections without a handshake for 30 s "
                + "(docs/protocol.md, section 1).\n\n";
    }

    /** A time and its 99.9% error in one unit, µs from 10 µs up. */
    private static String nanos(double ns, double error) {
        boolean micros = ns >= 10_000;
        double scale = micros ? 1000 : 1;
        String unit = micros ? " µs" : " ns";
        String t = String.format(Locale.ROOT, "%,.1f", ns / scale);
        return error > 0 ? t + " ± " + String.format(Locale.ROOT, "%,.1f", error / scale) + unit : t + unit;
    }

    /** Benchmark method name → {score, error}, from JMH's {@code -rf csv} output. */
    static Map<String, double[]> readJmhCsv(Path csv) throws IOException {
        Map<String, double[]> out = new TreeMap<>();
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = new ArrayList<>();
            for (String c : line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
                cells.add(c.replace("\"", ""));
            }
            if (cells.size() < 7 || !cells.get(6).equals("ns/op")) {
                continue;
            }
            String name = cells.get(0).substring(cells.get(0).lastIndexOf('.') + 1);
            double error = cells.get(5).isEmpty() || cells.get(5).equals("NaN") ? 0 : Double.parseDouble(cells.get(5));
            out.put(name, new double[] {Double.parseDouble(cells.get(4)), error});
        }
        return out;
    }

    /** The value after {@code separator} on the first line of {@code file} starting with {@code key}. */
    private static String grep(Path file, String key, char separator) throws IOException {
        if (!Files.exists(file)) {
            return "unknown";
        }
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(key)) {
                return line.substring(line.indexOf(separator) + 1).trim();
            }
        }
        return "unknown (no " + key + " in " + file + ")";
    }
}
