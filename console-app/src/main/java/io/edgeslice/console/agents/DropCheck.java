package io.edgeslice.console.agents;

import io.edgeslice.console.Format;
import io.edgeslice.console.models.Deployable;
import io.edgeslice.console.models.ModelSlice;
import io.edgeslice.protocol.Message;

/**
 * Whether something may be dropped on an agent, and why not: the broker's own rules (a healthy
 * agent; a model or slice at most a third of the agent's memory), checked before the drop so the
 * row can light up as valid or blocked while dragging.
 */
public record DropCheck(boolean ok, String reason) {

    static DropCheck allowed(String what) {
        return new DropCheck(true, what);
    }

    static DropCheck blocked(String why) {
        return new DropCheck(false, why);
    }

    /** The check for {@code d} on the agent of {@code row}; {@code deploying} if it is already on its way there. */
    public static DropCheck of(Deployable d, Message.AgentRow row, boolean deploying) {
        return of(d, row, deploying ? d.label() + " is already being deployed on " + (row == null ? "it" : row.name()) : null);
    }

    /**
     * The check for {@code d} on the agent of {@code row}.
     *
     * @param busy why a deployment on its way forbids this one (e.g. the model's route is being
     *             changed already), or null
     */
    public static DropCheck of(Deployable d, Message.AgentRow row, String busy) {
        if (row == null) {
            return blocked("no such agent");
        }
        boolean slice = d instanceof ModelSlice;
        AgentStatus s = AgentStatus.of(row.state());
        if (s != AgentStatus.HEALTHY) {
            return blocked(row.name() + " is " + s.lowerName() + "; only a healthy agent can receive a " + (slice ? "slice" : "model"));
        }
        // the broker's rule (AgentEntry.fits): a session plus its arenas need about three times the file
        if (row.memoryTotalBytes() > 0 && d.sizeBytes() * 3 > row.memoryTotalBytes()) {
            String size = d instanceof ModelSlice m ? m.sizeText() : Format.bytes(d.sizeBytes());
            return blocked(d.label() + " (" + size + ") does not fit " + row.name() + ": a " + (slice ? "slice" : "model")
                    + " may take at most a third of its " + Format.bytes(row.memoryTotalBytes()) + " of memory");
        }
        if (d instanceof ModelSlice m) {
            if (m.routed() && m.stage().agent().equals(row.name())) {
                return blocked(row.name() + " already runs " + m.label());
            }
        } else if (row.models().contains(d.modelHash())) {
            return blocked(row.name() + " already hosts " + d.label());
        }
        if (busy != null) {
            return blocked(busy);
        }
        if (d instanceof ModelSlice m) {
            return allowed(m.routed() ? "move " + m.label() + " to " + row.name() + " (a new route epoch)"
                    : "deploy " + m.modelName() + " as a route of " + m.sliceCount() + (m.sliceCount() == 1 ? " slice" : " slices")
                    + ", " + m.label().replace(" of " + m.modelName(), "") + " on " + row.name()
                    + (m.sliceCount() > 1 ? ", the others placed by the broker" : ""));
        }
        return allowed("deploy " + d.label() + " on " + row.name());
    }
}
