package io.edgeslice.broker.store;

import java.util.List;

/** What an agent told the broker about itself in READY. */
public record AgentRecord(String name, long incarnation, String dataEndpoint, String host, String arch, String os,
                          int cores, long memoryBytes, List<String> executionProviders, int slots, String ortTarget,
                          long registeredAtMs) {
    public AgentRecord {
        executionProviders = List.copyOf(executionProviders);
        ortTarget = ortTarget == null ? "" : ortTarget;
    }
}
