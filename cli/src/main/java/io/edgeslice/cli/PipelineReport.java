package io.edgeslice.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;

/**
 * What {@code bench pipeline} measured, and the ratios derived from it, as text and as JSON.
 * Times per request are means of the middle 80 % of the requests (the medians of the two latencies,
 * and the plain means' ratio, are kept beside them).
 *
 * @param requests           requests sent one at a time
 * @param pipelined          requests sent pipelined
 * @param warmUp             requests through the pipeline before measuring
 * @param levelAll           whether the slices (and the whole model compared) run at ONNX Runtime's level all
 * @param wholeMs            the whole model in the harness, at the slices' level
 * @param wholeAllMs         the whole model in the harness at level all (as agents run whole models)
 * @param wholeAfterIdleMs   the whole model in the harness after an idle pause, as each stage starts on an idle CPU
 * @param pipelineMs         one request at a time through the pipeline, at the client
 * @param pipelineP50Ms      the median of those requests' latencies
 * @param wholeP50Ms         the median of the whole model's times
 * @param plainMeansRatio    the pipeline's plain mean latency over the whole model's
 * @param pairedRatio        the median over those requests of each one's latency over the whole model's time measured right after it
 * @param agentComputeMs     ONNX Runtime time per request, every stage's, as the agents measured it
 * @param outsideMs          per request, the rest: moving data, checksums, waking threads
 * @param stageMs            each stage's compute in its own agent
 * @param harnessStageMs     the same slices timed in the harness
 * @param rawChainMs         per request, the slices' compute in bare processes of their own, each run in turn on the previous one's
 *                           outputs ({@link RawChain})
 * @param rawStageMs         each slice's compute in its bare process
 * @param rawWholeMs         the whole model in a bare process of its own, like an agent's (and limited like one, if agents are)
 * @param rps                pipelined requests per second
 * @param steadyRps          the pipelined rate once the pipeline is full
 * @param pipelinedComputeMs ONNX Runtime time per request while the stages run side by side
 * @param stageCpuMs         CPU time of each stage's agent per run, one request at a time ({@link StageCpu}; empty if the
 *                           operating system does not say)
 * @param pipelinedStageCpuMs the same while pipelined
 * @param pipelinedBusy      the busy share of all this machine's cores while pipelined ({@link MachineCpu}; NaN if unknown)
 * @param agentCpus          each agent's (and the harness's) CPU limit in cores ({@link DeviceLimits}), NaN when not limited
 * @param hopBytes           bytes each hop carries (input, every cut, results)
 * @param rawMs              a bare JeroMQ frame of each hop's size, after an idle pause
 * @param wakeUs             waking a parked thread after an idle pause
 */
