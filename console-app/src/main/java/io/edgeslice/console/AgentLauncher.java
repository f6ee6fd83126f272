package io.edgeslice.console;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Starts an agent in a process of its own, for the demo: the command line supplies one that runs
 * {@code edgeslice agent}, the tests one that runs the same agent from their class path.
 */
@FunctionalInterface
public interface AgentLauncher {

    /** A started agent process. */
    interface RunningAgent extends AutoCloseable {
        String name();

        boolean isAlive();

        /** Where the process writes its output. */
        Path log();

        /** SIGKILL. */
        void kill() throws InterruptedException;

        /** SIGTERM, then SIGKILL if it does not stop; an interrupt is kept for the caller. */
        @Override
        void close();
    }

    /** Starts an agent named {@code name} that registers with {@code broker}. */
    RunningAgent start(String broker, String name, Path cacheDir, Path log) throws IOException;
}
