package io.edgeslice.cli;

import io.edgeslice.agent.CpuQuota;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How {@code bench pipeline} gives each stage a device of its own on one machine: every process
 * that computes (each agent, the harness that times the whole model, each bare slice process) gets
 * the same CPU limit ({@link CpuQuota}), or none of them does.
 *
 * <p>The bound the bench compares its throughput with, 1/max(stage), is what a pipeline reaches
 * when each stage has a device to itself. Agents sharing fewer cores than there are stages cannot
 * reach it however well they pipeline (two cores carry three stages at 2/sum(stage) at most): so
 * where the cores are fewer than the stages, each process runs as a smaller device, together
 * within the cores, and the whole model is timed on the same kind of device as each slice.
 */
final class DeviceLimits implements AutoCloseable {
    /** Share of the cores the limits hand out together; the rest is for the kernel, JeroMQ's I/O and the client's work. */
    static final double SHARE_OF_CORES = 0.9;

    private final Double cpus;
    private final String why;
    private final List<CpuQuota> quotas = new ArrayList<>();

    private DeviceLimits(Double cpus, String why) {
        this.cpus = cpus;
        this.why = why;
    }

    /**
     * The limits for {@code option}: "off", "auto", or a number of cores. With auto, processes are
     * limited only when {@code cores < stages}, each to {@link #SHARE_OF_CORES} of the cores over
     * the stages, and not where the machine offers no CPU limits (the reason is kept for the report).
     */
    static DeviceLimits of(String option, int stages, int cores) throws IOException {
        if (option.equals("off")) {
            return new DeviceLimits(null, "off (--agent-cpus off)");
        }
        if (option.equals("auto")) {
            if (cores >= stages) {
                return new DeviceLimits(null, "off: " + cores + " cores for " + stages + " stages");
            }
            double each = Math.floor(SHARE_OF_CORES * cores / stages * 20) / 20; // in steps of 0.05
            Optional<String> unavailable = CpuQuota.unavailable();
            if (unavailable.isPresent()) {
                return new DeviceLimits(null, "off: " + stages + " stages share " + cores + " cores, but no CPU limit can be set here ("
                        + unavailable.get() + "), so 1/max(stage) is out of reach; see core_bound_rps");
            }
            return new DeviceLimits(Math.max(CpuQuota.MIN_CPUS, each), String.format(Locale.ROOT, "auto: %d stages on %d cores", stages, cores));
        }
        double each;
        try {
            each = Double.parseDouble(option);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--agent-cpus must be auto, off or a number of cores, got '" + option + "'");
        }
        CpuQuota.check("--agent-cpus", each);
        Optional<String> unavailable = CpuQuota.unavailable(); // asked for by number: no limit is an error, not a silent fallback
        if (unavailable.isPresent()) {
            throw new IOException("--agent-cpus " + option + ": " + unavailable.get());
        }
        return new DeviceLimits(each, "--agent-cpus " + option);
    }

    /** Each process's limit in cores, or empty when processes are not limited. */
    Optional<Double> cpus() {
        return Optional.ofNullable(cpus);
    }

    /** The agent's own options for its limit (it limits itself before it starts any work). */
    List<String> agentArgs() {
        return cpus == null ? List.of() : List.of("--cpus", String.valueOf(cpus));
    }

    /** Limits process {@code pid} (nothing when processes are not limited). */
    void limit(String name, long pid) throws IOException {
        if (cpus == null) {
            return;
        }
        quotas.add(CpuQuota.limit(name, cpus, pid));
    }

    /** A line for the report: what each process got, and why. */
    String describe() {
        return cpus == null ? "no CPU limits (" + why + ")"
                : String.format(Locale.ROOT, "each process computing limited to %.2f CPU (%s; %s), as a device of its own",
                cpus, why, "cgroup CPU quota, " + CpuQuota.PERIOD.toMillis() + " ms period");
    }

    /** Lifts the limits this set placed (this process's own included). */
    @Override
    public void close() {
        quotas.forEach(CpuQuota::close);
    }
}
