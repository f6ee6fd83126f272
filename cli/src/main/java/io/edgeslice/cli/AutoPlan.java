package io.edgeslice.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeslice.client.AgentProfile;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.LinkSpeed;
import io.edgeslice.client.MeasureProgress;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Transport;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.planner.MeasuredPlanner;
import io.edgeslice.slicer.Objective;
import io.edgeslice.slicer.Plan;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.SlicerJson;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code deploy --plan auto}: uploads the model, has the healthy agents and the links measured and
 * plans over what they measured ({@link MeasuredPlanner}, shared with the console), printing the
 * progress; the transport follows from the slowest link the activations cross ({@link
 * io.edgeslice.slicer.TransportRule}) unless given with {@code --transport}.
 */
final class AutoPlan {
    private final EdgeSliceClient client;
    private final PrintWriter progressOut;
    private final Map<String, Long> lastPrinted = new HashMap<>();

    AutoPlan(EdgeSliceClient client, PrintWriter progressOut) {
        this.client = client;
        this.progressOut = progressOut;
    }

    MeasuredPlanner.Result plan(Path model, Analysis a, Objective objective, Transport explicit, int runs, int probeBytes) throws Exception {
        String hash = client.uploadModel(model, Duration.ofMinutes(5), b -> { });
        List<Message.AgentRow> agents = MeasuredPlanner.plannable(client.agents(Duration.ofSeconds(10)));
        if (agents.isEmpty()) {
            throw new IllegalArgumentException("no healthy agent to plan over: start agents first (edgeslice agent --broker …)");
        }
        say("planning over " + agents.size() + " agent(s): " + agents.stream().map(Message.AgentRow::name).toList());
        MeasuredPlanner.Measurements m = MeasuredPlanner.measure(client, hash, Files.size(model), a, agents, runs, probeBytes, this::progress,
                this::progress);
        MeasuredPlanner.Result r = MeasuredPlanner.plan(m, a, objective);
        return explicit != null ? r.withTransport(explicit, "chosen with --transport") : r;
    }

    /** At most one line a second per subject, plus its first and last. */
    private void progress(MeasureProgress p) {
        long now = System.nanoTime();
        Long last = lastPrinted.get(p.subject());
        if (last == null || p.done() >= p.total() || now - last > 1_000_000_000L) {
            lastPrinted.put(p.subject(), now);
            say(String.format("  %s: %s (%d/%d)", p.subject(), p.step(), p.done(), p.total()));
        }
    }

    private void say(String line) {
        progressOut.println(line);
        progressOut.flush();
    }

    /** The plan as a table with its predictions, the measurements it rests on and the transport. */
    static String describe(MeasuredPlanner.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("profiles measured by the agents:");
        for (AgentProfile p : r.measured().profiles()) {
            Profile profile = r.profiles().get(p.agent());
            sb.append(String.format("%n  %-12s whole model %8.2f ms, %d segments%s", p.agent(), profile.wholeMs(), profile.segmentMs().size(),
                    p.cached() ? " (measured before)" : ""));
        }
        sb.append(String.format("%nlinks measured:"));
        for (LinkSpeed l : r.measured().links()) {
            sb.append(String.format("%n  %-12s -> %-12s %10.1f Mbit/s %8.3f ms", l.from(), l.to(), l.mbps(), l.ms()));
        }
        Plan p = r.plan();
        sb.append(String.format("%nSLICE  AGENT         START    END  RECEIVE MS  COMPUTE MS"));
        for (int i = 0; i < p.stages().size(); i++) {
            Plan.Stage s = p.stages().get(i);
            sb.append(String.format("%n%5d  %-12s %6d %6d %11.2f %11.2f", i, s.node(), s.start(), s.end(), s.transferInMs(), s.computeMs()));
        }
        sb.append(String.format("%nresult to %s: %.2f ms", r.cluster().sink(), p.resultTransferMs()));
        sb.append(String.format("%npredicted: latency %.2f ms, period %.2f ms (%.1f requests/s as a pipeline), objective %s", p.latencyMs(),
                r.sharedPeriodMs(), 1000 / r.sharedPeriodMs(), p.objective()));
        if (r.sharedPeriodMs() > p.periodMs()) {
            sb.append(String.format(" (%.2f ms if its agents did not share a machine's cores)", p.periodMs()));
        }
        if (p.fullOffloadMs() != null) {
            sb.append(String.format("; everything on %s: %.2f ms", p.fullOffloadNode(), p.fullOffloadMs()));
        }
        sb.append(String.format("%ntransport: %s (%s)", r.transport().name().toLowerCase(Locale.ROOT), r.transportReason()));
        return sb.toString();
    }

    static ObjectNode toJson(MeasuredPlanner.Result r) {
        ObjectNode o = SlicerJson.mapper().valueToTree(r.plan());
        o.remove("local_only_ms"); // the client computes nothing
        o.put("transport", r.transport().name().toLowerCase(Locale.ROOT)).put("transport_reason", r.transportReason());
        o.put("shared_period_ms", r.sharedPeriodMs()); // period_ms with co-located agents sharing their machine's cores
        ArrayNode profiles = o.putArray("profiles");
        for (AgentProfile p : r.measured().profiles()) {
            Profile profile = r.profiles().get(p.agent());
            profiles.addObject().put("agent", p.agent()).put("whole_ms", profile.wholeMs()).put("segments", profile.segmentMs().size())
                    .put("cached", p.cached());
        }
        ArrayNode links = o.putArray("links");
        r.measured().links().forEach(l -> links.addObject().put("from", l.from()).put("to", l.to()).put("mbps", l.mbps()).put("ms", l.ms()));
        return o;
    }
}
