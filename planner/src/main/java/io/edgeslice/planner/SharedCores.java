package io.edgeslice.planner;

import io.edgeslice.slicer.Plan;
import io.edgeslice.slicer.Profile;
import java.util.HashMap;
import java.util.Map;

/**
 * The period of a pipelined plan when several of its agents run on one machine: the slicer's
 * planner counts each agent as a device of its own, but co-located agents share their host's
 * cores, so a host needs at least (the CPU time of its stages per request) / (its cores) per
 * request, whatever the slowest single stage.
 */
final class SharedCores {
    private SharedCores() {
    }

    /**
     * The plan's period with co-located agents sharing their host's cores: the planner's period, or
     * the busiest host's CPU time per request over its cores if that is longer. An agent whose host
     * is unknown counts as a host of its own.
     *
     * @param hosts    where each agent runs, by agent name
     * @param profiles each agent's profile (its intra-op threads say how many cores a run keeps busy)
     */
    static double periodMs(Plan plan, Map<String, MeasuredPlanner.Host> hosts, Map<String, Profile> profiles) {
        Map<String, Double> cpuMs = new HashMap<>();
        Map<String, Integer> cores = new HashMap<>();
        for (Plan.Stage s : plan.stages()) {
            MeasuredPlanner.Host h = hosts.get(s.node());
            if (h == null) {
                continue; // on its own: the planner's period covers it
            }
            Profile p = profiles.get(s.node());
            int threads = p == null || p.threads() <= 0 ? h.cores() : Math.min(p.threads(), h.cores());
            cpuMs.merge(h.name(), s.computeMs() * threads, Double::sum);
            cores.put(h.name(), h.cores());
        }
        double period = plan.periodMs();
        for (Map.Entry<String, Double> e : cpuMs.entrySet()) {
            period = Math.max(period, e.getValue() / Math.max(1, cores.get(e.getKey())));
        }
        return period;
    }
}
