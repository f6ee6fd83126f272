package io.edgeslice.cli;

import ai.onnxruntime.OrtSession;
import io.edgeslice.agent.InferenceEngine;
import io.edgeslice.agent.InferenceException;
import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerConfig;
import io.edgeslice.broker.store.InMemoryMetricTable;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.protocol.BufferPool;
import io.edgeslice.protocol.FileTrees;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.SharedMemory;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cuts;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.OnnxModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Whole model against the same model sliced across agent processes on loopback: latency of one
 * request at a time, per-hop overhead, and pipelined throughput against the bound set by the
 * slowest stage. Everything runs with the agents' settings (1 intra-op thread, the slices' level).
 * The whole model and each slice are timed in this process between the one-at-a-time pipeline
 * requests (while no request is in flight), so a machine whose load drifts during the run (other
 * builds) weighs on both sides of the ratios alike; so are the same slices in bare processes of
 * their own ({@link RawChain}), what the agents' compute is compared with. The per-hop overhead is
 * what each request spent outside ONNX Runtime, as the agents measured their runs, over the hops.
 * Where the stages outnumber the cores, every process that computes runs as a device of its own,
 * under a CPU limit ({@link DeviceLimits}), since the bound assumes a device per stage.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Whole-model vs pipeline latency, per-hop overhead and pipelined throughput on loopback.")
