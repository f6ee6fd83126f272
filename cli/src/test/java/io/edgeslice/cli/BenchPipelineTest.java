package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.edgeslice.agent.CpuQuota;
import org.junit.jupiter.api.Test;

/**
 * {@code bench pipeline} end to end, kept small (BlazeFace, two agent processes, a few requests):
 * the JSON line it ends with, every result checked against the whole model, and cuts refused
 * before any process starts. The numbers themselves belong to docs/benchmarks.md, not to a test.
 */
class BenchPipelineTest {
    private static final String MODEL = TestModels.blazefaceFront().toString();

    /** A finished {@code bench pipeline --json --keep}: its exit code, standard output (ending with the JSON line) and report. */
    private record BenchRun(int code, List<String> lines, String report) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(lines.get(lines.size() - 1));
        }

        /** The work directory the run kept, as its report names it. */
        Path work() {
            String kept = report.lines().filter(l -> l.contains("kept in ")).findFirst().orElseThrow();
            return Path.of(kept.substring(kept.indexOf("kept in ") + "kept in ".length()).trim());
        }
    }

    /** Runs {@code bench pipeline} on the model at cut 40 with {@code options}, with --json and --keep. */
    private static BenchRun bench(String... options) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(List.of("bench", "pipeline", "--model", MODEL, "--cuts", "40"));
        args.addAll(List.of(options));
        args.addAll(List.of("--json", "--keep"));
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8)); // the JSON line goes to standard output
        System.setErr(new PrintStream(report, true, StandardCharsets.UTF_8)); // and with --json the report to standard error
        try {
            int code = EdgeSliceCommand.commandLine().execute(args.toArray(String[]::new));
            return new BenchRun(code, captured.toString(StandardCharsets.UTF_8).lines().toList(), report.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    @Test
    void aRunAtGivenCutsEndsWithItsMeasurementsAndEveryResultChecked() throws Exception {
        BenchRun run = bench("--requests", "5", "--pipelined", "6", "--warm-up", "4");

        assertThat(run.code()).as("exit code; output %s", run.lines()).isZero();
        JsonNode j = run.json();
        assertThat(j.get("stages").asInt()).isEqualTo(2);
        assertThat(j.get("graph").asText()).isEqualTo("portable");
        assertThat(j.get("cuts")).hasSize(1).allSatisfy(c -> assertThat(c.asInt()).isEqualTo(40));
        assertThat(j.get("requests").asInt()).isEqualTo(5);
        assertThat(j.get("warm_up").asInt()).isEqualTo(4);
        assertThat(j.get("pipelined").asInt()).isEqualTo(6);
        assertThat(j.get("ok").asInt()).isEqualTo(6);
        assertThat(j.get("max_abs_diff").asDouble()).isLessThanOrEqualTo(PipelineBenchCommand.TOLERANCE);
        assertThat(j.get("stage_ms")).hasSize(2).allSatisfy(ms -> assertThat(ms.asDouble()).isPositive());
        double whole = j.get("whole_ms").asDouble();
        double pipeline = j.get("pipeline_ms").asDouble();
        assertThat(whole).isPositive();
        assertThat(j.get("latency_ratio_vs_idle_whole").asDouble()).isCloseTo(pipeline / j.get("whole_after_idle_ms").asDouble(),
                org.assertj.core.data.Percentage.withPercentage(2));
        // whole_ms and pipeline_ms are rounded to 0.01 ms, which for a ~1 ms model moves their ratio by ~1 %
        assertThat(j.get("latency_ratio").asDouble()).isCloseTo(pipeline / whole, org.assertj.core.data.Percentage.withPercentage(2));
        // the ratio is of the means; the medians' ratio is kept beside it
        assertThat(j.get("latency_ratio_of_medians").asDouble()).isCloseTo(j.get("pipeline_p50_ms").asDouble() / j.get("whole_p50_ms").asDouble(),
                org.assertj.core.data.Percentage.withPercentage(2));
        assertThat(j.get("bound_rps").asDouble()).isCloseTo(1000 / Math.max(j.get("stage_ms").get(0).asDouble(),
                j.get("stage_ms").get(1).asDouble()), org.assertj.core.data.Percentage.withPercentage(1)); // stage_ms are rounded
        assertThat(j.get("shared_memory").asBoolean()).isTrue();
        if (j.get("cores").asInt() >= 2) { // two stages, a core each: auto limits nothing
            assertThat(j.get("agent_cpus").isNull()).isTrue();
        }
        // each stage's agent's CPU time per run, one at a time and pipelined, and the rate that CPU time allows the cores
        assertThat(j.get("stage_cpu_ms")).hasSize(2).allSatisfy(ms -> assertThat(ms.asDouble()).isNotNegative());
        assertThat(j.get("pipelined_cores_busy").asDouble()).isPositive().isLessThanOrEqualTo(1); // this machine has /proc/stat
        JsonNode cpu = j.get("pipelined_stage_cpu_ms");
        assertThat(cpu).hasSize(2).allSatisfy(ms -> assertThat(ms.asDouble()).isNotNegative());
        if (cpu.get(0).asDouble() > 0 && cpu.get(1).asDouble() > 0) { // CPU time comes in 10 ms ticks; a tiny model's few runs may take none
            double cpuBound = Math.min(1000 / Math.max(cpu.get(0).asDouble(), cpu.get(1).asDouble()),
                    j.get("cores").asInt() * 1000 / (cpu.get(0).asDouble() + cpu.get(1).asDouble()));
            assertThat(j.get("cpu_bound_rps").asDouble()).isCloseTo(cpuBound, org.assertj.core.data.Percentage.withPercentage(2));
        } else {
            assertThat(j.has("cpu_bound_rps")).isFalse();
        }
        // the same slices in bare processes of their own: a time per slice, and the agents' compute against their sum
        assertThat(j.get("raw_stage_ms")).hasSize(2).allSatisfy(ms -> assertThat(ms.asDouble()).isPositive());
        // and the whole model in a bare process of its own, what the pipeline's latency also compares with
        double rawWhole = j.get("raw_whole_ms").asDouble();
        assertThat(rawWhole).isPositive();
        assertThat(j.get("latency_ratio_vs_raw_whole").asDouble()).isCloseTo(pipeline / rawWhole, org.assertj.core.data.Percentage.withPercentage(2));
        double raw = j.get("raw_chain_ms").asDouble();
        assertThat(raw).isPositive();
        assertThat(j.get("compute_vs_raw_chain").asDouble()).isCloseTo(j.get("agent_compute_ms").asDouble() / raw,
                org.assertj.core.data.Percentage.withPercentage(2));

        // --keep leaves the work directory, with each one-at-a-time request beside the whole model timed after it
        Path work = run.work();
        try {
            List<String> series = Files.readAllLines(work.resolve("requests.csv"));
            assertThat(series.get(0)).isEqualTo("request,ok,latency_ms,agent_compute_ms,whole_ms,raw_chain_ms");
            assertThat(series).hasSize(6);
            // of 5 latencies, the middle 80 % leave out none (each end rounds down to 0 requests)
            double meanLatency = series.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[2])).average().orElseThrow();
            assertThat(pipeline).isCloseTo(meanLatency, org.assertj.core.data.Offset.offset(0.01));
            List<Double> ratios = series.stream().skip(1).map(l -> l.split(","))
                    .map(f -> Double.parseDouble(f[2]) / Double.parseDouble(f[4])).sorted().toList();
            // the file's times are rounded to 1 µs, which for a ~1 ms model moves a ratio by ~0.1 %
            assertThat(j.get("paired_latency_ratio").asDouble()).isCloseTo(ratios.get(2), org.assertj.core.data.Percentage.withPercentage(0.5));
        } finally {
            io.edgeslice.protocol.FileTrees.delete(work);
        }
    }

    @Test
    void withAgentCpusEachAgentAndTheHarnessRunAsDevicesOfTheirOwnAndTheLimitsAreLiftedAfter() throws Exception {
        assumeTrue(CpuQuota.unavailable().isEmpty(), () -> "no CPU limits here: " + CpuQuota.unavailable().orElse(""));
        BenchRun run = bench("--requests", "5", "--pipelined", "4", "--warm-up", "4", "--agent-cpus", "0.5");

        assertThat(run.code()).as("exit code; output %s", run.lines()).isZero();
        JsonNode j = run.json();
        assertThat(j.get("agent_cpus").asDouble()).isEqualTo(0.5);
        assertThat(j.get("ok").asInt()).isEqualTo(4);
        assertThat(run.report()).contains("each process computing limited to 0.50 CPU (--agent-cpus 0.5");
        // with a limit, a stage holds half a core while it computes: the cores allow twice what they would unlimited
        double s1 = j.get("stage_ms").get(0).asDouble();
        double s2 = j.get("stage_ms").get(1).asDouble();
        assertThat(j.get("core_bound_rps").asDouble()).isCloseTo(Math.min(1000 / Math.max(s1, s2), j.get("cores").asInt() * 1000 / ((s1 + s2) * 0.5)),
                org.assertj.core.data.Percentage.withPercentage(1));
        // the harness left its group once done; each agent put itself in one (its log says so) and is gone with it
        assertThat(Files.readString(Path.of("/proc/self/cgroup"))).doesNotContain("/edgeslice/");
        Path work = run.work();
        try {
            for (String agent : List.of("s1", "s2")) {
                assertThat(Files.readString(work.resolve(agent + ".log"))).contains("limited to 0.50 CPU");
            }
        } finally {
            io.edgeslice.protocol.FileTrees.delete(work);
        }
    }

    @Test
    void autoLimitsTheProcessesOnlyWhereTheStagesOutnumberTheCores() throws Exception {
        try (DeviceLimits enough = DeviceLimits.of("auto", 2, 2)) {
            assertThat(enough.cpus()).isEmpty();
            assertThat(enough.agentArgs()).isEmpty();
            assertThat(enough.describe()).contains("off: 2 cores for 2 stages");
        }
        try (DeviceLimits off = DeviceLimits.of("off", 3, 2)) {
            assertThat(off.cpus()).isEmpty();
        }
        try (DeviceLimits few = DeviceLimits.of("auto", 3, 2)) {
            if (CpuQuota.unavailable().isEmpty()) {
                assertThat(few.cpus()).contains(0.6); // 90 % of 2 cores over 3 stages
                assertThat(few.agentArgs()).containsExactly("--cpus", "0.6");
            } else { // no limits here: the run shares the cores, and says why 1/max(stage) is out of reach
                assertThat(few.cpus()).isEmpty();
                assertThat(few.describe()).contains("3 stages share 2 cores, but no CPU limit can be set here");
            }
        }
    }

    @Test
    void anAgentCpusOptionThatIsNotALimitIsRefusedBeforeAnyProcessStarts() {
        for (String[] bad : List.of(new String[] {"lots", "--agent-cpus must be auto, off or a number of cores, got 'lots'"},
                new String[] {"0.05", "--agent-cpus must be at least 0.1 cores, got 0.05"},
                new String[] {"NaN", "--agent-cpus must be at least 0.1 cores, got NaN"})) {
            StringWriter err = new StringWriter();
            picocli.CommandLine cl = EdgeSliceCommand.commandLine();
            cl.setErr(new PrintWriter(err, true));

            int code = cl.execute("bench", "pipeline", "--model", MODEL, "--cuts", "40", "--requests", "5", "--agent-cpus", bad[0]);

            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).contains(bad[1]);
        }
    }

    @Test
    void anAgentCpuLimitBelowATenthOfACoreIsRefused() {
        for (String bad : List.of("0.05", "0", "-2", "NaN")) {
            StringWriter err = new StringWriter();
            picocli.CommandLine cl = EdgeSliceCommand.commandLine();
            cl.setErr(new PrintWriter(err, true));

            int code = cl.execute("agent", "--broker", "tcp://127.0.0.1:1", "--cpus", bad);

            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).contains("--cpus must be at least 0.1 cores, got ");
        }
    }

    @Test
    void aTrimmedMeanSetsAsideTheEndsOfTheSortedValues() {
        List<Double> v = List.of(9.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 1000.0);
        assertThat(Percentiles.trimmedMean(v, 0.1)).isEqualTo(5.5); // 1 and 1000 set aside
        assertThat(Percentiles.trimmedMean(v, 0.0)).isEqualTo(104.5);
        assertThat(Percentiles.trimmedMean(List.of(3.0, 1.0, 2.0, 100.0, 4.0), 0.1)).isEqualTo(22.0); // 0.5 rounds down to none
        assertThat(Percentiles.trimmedMean(List.of(), 0.1)).isZero();
    }

    @Test
    void requestsAreSplitIntoNearEqualBlocks() {
        assertThat(PipelineBenchCommand.split(120, 5)).containsExactly(24, 24, 24, 24, 24);
        assertThat(PipelineBenchCommand.split(5, 4)).containsExactly(2, 1, 1, 1);
        assertThat(PipelineBenchCommand.split(61, 4)).containsExactly(16, 15, 15, 15);
    }

    @Test
    void cutsThatCannotBeUsedAreRefusedBeforeAnyProcessStarts() {
        for (String[] bad : List.of(new String[] {"50,40", "portable", "strictly increasing, but 40 follows 50", "1"},
                new String[] {"0", "portable", "cut position 0 is out of range", "1"},
                new String[] {"40", "optimized", "--cuts names positions of the model's own graph", "2"})) { // 2: a usage error
            StringWriter err = new StringWriter();
            picocli.CommandLine cl = EdgeSliceCommand.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute("bench", "pipeline", "--model", MODEL, "--cuts", bad[0], "--graph", bad[1], "--requests", "5");

            assertThat(code).isEqualTo(Integer.parseInt(bad[3]));
            assertThat(err.toString()).contains(bad[2]);
        }
    }

    @Test
    void fewerPipelinedRequestsThanBlocksAreRefusedBeforeAnyProcessStarts() {
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = EdgeSliceCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));

        int code = cl.execute("bench", "pipeline", "--model", MODEL, "--cuts", "40", "--requests", "5", "--pipelined", "3");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--pipelined must be at least 4 (one per block), got 3");
    }
}
