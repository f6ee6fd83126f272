package io.edgeslice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "undeploy", mixinStandardHelpOptions = true,
        description = "Withdraw a model's routes (all of them, or one replica): agents forget them, inputs still on their way fail with "
                + "NO_ROUTE, the slices stay cached on the agents until space is needed.")
final class UndeployCommand implements Callable<Integer> {
    @Option(names = "--broker", required = true, description = "Broker endpoint, e.g. tcp://127.0.0.1:5555.")
    String broker;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Option(names = "--model", paramLabel = "FILE.onnx", description = "The model that was deployed (identified by its SHA-256).")
        Path model;

        @Option(names = "--hash", paramLabel = "SHA256", description = "The model's SHA-256, as 'routes' lists it.")
        String hash;
    }

    @Option(names = "--replica", paramLabel = "K", description = "Only this route of the model (default: every route).")
    Integer replica;

    @Option(names = "--json", description = "Print {\"undeployed\":[route…]} instead of a description.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String hash;
        if (which.model != null) {
            if (!Files.isRegularFile(which.model)) {
                throw new IllegalArgumentException("no such model file: " + which.model);
            }
            hash = Hashing.sha256(which.model);
        } else {
            hash = which.hash.toLowerCase(java.util.Locale.ROOT);
            if (!hash.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("--hash must be a model's SHA-256 (64 hex digits), got '" + which.hash + "'");
            }
        }
        if (replica != null && (replica < 0 || replica >= Message.MAX_REPLICAS)) {
            throw new IllegalArgumentException("--replica must be 0 to " + (Message.MAX_REPLICAS - 1) + ", got " + replica);
        }
        try (EdgeSliceClient client = new EdgeSliceClient(broker)) {
            List<Message.Route> gone = client.undeployRoute(hash, replica == null ? OptionalInt.empty() : OptionalInt.of(replica),
                    Duration.ofSeconds(30));
            if (json) {
                ObjectNode n = Json.object();
                n.set("undeployed", RoutesCommand.toJson(gone).get("routes"));
                spec.commandLine().getOut().println(Json.line(n));
            } else {
                for (Message.Route r : gone) {
                    spec.commandLine().getOut().println("withdrew " + RoutesCommand.describe(r));
                }
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