record PipelineReport(String model, int stages, int requests, int pipelined, int warmUp, String graph, List<Integer> cuts, boolean levelAll, double wholeMs, double wholeAllMs,
                      double wholeAfterIdleMs, double pipelineMs, double pipelineP50Ms, double wholeP50Ms, double plainMeansRatio, double pairedRatio,
                      double agentComputeMs, double outsideMs, List<Double> stageMs, List<Double> harnessStageMs,
                      double rawChainMs, List<Double> rawStageMs, double rawWholeMs, double rps, double steadyRps,
                      double pipelinedComputeMs, List<Double> stageCpuMs, List<Double> pipelinedStageCpuMs, double pipelinedBusy, long ok, int cores, double agentCpus, List<Integer> hopBytes, List<Double> rawMs, double wakeUs, double loadBefore,
                      double loadAfter, boolean sharedMemory, double maxAbsDiff) {

    double hopMs() {
        return outsideMs / (stages + 1);
    }

    double boundRps() {
        return 1000 / stageMs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** The rate the cores allow with the stages' times: a stage keeps a core busy while it computes, or its limit's share of one. */
    double coreBoundRps() {
        return rateAllowed(stageMs, Double.isNaN(agentCpus) ? 1 : agentCpus);
    }

    /** The rate the CPU time the stages' agents needed while pipelined allows: within the cores, and within each agent's limit if any. */
    double cpuBoundRps() {
        double rate = rateAllowed(pipelinedStageCpuMs, 1);
        if (!Double.isNaN(agentCpus)) {
            double max = pipelinedStageCpuMs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            rate = Math.min(rate, agentCpus * 1000 / max);
        }
        return rate;
    }

    /**
     * Requests per second these per-stage times per request allow: no stage faster than its own
     * time, nor all of them together faster than the cores supply it, each using
     * {@code coresPerStage} while it runs.
     */
    private double rateAllowed(List<Double> msPerStage, double coresPerStage) {
        double max = msPerStage.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double sum = msPerStage.stream().mapToDouble(Double::doubleValue).sum();
        return Math.min(1000 / max, cores * 1000 / (sum * coresPerStage));
    }

    /** Whether every stage took CPU time while pipelined (it is counted in 10 ms ticks: a tiny model's few runs may take none). */
    boolean hasCpuBound() {
        return !pipelinedStageCpuMs.isEmpty() && pipelinedStageCpuMs.stream().allMatch(ms -> ms > 0);
    }

    double rawHopsMs() {
        return rawMs.stream().mapToDouble(Double::doubleValue).sum();
    }

    void print(PrintStream out) {
        if (!Double.isNaN(agentCpus)) {
            out.printf("%neach agent (and this harness, and each bare slice process) limited to %.2f CPU: %d stages as devices of their own "
                    + "on %d cores; every time below is on such a device%n", agentCpus, stages, cores);
        }
        out.printf("%nslices of the %s graph, cut at %s, run at optimisation level %s; activations between agents travel %s; %d requests warmed the pipeline up%n",
                graph, cuts, levelAll ? "all" : "extended", sharedMemory ? "through shared memory" : "through sockets only", warmUp);
        out.printf(maxAbsDiff <= PipelineBenchCommand.TOLERANCE ? "every result equals the whole model's (max abs diff %.3g)%n"
                : "RESULTS DIFFER from the whole model's: max abs diff %.3g%n", maxAbsDiff);
        out.printf("whole model %.1f ms; pipeline %.1f ms (ratio %.3f; of the plain means %.3f; of the medians %.1f and %.1f ms: %.3f; "
                + "request by request against the whole model timed after it, median %.3f); per-hop overhead %.2f ms "
                + "(means of the middle 80 %% of the requests)%n", wholeMs, pipelineMs, pipelineMs / wholeMs, plainMeansRatio, wholeP50Ms,
                pipelineP50Ms, pipelineP50Ms / wholeP50Ms, pairedRatio, hopMs());
        out.printf("stages %s ms in their agents, %s ms in this process%n", oneDecimal(stageMs), oneDecimal(harnessStageMs));
        out.printf("in the agents: compute %.1f ms per request (%.3f of the whole model here), the rest %.1f ms over %d hops%n", agentComputeMs,
                agentComputeMs / wholeMs, outsideMs, stages + 1);
        out.printf("the slices in bare processes of their own, run in turn: %.1f ms (%.3f of the whole model here; stages %s ms); "
                + "the agents' compute is %.3f of that%n", rawChainMs, rawChainMs / wholeMs, oneDecimal(rawStageMs), agentComputeMs / rawChainMs);
        out.printf("the whole model in a bare process of its own: %.1f ms; pipeline / that %.3f%n", rawWholeMs, pipelineMs / rawWholeMs);
        out.printf("pipelined (%d requests in %d blocks): %.2f requests/s (%.2f/s once full); bound 1/max(stage) %.2f/s (%.2f of it); "
                + "%d cores allow %.2f/s (%.2f of it)%n", pipelined, PipelineBenchCommand.PIPELINED_BLOCKS, rps, steadyRps,
                boundRps(), rps / boundRps(), cores, coreBoundRps(), rps / coreBoundRps());
        out.printf("compute per request while pipelined %.1f ms, one at a time %.1f ms (%.2fx)%n", pipelinedComputeMs, agentComputeMs,
                pipelinedComputeMs / agentComputeMs);
        if (hasCpuBound()) {
            out.printf("CPU time of each stage's agent per run: %s ms one at a time, %s ms pipelined; with that CPU time %d cores%s allow "
                    + "%.2f/s (%.2f of it)%n", oneDecimal(stageCpuMs), oneDecimal(pipelinedStageCpuMs), cores,
                    Double.isNaN(agentCpus) ? "" : String.format(" and %.2f CPU per agent", agentCpus), cpuBoundRps(), rps / cpuBoundRps());
        }
        if (!Double.isNaN(pipelinedBusy)) {
            out.printf("while pipelined this machine's %d cores were %.0f %% busy%n", cores, 100 * pipelinedBusy);
        }
        out.printf("whole model as agents run whole models (optimisation level all): %.1f ms; pipeline / that %.3f%n", wholeAllMs,
                pipelineMs / wholeAllMs);
        out.printf("whole model timed after %d ms idle, as each stage starts: %.1f ms; pipeline / that %.3f%n",
                PipelineBenchCommand.IDLE_BEFORE_WHOLE_MS, wholeAfterIdleMs, pipelineMs / wholeAfterIdleMs);
        out.printf("raw JeroMQ frames of the hops' sizes %s bytes: %s ms, %.1f ms in all; our hops take %.2fx that%n", hopBytes,
                rawMs.stream().map(v -> String.format("%.2f", v)).toList(), rawHopsMs(), outsideMs / rawHopsMs());
        out.printf("waking a thread after %d ms idle: %.0f µs (median)%n", RawHops.IDLE_MS, wakeUs);
        out.printf("load average %.2f before, %.2f after%n", loadBefore, loadAfter);
    }

    ObjectNode json() {
        ObjectNode n = Json.object().put("model", model).put("stages", stages).put("requests", requests).put("pipelined", pipelined).put("warm_up", warmUp)
                .put("graph", graph).put("optimization", levelAll ? "all" : "extended").put("whole_ms", Percentiles.round(wholeMs))
                .put("pipeline_ms", Percentiles.round(pipelineMs)).put("latency_ratio", thousandths(pipelineMs / wholeMs))
                .put("whole_p50_ms", Percentiles.round(wholeP50Ms)).put("pipeline_p50_ms", Percentiles.round(pipelineP50Ms))
                .put("latency_ratio_of_means", thousandths(plainMeansRatio))
                .put("latency_ratio_of_medians", thousandths(pipelineP50Ms / wholeP50Ms)).put("paired_latency_ratio", thousandths(pairedRatio))
                .put("hop_overhead_ms", Percentiles.round(hopMs())).put("throughput_rps", Percentiles.round(rps))
                .put("bound_rps", Percentiles.round(boundRps())).put("cores", cores)
                .put("agent_cpus", Double.isNaN(agentCpus) ? null : agentCpus).put("core_bound_rps", Percentiles.round(coreBoundRps()))
                .put("throughput_of_core_bound", thousandths(rps / coreBoundRps()))
                .put("ok", ok).put("throughput_of_bound", thousandths(rps / boundRps())).put("steady_rps", Percentiles.round(steadyRps));
        n.put("agent_compute_ms", Percentiles.round(agentComputeMs)).put("compute_ratio", thousandths(agentComputeMs / wholeMs))
                .put("pipelined_compute_ms", Percentiles.round(pipelinedComputeMs));
        if (!pipelinedStageCpuMs.isEmpty()) {
            ArrayNode oneCpu = n.putArray("stage_cpu_ms");
            stageCpuMs.forEach(v -> oneCpu.add(Percentiles.round(v)));
            ArrayNode pipedCpu = n.putArray("pipelined_stage_cpu_ms");
            pipelinedStageCpuMs.forEach(v -> pipedCpu.add(Percentiles.round(v)));
        }
        if (!Double.isNaN(pipelinedBusy)) {
            n.put("pipelined_cores_busy", thousandths(pipelinedBusy));
        }
        if (hasCpuBound()) {
            n.put("cpu_bound_rps", Percentiles.round(cpuBoundRps())).put("throughput_of_cpu_bound", thousandths(rps / cpuBoundRps()));
        }
        n.put("raw_hops_ms", Percentiles.round(rawHopsMs())).put("hops_vs_raw", Math.round(outsideMs / rawHopsMs() * 100) / 100.0)
                .put("wake_up_us", Math.round(wakeUs)).put("shared_memory", sharedMemory).put("max_abs_diff", maxAbsDiff);
        // what offloading the whole model to one agent gives: agents run whole models at level all
        n.put("whole_all_ms", Percentiles.round(wholeAllMs)).put("latency_ratio_vs_all", thousandths(pipelineMs / wholeAllMs));
        // the whole model started on an idle CPU, as each stage is (latency_ratio keeps the back-to-back timing)
        n.put("whole_after_idle_ms", Percentiles.round(wholeAfterIdleMs))
                .put("latency_ratio_vs_idle_whole", thousandths(pipelineMs / wholeAfterIdleMs));
        ArrayNode cutArray = n.putArray("cuts");
        cuts.forEach(cutArray::add);
        ArrayNode stageArray = n.putArray("stage_ms");
        stageMs.forEach(v -> stageArray.add(Percentiles.round(v)));
        ArrayNode harnessArray = n.putArray("harness_stage_ms");
        harnessStageMs.forEach(v -> harnessArray.add(Percentiles.round(v)));
        // the machine's own cost of running the slices in separate processes, without EdgeSlice: what agents' compute compares with
        n.put("raw_chain_ms", Percentiles.round(rawChainMs)).put("raw_chain_ratio", thousandths(rawChainMs / wholeMs))
                .put("compute_vs_raw_chain", thousandths(agentComputeMs / rawChainMs));
        // the whole model where an agent would run it: a process of its own (with the agents' limit, if any), none of the
        // harness's threads (broker, client) beside it
        n.put("raw_whole_ms", Percentiles.round(rawWholeMs)).put("latency_ratio_vs_raw_whole", thousandths(pipelineMs / rawWholeMs));
        ArrayNode rawArray = n.putArray("raw_stage_ms");
        rawStageMs.forEach(v -> rawArray.add(Percentiles.round(v)));
        n.put("load_avg_before", loadBefore).put("load_avg_after", loadAfter);
        return n;
    }

    private static double thousandths(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static List<String> oneDecimal(List<Double> v) {
        return v.stream().map(x -> String.format("%.1f", x)).toList();
    }
}
