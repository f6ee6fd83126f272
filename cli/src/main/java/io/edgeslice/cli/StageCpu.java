package io.edgeslice.cli;

import io.edgeslice.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CPU time each stage's agent process spends over chosen stretches of a benchmark, summed. Unlike
 * the wall time the agents report, CPU time leaves out waiting for a core: when stages that share
 * cores run side by side, wall time grows because they take turns, CPU time only if each runs slower
 * on the hardware (cores sharing a physical core, caches, memory bandwidth).
 */
final class StageCpu {
    private final List<ProcessHandle> processes;
    private final long[] totalNanos;
    private long[] startNanos;
    private boolean available = true;

    private StageCpu(List<ProcessHandle> processes) {
        this.processes = processes;
        this.totalNanos = new long[processes.size()];
    }

    /** The agent process of each stage of the route, by the agent names the route gives. */
    static StageCpu of(Message.Route route, List<EdgeSliceProcess> agents) {
        List<ProcessHandle> processes = new ArrayList<>();
        for (Message.Stage s : route.stages()) {
            EdgeSliceProcess agent = agents.stream().filter(a -> a.name().equals(s.agent())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("stage " + s.start() + "-" + s.end() + " runs on " + s.agent()
                            + ", not on an agent this benchmark started"));
            processes.add(ProcessHandle.of(agent.pid()).orElseThrow(() -> new IllegalStateException("agent " + agent.name() + " has ended")));
        }
        return new StageCpu(processes);
    }

    void begin() {
        startNanos = read();
    }

    void end() {
        long[] now = read();
        for (int s = 0; s < now.length; s++) {
            totalNanos[s] += now[s] - startNanos[s];
        }
    }

    /**
     * Milliseconds of CPU per run of each stage over the stretches counted, or empty where the
     * operating system does not report a process's CPU time.
     *
     * @param runs how many times each stage ran in those stretches
     */
    Optional<List<Double>> msPerRun(long[] runs) {
        if (!available) {
            return Optional.empty();
        }
        List<Double> ms = new ArrayList<>();
        for (int s = 0; s < totalNanos.length; s++) {
            ms.add(runs[s] == 0 ? Double.NaN : totalNanos[s] / 1e6 / runs[s]);
        }
        return Optional.of(ms);
    }

    private long[] read() {
        long[] nanos = new long[processes.size()];
        for (int s = 0; s < nanos.length; s++) {
            Optional<Duration> cpu = processes.get(s).info().totalCpuDuration();
            available &= cpu.isPresent();
            nanos[s] = cpu.map(Duration::toNanos).orElse(0L);
        }
        return nanos;
    }
}
