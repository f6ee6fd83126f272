package io.edgeslice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.planner.MeasuredPlanner;
import io.edgeslice.protocol.FileTrees;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Transport;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cuts;
import io.edgeslice.slicer.ExactCuts;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.Manifest;
import io.edgeslice.slicer.MeasuredCuts;
import io.edgeslice.slicer.Objective;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.OptimizedGraph;
import io.edgeslice.slicer.OrtTarget;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.Profiler;
import io.edgeslice.slicer.ProgressListener;
import io.edgeslice.slicer.SessionSettings;
import io.edgeslice.slicer.SliceMarks;
import io.edgeslice.slicer.Slicer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Cut a model into slices here, upload them and have the broker place them on agents as a route.",
                "Requests then flow agent to agent: ./edgeslice submit --model FILE uses the route."})
final class DeployCommand implements Callable<Integer> {
    @Option(names = "--broker", required = true, description = "Broker endpoint, e.g. tcp://127.0.0.1:5555.")
    String broker;

    @Option(names = "--model", required = true, description = "The ONNX model.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Where where;

    static final class Where {
        @Option(names = "--stages", paramLabel = "N", description = "N slices balancing measured compute; the broker picks the agents.")
        Integer stages;

        @Option(names = "--placement", paramLabel = "START-END@AGENT,...", split = ",",
                description = "Slices and the agents to run them, e.g. 0-117@pi,117-146@edge.")
        List<String> placement;

        @Option(names = "--plan", paramLabel = "auto", description = "auto: the agents profile the model on their own hardware, the links "
                + "between this client and the agents and between agents are measured, and the planner picks cuts, agents and transport.")
        String plan;
    }

    @Option(names = "--objective", defaultValue = "latency", description = "With --plan auto: latency (one request end to end) or "
            + "throughput (requests per second as a pipeline) (default: ${DEFAULT-VALUE}).")
    String objective;

    @Option(names = "--runs", defaultValue = "5", description = "With --plan auto: timed runs per profiled segment on each agent (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--probe-bytes", defaultValue = "2097152", description = "With --plan auto: size of the link probes, at most 16 MiB (default: ${DEFAULT-VALUE}).")
    int probeBytes;

    @Option(names = "--input-shape", paramLabel = "NAME=DIMS", description = "Shape of an input with dynamic dimensions, e.g. x=1x3x320x320.")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--transport", description = "How activations travel between stages: "
            + "NONE (raw, for fast links), LZ4 (lossless compression, for slow links), FP16 (halves float32, lossy). "
            + "Default: NONE, or with --plan auto chosen from the measured links (NONE or LZ4, never FP16).")
    io.edgeslice.protocol.Transport transport;

