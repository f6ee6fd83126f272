package io.edgeslice.console.testing;

import io.edgeslice.agent.AgentConfig;
import io.edgeslice.agent.EdgeAgent;
import io.edgeslice.slicer.OrtNatives;
import java.nio.file.Path;

/**
 * A real edge agent in a JVM of its own, for the console's tests: what {@code edgeslice agent}
 * runs, without the command line (the console module cannot depend on it; the command line
 * depends on the console). Arguments: BROKER NAME CACHE_DIR.
 */
public final class TestAgent {
    private TestAgent() {
    }

    public static void main(String[] args) throws Exception {
        OrtNatives.useCache();
        AgentConfig config = AgentConfig.of(args[0]).withName(args[1]).withCacheDir(Path.of(args[2])).withThreads(1).withSlots(1);
        EdgeAgent agent = new EdgeAgent(config);
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "test-agent-shutdown"));
        agent.runUntilInterrupted();
    }
}
