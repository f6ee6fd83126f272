package io.edgeslice.cli.slicing;

import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cluster;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.Objective;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.Plan;
import io.edgeslice.slicer.Planner;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.Profiler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgeslice plan}: where to cut a model and which node runs each slice. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Choose cuts and a node for every slice that minimise latency or maximise pipeline throughput,"
                + " from measured segment times and the links in nodes.yaml."})
public class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The model to plan for.")
    Path model;

    @Option(names = "--nodes", required = true, paramLabel = "nodes.yaml", description = "Nodes (speed or profile), links, source and sink.")
    Path nodes;

    @Option(names = "--objective", paramLabel = "latency|throughput", defaultValue = "latency", description = "What to minimise (default: ${DEFAULT-VALUE}).")
    String objective;

    @Option(names = "--input-shape", paramLabel = "NAME=DIMS", description = "Shape of an input, e.g. x=1x3x320x320; required for dynamic dimensions.")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--profile", paramLabel = "FILE", description = "Profile of this machine to scale by the nodes' speeds (default: measure now).")
    Path profile;

    @Option(names = "--path", paramLabel = "A,B,...", split = ",", description = "Use exactly these nodes, one slice each, in this order.")
    List<String> path;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: ONNX Runtime's choice).")
    int threads;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        return SlicingSupport.run(() -> {
            Objective o = Objective.parse(objective);
            Cluster cluster = Cluster.load(nodes);
            Analysis a = Analysis.of(OnnxModel.load(model), InputShapes.parse(inputShapes), SlicingSupport.settings(threads), null);
            for (Cluster.Node n : cluster.nodes()) {
                if (n.profile() != null) {
                    n.profile().checkMatches(a);
                }
            }
            Profile base = null;
            if (profile != null) {
                base = Profile.load(profile);
                base.checkMatches(a);
            } else if (cluster.nodes().stream().anyMatch(n -> n.profile() == null)) {
                Profiler.Options d = Profiler.Options.DEFAULT;
                base = Profiler.profile(a, "local", new Profiler.Options(d.maxSegments(), d.warmup(), d.runs(), SlicingSupport.settings(threads)),
                        SlicingSupport.progress());
            }
            Plan plan = path == null ? Planner.plan(cluster, base, o) : Planner.planPath(cluster, base, path, o);
            if (json) {
                SlicingSupport.printJson(plan);
                return 0;
            }
            Table t = new Table("SLICE>", "NODE", "START>", "END>", "RECEIVE MS>", "COMPUTE MS>");
            for (int i = 0; i < plan.stages().size(); i++) {
                Plan.Stage s = plan.stages().get(i);
                t.row(i, s.node(), s.start(), s.end(), SlicingSupport.ms(s.transferInMs()), SlicingSupport.ms(s.computeMs()));
            }
            t.print();
            System.out.printf("result to %s: %s ms%n", cluster.sink(), SlicingSupport.ms(plan.resultTransferMs()));
            System.out.printf("%s: predicted %s ms (latency %s ms, period %s ms); local only on %s %s ms; full offload%s%n", o.lowerName(),
                    SlicingSupport.ms(plan.predictedMs()), SlicingSupport.ms(plan.latencyMs()), SlicingSupport.ms(plan.periodMs()),
                    cluster.source(), SlicingSupport.ms(plan.localOnlyMs()),
                    plan.fullOffloadMs() == null ? ": no other node" : " to " + plan.fullOffloadNode() + " " + SlicingSupport.ms(plan.fullOffloadMs()) + " ms");
            if (!plan.cuts().isEmpty()) {
                System.out.println("slice it: edgeslice slice " + model + " --cuts "
                        + plan.cuts().stream().map(String::valueOf).collect(Collectors.joining(","))
                        + inputShapes.stream().map(s -> " --input-shape " + s).collect(Collectors.joining()) + " --out DIR");
            }
            return 0;
        });
    }
}
