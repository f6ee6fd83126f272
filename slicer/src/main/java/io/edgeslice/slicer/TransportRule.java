package io.edgeslice.slicer;

import io.edgeslice.protocol.Transport;

/**
 * How a planned route's activations should travel, chosen from the slowest link they cross: LZ4
 * below {@value #LZ4_BELOW_MBPS} Mbit/s, raw (NONE) above. LZ4 saves {@code (1 - 1/r)} of the
 * transfer for a compression ratio r and costs a compression and a decompression of every
 * activation. With lz4's fast mode at ~130 MB/s compressing and ~500 MB/s decompressing (a
 * Raspberry Pi 4 class core; a desktop core is ~4x faster) and activations compressing 1.3-1.5x
 * (ReLU zeros), it pays on links below ~190-275 Mbit/s on the Pi and ~1 Gbit/s on a desktop; 200
 * Mbit/s is where it pays on both. FP16 is lossy and never chosen here. The activations are the
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
