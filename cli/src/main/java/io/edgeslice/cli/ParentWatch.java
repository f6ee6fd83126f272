package io.edgeslice.cli;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a process started by {@link EdgeSliceProcess} when the process that started it ends, however
 * that one ended: a demo or bench stopped with Ctrl-C, or killed, leaves no agents behind. The
 * parent's pid comes in {@link #ENV}; processes started any other way are not watched.
 */
final class ParentWatch {
    /** The environment variable holding the pid of the process to end with. */
    static final String ENV = "EDGESLICE_PARENT_PID";
    private static final Logger log = LoggerFactory.getLogger(ParentWatch.class);

    private ParentWatch() {
    }

    /** Starts watching if {@link #ENV} names a process; exits at once if that process is already gone. */
    static void start() {
        String value = System.getenv(ENV);
        if (value == null || value.isBlank()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            log.warn("{} is '{}', not a process id: not watching a parent", ENV, value);
            return;
        }
        Optional<ProcessHandle> parent = ProcessHandle.of(pid);
        if (parent.isEmpty()) {
            exit(pid);
        }
        // the shutdown hooks (an agent's DISCONNECT, shared-memory cleanup) run on the way out
        parent.get().onExit().thenRun(() -> exit(pid));
    }

    private static void exit(long pid) {
        log.info("the process that started this one (pid {}) has ended: exiting", pid);
        System.exit(0);
    }
}
