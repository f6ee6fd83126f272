package io.edgeslice.console.agents;

import io.edgeslice.console.Format;
import io.edgeslice.console.models.Deployable;
import io.edgeslice.protocol.Message;

/**
 * Whether something may be dropped on an agent, and why not: the broker's own rules (a healthy
 * agent; a model at most a third of the agent's memory), checked before the drop so the row can
 * light up as valid or blocked while dragging.
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
        if (row == null) {
            return blocked("no such agent");
        }
        AgentStatus s = AgentStatus.of(row.state());
        if (s != AgentStatus.HEALTHY) {
            return blocked(row.name() + " is " + s.lowerName() + "; only a healthy agent can receive a model");
        }
        // the broker's rule (AgentEntry.fits): a session plus its arenas need about three times the file
        if (row.memoryTotalBytes() > 0 && d.sizeBytes() * 3 > row.memoryTotalBytes()) {
            return blocked(d.label() + " (" + Format.bytes(d.sizeBytes()) + ") does not fit " + row.name() + ": a model may take at most a third of its "
                    + Format.bytes(row.memoryTotalBytes()) + " of memory");
        }
        if (row.models().contains(d.modelHash())) {
            return blocked(row.name() + " already hosts " + d.label());
        }
        if (deploying) {
            return blocked(d.label() + " is already being deployed on " + row.name());
        }
        return allowed("deploy " + d.label() + " on " + row.name());
    }
}