    @Option(names = "--replicas", defaultValue = "1", paramLabel = "K",
            description = "Deploy K routes (replicas 0 to K-1) of the same slices; requests spread over them (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--graph", defaultValue = "auto", paramLabel = "auto|optimized|portable", description = "With --stages: the graph to cut. "
            + "optimized: the graph ONNX Runtime optimises for this machine (fused operators, blocked layout), whose slices run the whole "
            + "model's kernels with no layout conversions at the cuts, but only on agents of this machine's ONNX Runtime target "
            + "(version and CPU features); portable: the model's own graph, for any agent; auto: optimized when at least N healthy agents "
            + "share this machine's target (default: ${DEFAULT-VALUE}).")
    String graph;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "With --stages: intra-op threads per slice the agents run "
            + "with (their --threads), used to profile the model here; 0: ONNX Runtime's choice (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--json", description = "Print each route deployed as a JSON line.")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("model file " + model + " does not exist");
        }
        if (replicas < 1 || replicas > Message.MAX_REPLICAS) {
            throw new IllegalArgumentException("--replicas must be 1 to " + Message.MAX_REPLICAS + ", got " + replicas);
        }
        if (replicas > 1 && where.stages == null) {
            throw new IllegalArgumentException("--replicas needs --stages: a --placement or a plan names the agents of one route");
        }
        if (transport == Transport.SHARED) {
            throw new IllegalArgumentException("--transport SHARED is no route's choice: agents on one machine send through shared memory by themselves");
        }
        if (!List.of("auto", "optimized", "portable").contains(graph)) {
            throw new IllegalArgumentException("--graph takes auto, optimized or portable, not '" + graph + "'");
        }
        if (where.stages == null && !graph.equals("auto")) {
            throw new IllegalArgumentException("--graph goes with --stages: --placement and --plan name positions of the model's own graph");
        }
        if (where.stages != null && where.stages >= 1 && useOptimizedGraph()) {
            try {
                return deployOptimized();
            } catch (NotExact e) { // found before anything was uploaded
                if (!graph.equals("auto")) {
                    throw new IllegalStateException(e.getMessage() + "; deploy with --graph portable");
                }
                spec.commandLine().getErr().println(e.getMessage() + ": cutting the model's own graph instead");
            }
        }
        Analysis a = Analysis.of(OnnxModel.load(model), InputShapes.parse(inputShapes), SessionSettings.DEFAULT, null);
        if (where.plan != null) {
            return deployAutoPlan(a);
        }
        List<String> agents = new ArrayList<>();
        int[] cuts;
        boolean levelAll = false;
        if (where.placement != null) {
            List<Integer> c = new ArrayList<>();
            int expectStart = 0;
            for (String p : where.placement) {
                var m = java.util.regex.Pattern.compile("(\\d+)-(\\d+)@(.+)").matcher(p.trim());
                if (!m.matches()) {
                    throw new IllegalArgumentException("--placement entry '" + p + "' is not START-END@AGENT");
                }
                int start = Integer.parseInt(m.group(1));
                if (start != expectStart) {
                    throw new IllegalArgumentException("--placement slices must be contiguous from 0; '" + p + "' starts at " + start
                            + ", expected " + expectStart);
                }
                expectStart = Integer.parseInt(m.group(2));
                c.add(expectStart);
                agents.add(m.group(3));
            }
            c.remove(c.size() - 1);
            cuts = c.stream().mapToInt(Integer::intValue).toArray();
            Cuts.check(a, cuts);
            levelAll = new ExactCuts(a).allExact(cuts);
            spec.commandLine().getErr().println(levelAll ? "the cuts keep the slices bit-exact at ONNX Runtime's level all: they run there"
                    : "not every cut is exact at ONNX Runtime's level all: the slices run at level extended");
        } else {
            if (where.stages < 1) {
                throw new IllegalArgumentException("--stages must be at least 1");
            }
            Profile profile = Profiler.profile(a, "local", profileOptions(), ProgressListener.NONE);
            // slices cut where the chain stays exact at level all run there, like whole models (~1.6x faster than extended)
            int[] exact = new ExactCuts(a).balanced(profile, where.stages);
            levelAll = exact != null;
            cuts = levelAll ? exact : Cuts.balanced(a, profile, where.stages);
            spec.commandLine().getErr().println(levelAll
                    ? "cuts " + Arrays.toString(cuts) + " keep the slices bit-exact at ONNX Runtime's level all: they run there"
                    : "too few cuts are exact at ONNX Runtime's level all: the slices run at level extended");
        }
        try (EdgeSliceClient client = new EdgeSliceClient(broker)) {
            print(deploy(client, a, cuts, SliceMarks.portable(levelAll), agents,
                    transport == null ? Transport.NONE : transport, replicas));
            return 0;
        }
    }

    /** --plan auto: measure, plan, print the plan, then deploy it as --placement would. */
    private int deployAutoPlan(Analysis a) throws Exception {
        if (!where.plan.equals("auto")) {
            throw new IllegalArgumentException("--plan takes 'auto', not '" + where.plan + "'");
        }
        Objective o = Objective.parse(objective);
        PrintWriter out = spec.commandLine().getOut();
        // with --json stdout carries only the final JSON line
        PrintWriter progress = json ? spec.commandLine().getErr() : out;
        try (EdgeSliceClient client = new EdgeSliceClient(broker)) {
            MeasuredPlanner.Result r = new AutoPlan(client, progress).plan(model, a, o, transport, runs, probeBytes);
            if (!json) {
                out.println(AutoPlan.describe(r));
                out.flush();
            }
            int[] cuts = Cuts.check(a, r.cuts());
            // the planned cuts run at level all if the chain stays exact there (the agents profiled at extended: a faster route)
            boolean levelAll = new ExactCuts(a).allExact(cuts);
            progress.println(cuts.length == 0 ? "one slice: it runs at level all like a whole model"
                    : levelAll ? "the planned cuts keep the slices bit-exact at ONNX Runtime's level all: they run there"
                    : "the planned cuts are not all exact at ONNX Runtime's level all: the slices run at level extended");
            Message.Route route = deploy(client, a, cuts, SliceMarks.portable(levelAll), r.plan().placement(),
                    r.transport(), 1).get(0);
            if (json) {
                ObjectNode line = Json.object();
                line.set("plan", AutoPlan.toJson(r));
                line.set("route", RoutesCommand.toJson(List.of(route)).get("routes").get(0));
                out.println(Json.line(line));
            } else {
                out.println(RoutesCommand.describe(route));
            }
            out.flush();
            return 0;
        }
    }

    /** Each route deployed: a line describing it, or with --json its JSON. */
    private void print(List<Message.Route> routes) {
        for (Message.Route route : routes) {
            spec.commandLine().getOut().println(json ? Json.line(RoutesCommand.toJson(List.of(route)).get("routes").get(0))
                    : RoutesCommand.describe(route));
        }
        spec.commandLine().getOut().flush();
    }

    /** The chain of the optimised graph's slices differs from the model run whole (an ONNX Runtime that optimises inexactly). */
    private static final class NotExact extends Exception {
        NotExact(String message) {
            super(message);
        }
    }

    /** Profiling for --stages: as the agents will run the slices. */
    private Profiler.Options profileOptions() {
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be 0 (ONNX Runtime's choice) or more, got " + threads);
        }
        Profiler.Options d = Profiler.Options.DEFAULT;
        return new Profiler.Options(d.maxSegments(), d.warmup(), d.runs(), d.rounds(), d.settings().withThreads(threads));
    }

    /** Whether --stages cuts ONNX Runtime's optimised graph: asked for, or (auto) enough healthy agents share this machine's target. */
    private boolean useOptimizedGraph() {
        if (!graph.equals("auto")) {
            return graph.equals("optimized");
        }
        String target = OrtTarget.local();
        if (target.isEmpty()) {
            return false;
        }
        try (EdgeSliceClient client = new EdgeSliceClient(broker)) {
            long matching = client.agents(Duration.ofSeconds(10)).stream()
                    .filter(r -> r.state().equals("healthy") && r.ortTarget().equals(target)).count();
            boolean enough = matching >= where.stages;
            spec.commandLine().getErr().println(enough ? matching + " healthy agents share this machine's ONNX Runtime target: cutting its optimised graph"
                    : "only " + matching + " healthy agents share this machine's ONNX Runtime target (" + target + "): cutting the portable graph");
            return enough;
        }
    }

    /**
     * --stages on the graph ONNX Runtime optimises for this machine: profiled and cut there, checked
     * bit-exact against the whole model at level all, placed on agents of this machine's target.
     */
    private int deployOptimized() throws Exception {
        Path dir = Files.createTempDirectory("edgeslice-optimized-");
        try {
            Path optimized = OptimizedGraph.write(model, dir.resolve(model.getFileName()));
            Analysis a = Analysis.of(OnnxModel.load(optimized), InputShapes.parse(inputShapes), SessionSettings.DEFAULT, null);
            Profiler.Options options = profileOptions();
            Profile profile = Profiler.profile(a, "local", options, ProgressListener.NONE);
            int[] cuts = measuredCuts(a, profile, options);
            try (EdgeSliceClient client = new EdgeSliceClient(broker)) {
                print(deploy(client, a, cuts, SliceMarks.optimizedHere(), List.of(), transport == null ? Transport.NONE : transport,
                        replicas));
                return 0;
            }
        } finally {
            FileTrees.delete(dir);
        }
    }

    /**
     * The profile's balanced cuts, or a neighbouring set whose slices time better here: see
     * {@link MeasuredCuts} (in the optimised graph a cut's real cost varies most, with the layouts).
     */
    private int[] measuredCuts(Analysis a, Profile profile, Profiler.Options options) {
        PrintWriter err = spec.commandLine().getErr();
        int[] balanced = Cuts.balanced(a, profile, where.stages);
        List<int[]> sets = MeasuredCuts.neighbourhood(profile, balanced);
        err.println("cuts " + Arrays.toString(balanced) + " of the optimised graph (" + a.nodeCount() + " nodes) balance its profile; timing "
                + "their slices and " + (sets.size() - 1) + " neighbouring sets here...");
        err.flush();
        List<MeasuredCuts.Timed> timed;
        try (MeasuredCuts m = new MeasuredCuts(a, options)) {
            timed = m.time(sets);
        }
        for (MeasuredCuts.Timed t : timed) {
            err.printf("  cuts %s: slices %s ms (%.1f in all)%n", t.cuts(),
                    t.stageMs().stream().map(ms -> String.format("%.1f", ms)).toList(), t.totalMs());
        }
        MeasuredCuts.Timed best = MeasuredCuts.best(timed);
        err.println("cuts " + best.cuts() + " of the optimised graph (" + a.nodeCount() + " nodes)");
        return best.cuts().stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Cuts the model, uploads the slices and has the broker deploy them as routes 0 to replicas-1
     * (agents empty: the broker places them). Slices of an optimised graph are first checked
     * bit-exact against the model run whole.
     */
    private List<Message.Route> deploy(EdgeSliceClient client, Analysis a, int[] cuts, SliceMarks marks, List<String> agents, Transport t,
                                       int replicas)
            throws Exception {
        Path dir = Files.createTempDirectory("edgeslice-slices-");
        List<Message.Stage> stages = new ArrayList<>();
        try {
            Manifest manifest = Slicer.slice(a, cuts, dir, marks);
            if (!marks.ortTarget().isEmpty() && !OptimizedGraph.chainExact(model, dir)) {
                throw new NotExact("the slices of the optimised graph do not compute the model bit for bit here");
            }
            for (int i = 0; i < manifest.slices().size(); i++) {
                Manifest.Slice s = manifest.slices().get(i);
                Path file = dir.resolve(s.file());
                String hash = client.uploadModel(file, Duration.ofMinutes(5), b -> { });
                stages.add(new Message.Stage(s.start(), s.end(), hash, Files.size(file), agents.isEmpty() ? "" : agents.get(i), ""));
            }
        } finally {
            FileTrees.delete(dir); // uploaded: the broker keeps them
        }
        List<Message.Route> routes = new ArrayList<>();
        for (int replica = 0; replica < replicas; replica++) {
            // one after the other: the broker spreads each new replica over the agents the others leave idle
            routes.add(client.deployRoute(Hashing.sha256(model), replica, stages, t, marks.ortTarget(), Duration.ofMinutes(5)));
        }
        return routes;
    }
}
