package io.edgeslice.console;

import io.edgeslice.broker.store.MetricTable;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@link ConsoleApp#run} runs.
 *
 * @param bindEndpoint where the embedded broker binds, e.g. {@code tcp://*:5555} ({@code :0} for any free port)
 * @param modelDir     the broker's model store
 * @param store        the Metric Table store (memory or Redis), closed with the broker
 * @param demo         start local agents and keep tasks running through them
 * @param demoAgents   how many agents the demo starts
 * @param screenshot   render headless, write this PNG once the console is populated, and exit; or null
 * @param launcher     starts agent processes for the demo; may be null without the demo
 * @param home         the repository, where the demo finds the sample models; may be null without the demo
 */
public record ConsoleOptions(String bindEndpoint, Path modelDir, MetricTable store, boolean demo, int demoAgents, Path screenshot,
                             AgentLauncher launcher, Path home) {
    public ConsoleOptions {
        Objects.requireNonNull(bindEndpoint, "bindEndpoint");
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(store, "store");
        if (demo && (launcher == null || home == null)) {
            throw new IllegalArgumentException("the demo needs an agent launcher and the repository's directory");
        }
        if (demo && (demoAgents < 1 || demoAgents > 16)) {
            throw new IllegalArgumentException("the demo runs 1 to 16 agents, not " + demoAgents);
        }
        if (screenshot != null && !screenshot.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("the screenshot is written as PNG: give a file name ending in .png, not " + screenshot);
        }
    }
}
