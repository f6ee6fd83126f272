package io.edgeslice.console.models;

import io.edgeslice.console.ConsoleSource;
import io.edgeslice.protocol.FileTrees;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Transport;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.ExactCuts;
import io.edgeslice.slicer.Manifest;
import io.edgeslice.slicer.Slicer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Deploys an analysed model as a route, as {@code edgeslice deploy} does: cuts it into slices in a
 * temporary directory, imports every slice into the broker's store and asks the broker to place
 * them. Runs on a background thread (cutting a model takes a while); never on the FX thread.
 */
public final class RouteDeployer {
    private RouteDeployer() {
    }

    /**
     * Cuts {@code a} at {@code cuts}, imports the slices and deploys them as the model's route.
     *
     * @param agents   the agent of each slice, in chain order; an empty name lets the broker choose
     * @param transport how activations travel between the route's stages
     * @param progress told what is happening (cutting, importing, placing); called on this thread
     * @return the broker's answer: the route once every agent holds its slice, or its reason for refusing
     */
    public static CompletableFuture<Message.Route> deploy(ConsoleSource source, Analysis a, List<Integer> cuts, List<String> agents,
                                                          Transport transport, Consumer<String> progress) {
        if (agents.size() != cuts.size() + 1) {
            throw new IllegalArgumentException(cuts.size() + 1 + " slices but " + agents.size() + " agents given");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("edgeslice-console-slices-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the slices: " + e.getMessage(), e);
        }
        try {
            // slices run at ONNX Runtime's level all (like whole models, ~1.6x faster) when every cut keeps the chain exact there
            progress.accept("testing the cuts at ONNX Runtime's level all…");
            int[] at = cuts.stream().mapToInt(Integer::intValue).toArray();
            boolean levelAll = new ExactCuts(a).allExact(at);
            progress.accept("cutting " + a.model().fileName() + " into " + agents.size() + (agents.size() == 1 ? " slice" : " slices")
                    + (levelAll ? " (to run at level all)…" : " (to run at level extended)…"));
            Manifest manifest = Slicer.slice(a, at, dir, levelAll);
            List<Message.Stage> stages = new ArrayList<>();
            for (int i = 0; i < manifest.slices().size(); i++) {
                Manifest.Slice s = manifest.slices().get(i);
                progress.accept("importing slice " + (i + 1) + " of " + manifest.slices().size() + "…");
                Path file = dir.resolve(s.file());
                String hash = source.importModel(file);
                stages.add(new Message.Stage(s.start(), s.end(), hash, Files.size(file), agents.get(i), ""));
            }
            progress.accept("placing " + stages.size() + (stages.size() == 1 ? " slice" : " slices") + " on agents…");
            return source.deployRoute(a.model().sha256(), stages, transport);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import the slices into the broker's model store: " + e.getMessage(), e);
        } finally {
            FileTrees.delete(dir);
        }
    }

    /** The route in words, e.g. {@code [0–40) on a1, [40–97) on a2 (epoch 3)}. */
    public static String describe(Message.Route r) {
        StringBuilder b = new StringBuilder();
        for (Message.Stage s : r.stages()) {
            b.append(b.length() == 0 ? "" : ", ").append('[').append(s.start()).append('–').append(s.end()).append(") on ")
                    .append(s.agent().isEmpty() ? "?" : s.agent());
        }
        return b.append(" (epoch ").append(r.epoch()).append(')').toString();
    }

}
