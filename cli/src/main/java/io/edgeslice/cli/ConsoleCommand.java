package io.edgeslice.cli;

import io.edgeslice.console.AgentLauncher;
import io.edgeslice.console.ConsoleApp;
import io.edgeslice.console.ConsoleOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "console", mixinStandardHelpOptions = true,
        description = "Run a broker with its JavaFX control console: the live Metric Table, models and their slice DAG, "
                + "per-runtime charts, events; drag models onto agents to deploy them.")
final class ConsoleCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "5555", description = "Control port of the embedded broker (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--bind", defaultValue = "*", description = "Interface address to bind (default: all).")
    String bind;

    @Option(names = "--store", defaultValue = "memory", description = "memory (default) or redis://HOST:PORT.")
    String store;

    @Option(names = "--model-dir", description = "Where the broker keeps models (default: ~/.edgeslice/broker-PORT/models).")
    Path modelDir;

    @Option(names = "--demo", description = "Start local agents (separate processes) and keep tasks running through them.")
    boolean demo;

    @Option(names = "--demo-agents", defaultValue = "3", description = "Agents the demo starts (default: ${DEFAULT-VALUE}).")
    int demoAgents;

    @Option(names = "--screenshot", paramLabel = "FILE.png",
            description = "Render the window headless once it is populated (with --demo: agents, models, DAG, charts, events), write a PNG and exit.")
    Path screenshot;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        }
        Path dir = modelDir != null ? modelDir : Path.of(System.getProperty("user.home"), ".edgeslice", "broker-" + port, "models");
        Path home = null;
        if (demo) {
            home = DemoCommand.Home.find();
            DemoCommand.Home.ensureModels(home, System.err);
        }
        ConsoleOptions options = new ConsoleOptions("tcp://" + bind + ":" + port, dir, StoreOption.open(store), demo, demoAgents, screenshot,
                demo ? ConsoleCommand::startAgent : null, home);
        int code = ConsoleApp.run(options);
        if (screenshot != null) {
            System.err.println("screenshot written to " + screenshot);
        }
        return code;
    }

    /** The demo's agents: {@code edgeslice agent} processes, one ONNX Runtime thread each (the machine is shared). */
    private static AgentLauncher.RunningAgent startAgent(String broker, String name, Path cacheDir, Path log) throws IOException {
        EdgeSliceProcess p = EdgeSliceProcess.agent(broker, name, cacheDir, log, "--threads", "1");
        return new AgentLauncher.RunningAgent() {
            @Override
            public String name() {
                return p.name();
            }

            @Override
            public boolean isAlive() {
                return p.isAlive();
            }

            @Override
            public Path log() {
                return p.log();
            }

            @Override
            public void kill() throws InterruptedException {
                p.kill();
            }

            @Override
            public void close() {
                try {
                    p.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
