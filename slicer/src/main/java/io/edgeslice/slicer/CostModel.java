package io.edgeslice.slicer;

/**
 * The numbers the placement DP works on: m segments between m+1 positions, compute time of every
 * segment on every device, bytes crossing every position and the links between devices.
 */
final class CostModel {
    final int devices;
    final int segments;
    final long[] bytes;
    final int source;
    final int sink;
    private final double[][] prefix;
    private final double[][] mbps;
    private final double[][] latencyMs;

    /**
     * @param computeMs [device][segment] milliseconds
     * @param bytes     [position] bytes, positions 0..m
     * @param mbps      [from][to] Mbit/s (diagonal unused)
     * @param latencyMs [from][to] one-way latency (diagonal unused)
     */
    CostModel(double[][] computeMs, long[] bytes, double[][] mbps, double[][] latencyMs, int source, int sink) {
        this.devices = computeMs.length;
        this.segments = bytes.length - 1;
        this.bytes = bytes.clone();
        this.mbps = mbps;
        this.latencyMs = latencyMs;
        this.source = source;
        this.sink = sink;
        this.prefix = new double[devices][segments + 1];
        for (int d = 0; d < devices; d++) {
            for (int i = 0; i < segments; i++) {
                prefix[d][i + 1] = prefix[d][i] + computeMs[d][i];
            }
        }
    }

    /** Compute time of segments [from, to) on a device. */
    double compute(int device, int from, int to) {
        return prefix[device][to] - prefix[device][from];
    }

    /** Time to send the tensors crossing a position from one device to another; free on the same device. */
    double transfer(int from, int to, int position) {
        if (from == to) {
            return 0;
        }
        return bytes[position] * 8.0 / (mbps[from][to] * 1000.0) + latencyMs[from][to];
    }
}
