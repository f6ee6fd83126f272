package io.edgeslice.cli;

import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cuts;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.Manifest;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.Profiler;
import io.edgeslice.slicer.SessionSettings;
import io.edgeslice.slicer.Slicer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
    }

    @Option(names = "--input-shape", paramLabel = "NAME=DIMS", description = "Shape of an input with dynamic dimensions, e.g. x=1x3x320x320.")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--transport", defaultValue = "NONE", description = "How activations travel between stages: "
            + "NONE (raw, for fast links), LZ4 (lossless compression, for slow links), FP16 (halves float32, lossy) (default: ${DEFAULT-VALUE}).")
    io.edgeslice.protocol.Transport transport;

    @Option(names = "--replicas", defaultValue = "1", paramLabel = "K",
            description = "Deploy K routes (replicas 0 to K-1) of the same slices; requests spread over them (default: ${DEFAULT-VALUE}).")
    int replicas;

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
        if (replicas > 1 && where.placement != null) {
            throw new IllegalArgumentException("--replicas needs --stages: a --placement names the agents of one route");
        }
        Analysis a = Analysis.of(OnnxModel.load(model), InputShapes.parse(inputShapes), SessionSettings.DEFAULT, null);
        List<String> agents = new ArrayList<>();
        int[] cuts;
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
        } else {
            if (where.stages < 1) {
                throw new IllegalArgumentException("--stages must be at least 1");
            }
            Profile profile = Profiler.profile(a, "local", Profiler.Options.DEFAULT, io.edgeslice.slicer.ProgressListener.NONE);
            cuts = Cuts.balanced(a, profile, where.stages);
        }
        Path dir = Files.createTempDirectory("edgeslice-slices-");
        Manifest manifest = Slicer.slice(a, cuts, dir);
        try (EdgeSliceClient client = new EdgeSliceClient(broker)) {
            List<Message.Stage> stages = new ArrayList<>();
            for (int i = 0; i < manifest.slices().size(); i++) {
                Manifest.Slice s = manifest.slices().get(i);
                Path file = dir.resolve(s.file());
                String hash = client.uploadModel(file, Duration.ofMinutes(5), b -> { });
                stages.add(new Message.Stage(s.start(), s.end(), hash, Files.size(file), agents.isEmpty() ? "" : agents.get(i), ""));
            }
            String modelHash = Hashing.sha256(model);
            for (int replica = 0; replica < replicas; replica++) {
                // one after the other: the broker spreads each new replica over the agents the others leave idle
                Message.Route route = client.deployRoute(modelHash, replica, stages, transport, Duration.ofMinutes(5));
                spec.commandLine().getOut().println(json ? Json.line(RoutesCommand.toJson(List.of(route)).get("routes").get(0))
                        : RoutesCommand.describe(route));
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }
}
