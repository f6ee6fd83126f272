package io.edgeslice.agent;

import io.edgeslice.protocol.Hosts;
import io.edgeslice.protocol.SharedMemory;
import io.edgeslice.protocol.Tensor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which next stages get activations by reference to {@link SharedMemory}: those on this machine
 * (a data endpoint on loopback or an address of this machine) that have not refused it. Used by
 * the control thread only.
 */
final class SharedMemoryLinks {
    private static final Logger log = LoggerFactory.getLogger(SharedMemoryLinks.class);

    private final Map<String, Boolean> onThisMachine = new HashMap<>();
    private final Set<String> refused = new HashSet<>();
    private final Set<String> confirmed = new HashSet<>();

    /** Whether these tensors go to this endpoint by reference: it may read this process's segments and one of them is in one. */
    boolean byReference(String endpoint, List<Tensor> tensors) {
        return SharedMemory.enabled() && !refused.contains(endpoint) && onThisMachine.computeIfAbsent(endpoint, Hosts::isLocal)
                && tensors.stream().anyMatch(SharedMemory::inSegment);
    }

    /** The endpoint acknowledged an activation sent by reference. */
    void confirmed(String endpoint) {
        if (confirmed.add(endpoint)) {
            log.info("activations to {} travel through shared memory", endpoint);
        }
    }

    /** The endpoint answered SHARED_MEMORY: it cannot open this machine's segments (another container). */
    void refused(String endpoint, String why) {
        if (refused.add(endpoint)) {
            log.info("{} cannot read this machine's shared memory ({}); activations to it travel inline", endpoint, why);
        }
    }
}
