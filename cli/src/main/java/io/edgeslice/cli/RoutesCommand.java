package io.edgeslice.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "routes", mixinStandardHelpOptions = true, description = "List the deployed routes: which agent runs which slice of which model.")
final class RoutesCommand implements Callable<Integer> {
    @Option(names = "--broker", required = true, description = "Broker endpoint, e.g. tcp://127.0.0.1:5555.")
    String broker;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Override
    public Integer call() {
        try (EdgeSliceClient client = new EdgeSliceClient(broker)) {
            List<Message.Route> routes = client.routes(Duration.ofSeconds(10));
            if (json) {
                System.out.println(Json.line(toJson(routes)));
            } else if (routes.isEmpty()) {
                System.out.println("(no routes deployed)");
            } else {
                routes.forEach(r -> System.out.println(describe(r)));
            }
            return 0;
        }
    }

    static ObjectNode toJson(List<Message.Route> routes) {
        ObjectNode root = Json.object();
        ArrayNode arr = root.putArray("routes");
        for (Message.Route r : routes) {
            ObjectNode o = arr.addObject().put("model", r.modelHash()).put("replica", r.replica()).put("epoch", r.epoch())
                    .put("transport", r.transport().name().toLowerCase(java.util.Locale.ROOT)).put("lossy", r.transport().lossy())
                    .put("graph", r.ortTarget().isEmpty() ? "portable" : "optimized").put("ort_target", r.ortTarget());
            ArrayNode stages = o.putArray("stages");
            for (Message.Stage s : r.stages()) {
                stages.addObject().put("start", s.start()).put("end", s.end()).put("agent", s.agent()).put("slice", s.sliceHash())
                        .put("endpoint", s.dataEndpoint());
            }
        }
        return root;
    }

    static String describe(Message.Route r) {
        StringBuilder sb = new StringBuilder("model " + Hashing.shortHash(r.modelHash()) + " route " + r.replica() + " epoch " + r.epoch() + ", transport "
                + r.transport().name().toLowerCase(java.util.Locale.ROOT) + (r.transport().lossy() ? " (lossy: results differ from the whole model)" : "")
                + (r.ortTarget().isEmpty() ? "" : ", slices of the graph ONNX Runtime optimised for " + r.ortTarget() + " (positions in that graph)")
                + ":");
        for (Message.Stage s : r.stages()) {
            sb.append(String.format("%n  %4d-%-4d on %-16s %s", s.start(), s.end(), s.agent(), s.dataEndpoint()));
        }
        return sb.toString();
    }
}
