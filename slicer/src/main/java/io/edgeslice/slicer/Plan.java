package io.edgeslice.slicer;

import java.util.List;

/**
 * Where to cut a model and which node runs each slice, with predictions.
 *
 * @param objective        what was minimised
 * @param cuts             interior cut positions, ready for {@link Slicer#slice}
 * @param placement        the node of each slice, in chain order
 * @param stages           per-slice details
 * @param predictedMs      the objective's value: latency, or the period for throughput
 * @param latencyMs        end-to-end time of one inference with this plan
 * @param periodMs         slowest compute or transfer step (the pipeline's time per inference)
 * @param resultTransferMs sending the result from the last slice's node to the sink
 * @param localOnlyMs      the objective's value with everything on the source node
 * @param fullOffloadMs    the objective's value with everything on the best other node, transfers
 *                         included; null if there is no other node
 * @param fullOffloadNode  that node, or null
 */
public record Plan(String objective, List<Integer> cuts, List<String> placement, List<Stage> stages, double predictedMs,
                   double latencyMs, double periodMs, double resultTransferMs, double localOnlyMs, Double fullOffloadMs,
                   String fullOffloadNode) {
    /**
     * @param transferInMs time to receive this slice's inputs (from the source or the previous slice's node)
     */
    public record Stage(String node, int start, int end, double computeMs, double transferInMs) {
    }

    public Plan {
        cuts = List.copyOf(cuts);
        placement = List.copyOf(placement);
        stages = List.copyOf(stages);
    }
}