final class PipelineBenchCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "The ONNX model (single float32 input).")
    Path model;

    @Option(names = "--stages", defaultValue = "3", description = "Slices, one agent process each (default: ${DEFAULT-VALUE}).")
    int stages;

    @Option(names = "--cuts", paramLabel = "P,P,...", split = ",",
            description = "Cut at these node positions (see analyze) instead of where deploy --stages balances the compute; "
                    + "slice i runs on agent s<i>, and there are as many stages as slices.")
    int[] cuts;

    @Option(names = "--requests", defaultValue = "120", description = "Requests sent one at a time, in " + (PIPELINED_BLOCKS + 1) + " blocks around the pipelined "
            + "ones (default: ${DEFAULT-VALUE}: on a small VM one request's time varies by ~10 %%).")
    int requests;

    @Option(names = "--pipelined", paramLabel = "N", description = "Requests sent pipelined, in " + PIPELINED_BLOCKS + " blocks between blocks of "
            + "one-at-a-time requests (default: twice --requests; each block fills and drains the pipeline once, which a block of 30 "
            + "requests here pays with ~5 %% of its rate, one of 60 with half that).")
    Integer pipelined;

    @Option(names = "--in-flight", paramLabel = "N", description = "Requests in flight when pipelined (default: twice the stages).")
    Integer inFlight;

    @Option(names = "--warm-up", defaultValue = "200", paramLabel = "N",
            description = "Requests through the pipeline (two per stage in flight) before anything is measured: by then the agents' and this "
                    + "client's message paths are compiled by the JIT, as in a service that has been running; with few the hops measure "
                    + "the interpreter (default: ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--shared-memory", defaultValue = "/dev/shm", paramLabel = "DIR|off",
            description = "Activations between the agents, and inputs to the first, travel through shared memory in DIR, or with 'off' "
                    + "through sockets (default: ${DEFAULT-VALUE}).")
    String sharedMemory;

    @Option(names = "--graph", defaultValue = "auto", paramLabel = "auto|optimized|portable", description = "With --stages: the graph deploy "
            + "cuts (see deploy --graph; the agents here share this machine's target, so auto is optimized) (default: ${DEFAULT-VALUE}).")
    String graph;

    @Option(names = "--agent-cpus", defaultValue = "auto", paramLabel = "auto|off|CORES",
            description = "Limit each agent, and the harness timing the whole model and each bare slice process, to CORES cores' worth of "
                    + "CPU (a cgroup quota; needs root): each stage on a device of its own, which the bound 1/max(stage) assumes. auto does "
                    + "so where the cores are fewer than the stages, each getting " + (int) (DeviceLimits.SHARE_OF_CORES * 100)
                    + " %% of the cores over the stages (default: ${DEFAULT-VALUE}).")
    String agentCpus;

    @Option(names = "--keep", description = "Keep the work directory (the agents' logs, and requests.csv: each one-at-a-time request beside "
            + "the whole model and the bare processes timed right after it) after a run whose requests all succeed; it is always kept "
            + "after one that fails.")
    boolean keep;

    @Option(names = "--json", description = "End with a JSON line.")
    boolean json;

    /** Largest difference a result may have from the whole model's (the slices run at the whole model's level). */
    static final double TOLERANCE = 1e-5;

    /** Unmeasured runs before measuring, locally and through the pipeline alike. */
    private static final int WARM_UP = 3;

    @Override
    public Integer call() throws Exception {
        String placement = null;
        if (cuts != null) { // checked before any process starts: a bad cut is the user's to fix, not a failed run
            if (graph.equals("optimized")) {
                throw new IllegalArgumentException("--cuts names positions of the model's own graph; --graph optimized goes with --stages");
            }
            stages = cuts.length + 1;
            Analysis a = Analysis.of(OnnxModel.load(model), InputShapes.none());
            placement = placement(a, Cuts.check(a, cuts));
        }
        if (stages < 1 || requests < 5 || warmUp < 0) {
            throw new IllegalArgumentException("--stages must be at least 1, --requests at least 5 and --warm-up at least 0");
        }
        inFlight = inFlight == null ? 2 * stages : inFlight;
        if (inFlight < 1) {
            throw new IllegalArgumentException("--in-flight must be at least 1, got " + inFlight);
        }
        pipelined = pipelined == null ? 2 * requests : pipelined;
        if (pipelined < PIPELINED_BLOCKS) {
            throw new IllegalArgumentException("--pipelined must be at least " + PIPELINED_BLOCKS + " (one per block), got " + pipelined);
        }
        PrintStream out = json ? System.err : System.out;
        int cores = Runtime.getRuntime().availableProcessors();
        DeviceLimits limits = DeviceLimits.of(agentCpus, stages, cores);
        Path work = Files.createTempDirectory("edgeslice-bench-");
        boolean succeeded = false;
        if (!sharedMemory.equals("off")) {
            SharedMemory.enable(Path.of(sharedMemory)); // inputs reach the first stage by reference, as between the agents
        }
        String hash = Hashing.sha256(model);
        List<EdgeSliceProcess> agents = new ArrayList<>();
        try (Broker broker = Broker.start(BrokerConfig.onPort(0, work.resolve("models")), new InMemoryMetricTable());
             EdgeSliceClient client = new EdgeSliceClient(broker.endpoint())) {
            out.println(limits.describe());
            limits.limit("bench", ProcessHandle.current().pid()); // the harness times the whole model, on a device like each stage's
            for (int i = 1; i <= stages; i++) {
                List<String> extra = new ArrayList<>(List.of("--threads", "1", "--shared-memory", sharedMemory));
                extra.addAll(limits.agentArgs());
                agents.add(EdgeSliceProcess.agent(broker.endpoint(), "s" + i, Files.createDirectories(work.resolve("s" + i)),
                        work.resolve("s" + i + ".log"), extra.toArray(String[]::new)));
            }
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (broker.snapshot().agents().stream().filter(a -> a.state().equals("healthy")).count() < stages && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            out.printf("deploying %s in %d stages on %d agents...%n", model.getFileName(), stages, stages);
            picocli.CommandLine deploy = EdgeSliceCommand.commandLine();
            deploy.setOut(new java.io.PrintWriter(out, true)); // with --json, stdout carries only the result line
            List<String> args = new ArrayList<>(List.of("deploy", "--broker", broker.endpoint(), "--model", model.toString()));
            args.addAll(placement == null ? List.of("--stages", String.valueOf(stages), "--graph", graph, "--threads", "1") : List.of("--placement", placement));
            if (deploy.execute(args.toArray(String[]::new)) != 0) {
                throw new IllegalStateException("deploy failed");
            }
            Message.Route route = client.route(hash, Duration.ofSeconds(10));
            // slices cut where the chain is exact at level all run there (as the agents do), others at extended;
            // the whole model is timed at the slices' level and, if that is not all, at all too (as agents run whole models)
            OrtSession.SessionOptions.OptLevel level = LocalModel.levelOf(broker, route);
            boolean levelAll = level == OrtSession.SessionOptions.OptLevel.ALL_OPT;
            try (LocalModel whole = new LocalModel(model, level, 1);
                 LocalModel wholeAll = levelAll ? null : new LocalModel(model, OrtSession.SessionOptions.OptLevel.ALL_OPT, 1);
                 InferenceEngine sliceEngine = new InferenceEngine(1, InferenceEngine.DEFAULT_MAX_SESSIONS, level)) {
                Tensor input = whole.randomInput(1);
                List<Tensor> expected = whole.run(input); // every result is checked against it: a fast wrong answer is no result
                double loadBefore = loadAverage();

                Timings timings = new Timings(broker, route, whole, wholeAll, sliceEngine, input);
                timings.warmUp();
                List<List<Long>> tailMicros = new ArrayList<>();
                for (int s = 0; s < stages; s++) {
                    tailMicros.add(new ArrayList<>());
                }
                List<TaskOutcome> one = new ArrayList<>();
                List<TaskOutcome> piped = new ArrayList<>();
                List<List<Long>> rawMicros = new ArrayList<>();
                List<Double> rawWholeMs = new ArrayList<>();
                double seconds = 0;
                StageCpu oneCpu = StageCpu.of(route, agents);
                StageCpu pipedCpu = StageCpu.of(route, agents);
                MachineCpu pipedMachine = new MachineCpu();
                int steadyCompletions = 0;
                double steadySeconds = 0;
                try (TailRuns tails = new TailRuns(route);
                     RawChain raw = RawChain.start(timings.slices, timings.keys, timings.stageInputs, level, sharedMemory, work, limits);
                     RawChain rawWhole = RawChain.whole(model, hash, timings.stageInputs.get(0), level, sharedMemory, work, limits)) {
                    // first runs load sessions and learn output shapes; then, pipelined to be quick, the JIT compiles the message paths
                    client.runPipeline(hash, requestsOf(hash, input, WARM_UP), 1, Duration.ofMinutes(5), o -> { });
                    out.printf("warming up with %d requests...%n", warmUp);
                    client.runPipeline(hash, requestsOf(hash, input, warmUp), inFlight, Duration.ofMinutes(10), o -> { });
                    Consumer<TaskOutcome> timeStages = o -> {
                        timings.timeOnce();
                        tailMicros.get(0).add(o.computeMicros());
                        for (int s = 1; s < stages; s++) { // the route from stage s on: with the full run, each stage's compute in its agent
                            tailMicros.get(s).add(tails.computeMicros(s, timings.stageInputs.get(s)));
                        }
                        rawMicros.add(raw.runOnce()); // the same slices in bare processes of their own, woken in turn
                        rawWholeMs.add(rawWhole.runOnce().get(0) / 1000.0); // and the whole model in one
                    };
                    // one at a time and pipelined in turn, a block of each at a time: the stage times that set the bound (and the
                    // latencies) are measured over the same stretches of this VM's drifting speed as the pipelined rate; in one
                    // block each, a slower phase of a few seconds fell on one side only (once 30 % of the pipelined rate)
                    List<Integer> oneBlocks = split(requests, PIPELINED_BLOCKS + 1);
                    List<Integer> pipedBlocks = split(pipelined, PIPELINED_BLOCKS);
                    for (int b = 0; b <= PIPELINED_BLOCKS; b++) {
                        oneCpu.begin();
                        one.addAll(client.runPipeline(hash, requestsOf(hash, input, oneBlocks.get(b)), 1, Duration.ofMinutes(10), timeStages));
                        oneCpu.end();
                        if (b == PIPELINED_BLOCKS) {
                            break;
                        }
                        List<Long> done = new ArrayList<>();
                        pipedCpu.begin();
                        pipedMachine.begin();
                        long t0 = System.nanoTime();
                        piped.addAll(client.runPipeline(hash, requestsOf(hash, input, pipedBlocks.get(b)), inFlight, Duration.ofMinutes(10),
                                o -> done.add(System.nanoTime())));
                        seconds += (System.nanoTime() - t0) / 1e9;
                        pipedCpu.end();
                        pipedMachine.end();
                        if (done.size() >= 2) { // the rate once the pipeline is full: completions after the first, over the time since the first
                            steadyCompletions += done.size() - 1;
                            steadySeconds += (done.get(done.size() - 1) - done.get(0)) / 1e9;
                        }
                    }
                }
                // Means of the middle 80 %, not medians: each run's time on this VM falls in one of two speed modes ~20 % apart,
                // and a median jumps between them with a few runs either way (one run: ratio of medians 1.120, of means 1.092);
                // a stage's mean run time is also what bounds its throughput, and means of the tails subtract into stage times.
                // Trimmed, because now and then the host slows everything for a few seconds, the hops most (one run: a stretch of
                // ~20 requests of 120 took 300-430 ms; plain means 1.108, the middle 80 % 1.096).
                List<Double> latencies = latencies(one);
                double pipelineMs = middleMean(latencies);
                // each one-at-a-time request against the whole model timed right after it: on a machine whose speed drifts,
                // a pair shares the machine's state, while two medians of separate series may fall in different speed phases
                List<Double> pairedRatios = new ArrayList<>();
                for (int i = 0; i < one.size(); i++) {
                    if (one.get(i).ok()) {
                        pairedRatios.add(one.get(i).latencyMs() / timings.whole.get(i));
                    }
                }
                List<Double> rawChainPerRequest = rawMicros.stream().map(r -> r.stream().mapToLong(Long::longValue).sum() / 1000.0).toList();
                writeSeries(work.resolve("requests.csv"), one, timings.whole, rawChainPerRequest);
                // per request, as the agents measured it: ONNX Runtime time of every stage, and the rest (moving data, waking threads)
                double agentComputeMs = middleMean(one.stream().filter(TaskOutcome::ok).map(o -> o.computeMicros() / 1000.0).toList());
                double outsideMs = middleMean(one.stream().filter(TaskOutcome::ok).map(o -> o.latencyMs() - o.computeMicros() / 1000.0).toList());
                double wholeMs = middleMean(timings.whole); // at the slices' level
                double wholeAllMs = levelAll ? wholeMs : middleMean(timings.wholeAll);
                double wholeAfterIdleMs = middleMean(timings.wholeAfterIdle);
                List<Double> harnessStageMs = timings.stageMeans();
                List<Double> stageMs = agentStageMs(tailMicros);
                double rawChainMs = middleMean(rawChainPerRequest);
                double rawWholeMeanMs = middleMean(rawWholeMs);
                List<Double> rawStageMs = new ArrayList<>();
                for (int s = 0; s < stages; s++) {
                    int stage = s;
                    rawStageMs.add(middleMean(rawMicros.stream().map(r -> r.get(stage) / 1000.0).toList()));
                }
                double steadyRps = steadySeconds == 0 ? 0 : steadyCompletions / steadySeconds;
                // the stages' compute per request while they run side by side: sharing cores and memory slows each
                double pipelinedComputeMs = middleMean(piped.stream().filter(TaskOutcome::ok).map(o -> o.computeMicros() / 1000.0).toList());
                long ok = piped.stream().filter(TaskOutcome::ok).count();
                // CPU time, unlike the wall time above, leaves out waiting for a core: it grows only if the hardware runs each slower
                long[] oneRuns = new long[stages];
                long[] pipedRuns = new long[stages];
                for (int s = 0; s < stages; s++) {
                    oneRuns[s] = (long) one.size() * (s + 1); // the full route, and each tail from stage 1 to s
                    pipedRuns[s] = piped.size();
                }
                List<Double> stageCpuMs = oneCpu.msPerRun(oneRuns).orElse(List.of());
                List<Double> pipedStageCpuMs = pipedCpu.msPerRun(pipedRuns).orElse(List.of());
                double maxAbsDiff = java.util.stream.Stream.concat(one.stream(), piped.stream()).filter(TaskOutcome::ok)
                        .mapToDouble(o -> OutputDiff.maxAbsDiff(expected, o.outputs())).max().orElse(0);
                // ours against the raw socket: the same bytes per hop, one frame each, after the same kind of idle pause
                List<Integer> hopBytes = timings.hopBytes();
                PipelineReport report = new PipelineReport(model.getFileName().toString(), stages, requests, pipelined, warmUp,
                        route.ortTarget().isEmpty() ? "portable" : "optimized",
                        route.stages().stream().skip(1).map(Message.Stage::start).toList(), levelAll, wholeMs, wholeAllMs,
                        wholeAfterIdleMs, pipelineMs, median(latencies), median(timings.whole),
                        plainMean(latencies) / plainMean(timings.whole), median(pairedRatios), agentComputeMs, outsideMs,
                        stageMs, harnessStageMs, rawChainMs, rawStageMs, rawWholeMeanMs, ok / seconds,
                        steadyRps, pipelinedComputeMs, stageCpuMs, pipedStageCpuMs, pipedMachine.busyShare().orElse(Double.NaN), ok,
                        cores, limits.cpus().orElse(Double.NaN), hopBytes, RawHops.medianMs(hopBytes), RawHops.wakeUpMicros(), loadBefore,
                        loadAverage(), !sharedMemory.equals("off"), maxAbsDiff);
                report.print(out);
                if (json) {
                    System.out.println(Json.line(report.json()));
                }
                succeeded = ok == pipelined && one.stream().allMatch(TaskOutcome::ok) && maxAbsDiff <= TOLERANCE;
                return succeeded ? 0 : 1;
            }
        } finally {
            for (EdgeSliceProcess p : agents) {
                p.close();
            }
            limits.close();
            if (succeeded && !keep) {
                FileTrees.delete(work); // the broker's copy of the model and the agents' caches and logs
            } else {
                out.println("the broker's models, the agents' logs and requests.csv are kept in " + work);
            }
        }
    }

    /** {@code n} split into {@code parts} near-equal counts, the larger first. */
    static List<Integer> split(int n, int parts) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            out.add(n / parts + (i < n % parts ? 1 : 0));
        }
        return out;
    }

    /** The one-at-a-time requests in order, each beside the whole model and the bare processes timed right after it. */
    private static void writeSeries(Path file, List<TaskOutcome> one, List<Double> whole, List<Double> rawChain) throws IOException {
        List<String> lines = new ArrayList<>(List.of("request,ok,latency_ms,agent_compute_ms,whole_ms,raw_chain_ms"));
        for (int i = 0; i < one.size(); i++) {
            TaskOutcome o = one.get(i);
            lines.add(String.format(java.util.Locale.ROOT, "%d,%b,%.3f,%.3f,%.3f,%.3f", i, o.ok(), o.latencyMs(), o.computeMicros() / 1000.0,
                    whole.get(i), rawChain.get(i)));
        }
        Files.write(file, lines);
    }

    /** deploy's --placement for checked cuts: slice i on agent s(i+1). */
    private static String placement(Analysis a, int[] cuts) {
        int nodes = a.nodeCount();
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int end = i < cuts.length ? cuts[i] : nodes;
            out.add(start + "-" + end + "@s" + (i + 1));
            start = end;
        }
        return String.join(",", out);
    }

    /** Each stage's compute in its agent, from the means of the tails' compute (tail s runs stages s..last). */
    private static List<Double> agentStageMs(List<List<Long>> tailMicros) {
        List<Double> tail = tailMicros.stream().map(t -> middleMean(t.stream().map(v -> v / 1000.0).toList())).toList();
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < tail.size(); s++) {
            out.add(s + 1 < tail.size() ? tail.get(s) - tail.get(s + 1) : tail.get(s));
        }
        return out;
    }

    private static List<TaskRequest> requestsOf(String hash, Tensor input, int n) {
        List<TaskRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TaskRequest.of(hash, List.of(input), 5, 0));
        }
        return out;
    }

    /** Pipelined blocks, each between two blocks of one-at-a-time requests. */
    static final int PIPELINED_BLOCKS = 4;

    /** Idle time before the whole model's second timing: about what a stage idles between its runs here. */
    static final long IDLE_BEFORE_WHOLE_MS = 150;

    /**
     * The whole model and each slice (fed with the previous slice's real outputs) run in this
     * process with the agents' settings, one at a time: in isolation, as the agents sit idle
     * between two one-at-a-time pipeline requests.
     */
    private static final class Timings {
        final LocalModel model;
        /** The whole model at level all when {@link #model} runs at another level, else null. */
        final LocalModel modelAll;
        final InferenceEngine engine;
        final Tensor input;
        final List<Path> slices = new ArrayList<>();
        final List<String> keys = new ArrayList<>();
        final List<List<Tensor>> stageInputs = new ArrayList<>();
        final List<Double> whole = new ArrayList<>();
        final List<Double> wholeAll = new ArrayList<>();
        final List<Double> wholeAfterIdle = new ArrayList<>();
        final List<List<Double>> stages = new ArrayList<>();

        Timings(Broker broker, Message.Route route, LocalModel model, LocalModel modelAll, InferenceEngine engine, Tensor input) {
            this.model = model;
            this.modelAll = modelAll;
            this.engine = engine;
            this.input = input;
            for (Message.Stage st : route.stages()) {
                slices.add(broker.modelFile(st.sliceHash()));
                keys.add(st.sliceHash());
                stages.add(new ArrayList<>());
            }
        }

        /** Loads the sessions and records each slice's real input; as many unmeasured runs as the agents get. */
        void warmUp() throws InferenceException {
            for (int i = 0; i < WARM_UP; i++) {
                model.run(input);
                if (modelAll != null) {
                    modelAll.run(input);
                }
                stageInputs.clear();
                List<Tensor> current = List.of(input.withName(model.inputName()));
                for (int s = 0; s < slices.size(); s++) {
                    stageInputs.add(current);
                    current = engine.run(slices.get(s), keys.get(s), current);
                }
            }
        }

        /** One timed run of the whole model and of every slice. */
        void timeOnce() {
            try {
                long t = System.nanoTime();
                model.run(input);
                whole.add((System.nanoTime() - t) / 1e6);
                if (modelAll != null) {
                    t = System.nanoTime();
                    modelAll.run(input);
                    wholeAll.add((System.nanoTime() - t) / 1e6);
                }
                for (int s = 0; s < slices.size(); s++) {
                    t = System.nanoTime();
                    List<Tensor> out = engine.run(slices.get(s), keys.get(s), stageInputs.get(s));
                    stages.get(s).add((System.nanoTime() - t) / 1e6);
                    // outputs go back to the pool, as an agent's do once the next stage acknowledges them
                    BufferPool.SHARED.release(out);
                }
                // the runs above start on a CPU that was just computing; each stage starts on one that has been idle,
                // which on some machines (this VM at times) runs slower at first: the whole model once more, after idling
                Thread.sleep(IDLE_BEFORE_WHOLE_MS);
                t = System.nanoTime();
                model.run(input);
                wholeAfterIdle.add((System.nanoTime() - t) / 1e6);
            } catch (InferenceException e) {
                throw new IllegalStateException("a local run failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while timing the whole model", e);
            }
        }

        /** Bytes each hop carries: the input to every stage, then the results to the client. */
        List<Integer> hopBytes() throws InferenceException {
            List<Integer> out = new ArrayList<>();
            for (List<Tensor> in : stageInputs) {
                out.add(in.stream().mapToInt(Tensor::byteSize).sum());
            }
            out.add(model.run(input).stream().mapToInt(Tensor::byteSize).sum());
            return out;
        }

        List<Double> stageMeans() {
            return stages.stream().map(PipelineBenchCommand::middleMean).toList();
        }
    }

    /** The 1-minute load average, or -1 where the platform has none. */
    private static double loadAverage() {
        return Math.round(java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
    }

    private static List<Double> latencies(List<TaskOutcome> outcomes) {
        return outcomes.stream().filter(TaskOutcome::ok).map(TaskOutcome::latencyMs).toList();
    }

    private static double median(List<Double> v) {
        return Percentiles.of(v, 50);
    }

    /** Set aside at each end before averaging times per request. */
    static final double TRIMMED = 0.1;

    /** The mean of the middle 80 %: how this bench sums up times per request. */
    private static double middleMean(List<Double> v) {
        return Percentiles.trimmedMean(v, TRIMMED);
    }

    private static double plainMean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}
