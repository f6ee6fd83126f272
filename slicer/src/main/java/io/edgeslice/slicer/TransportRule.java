package io.edgeslice.slicer;

import io.edgeslice.protocol.Transport;

/**
 * How a planned route's activations should travel, chosen from the slowest link they cross: LZ4
 * below {@value #LZ4_BELOW_MBPS} Mbit/s, raw (NONE) above. LZ4 saves {@code (1 - 1/r)} of the
 * transfer for a compression ratio r and costs a compression and a decompression of every
 * activation: it pays below {@code 8(1 - 1/r) / (1/C + 1/D)} Mbit/s for speeds C and D in MB/s.
 * Measured on the development machine's x86 core (r = 1.5 on ReLU-like float32, C = 424, D = 673)
 * that is ~690 Mbit/s; a Raspberry Pi 4 core, 3-4x slower, breaks even at ~170-230 Mbit/s; 200
 * Mbit/s is where it pays on either (docs/slicer.md). FP16 is lossy and never chosen here. The activations are the
 * client's inputs to the first stage and every stage's outputs to the next; results go back raw.
 */
public final class TransportRule {
    /** LZ4 is chosen when the slowest link a route's activations cross is below this many Mbit/s. */
    public static final double LZ4_BELOW_MBPS = 200;

    /**
     * @param slowest the slowest hop the activations take, or null when they take none
     */
    public record Choice(Transport transport, Cluster.Link slowest, String reason) {
    }

    private TransportRule() {
    }

    /** NONE or LZ4 for activations crossing a link of this bandwidth. */
    public static Transport forBandwidth(double mbps) {
        return mbps < LZ4_BELOW_MBPS ? Transport.LZ4 : Transport.NONE;
    }

    /** The transport for a plan's route: by its slowest activation hop (source to the first stage, then stage to stage). */
    public static Choice choose(Plan plan, Cluster cluster) {
        Cluster.Link slowest = null;
        String at = cluster.source();
        for (Plan.Stage s : plan.stages()) {
            if (!s.node().equals(at)) {
                Cluster.Link l = cluster.link(at, s.node());
                Cluster.Link hop = new Cluster.Link(at, s.node(), l.mbps(), l.ms());
                if (slowest == null || hop.mbps() < slowest.mbps()) {
                    slowest = hop;
                }
            }
            at = s.node();
        }
        if (slowest == null) {
            return new Choice(Transport.NONE, null, "activations cross no link");
        }
        Transport t = forBandwidth(slowest.mbps());
        return new Choice(t, slowest, String.format("slowest activation hop %s -> %s at %.0f Mbit/s is %s %.0f Mbit/s", slowest.from(),
                slowest.to(), slowest.mbps(), t == Transport.LZ4 ? "below" : "at least", LZ4_BELOW_MBPS));
    }
}
