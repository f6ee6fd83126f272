package io.edgeslice.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Models an operator placed on agents and that the agents are still fetching. A deployment is done
 * when the agent's heartbeat lists the model; it fails on the agent's word, when the agent is lost,
 * or after a timeout. Loop thread only.
 */
final class Deployments {
    static final Duration TIMEOUT = Duration.ofMinutes(10);

    private record Pending(String agent, String modelHash, long startedNanos, CompletableFuture<Void> done) {
    }

    private final List<Pending> pending = new ArrayList<>();

    void add(String agent, String modelHash, long now, CompletableFuture<Void> done) {
        pending.add(new Pending(agent, modelHash, now, done));
    }

    /** Completes the deployments this agent's cached models satisfy; returns the hashes completed. */
    List<String> heartbeat(String agent, Set<String> cached) {
        List<String> completed = new ArrayList<>();
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.agent.equals(agent) && cached.contains(p.modelHash)) {
                it.remove();
                p.done.complete(null);
                completed.add(p.modelHash);
            }
        }
        return completed;
    }

    /** The models still on their way to this agent. */
    List<String> pendingFor(String agent) {
        return pending.stream().filter(p -> p.agent.equals(agent)).map(Pending::modelHash).distinct().toList();
    }

    /** Fails this agent's deployments whose hash the message names (or all of them when hash is null). */
    List<String> fail(String agent, String messageOrNull, String reason) {
        List<String> failed = new ArrayList<>();
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.agent.equals(agent) && (messageOrNull == null || messageOrNull.contains(p.modelHash))) {
                it.remove();
                p.done.completeExceptionally(new DeployException(reason));
                failed.add(p.modelHash);
            }
        }
        return failed;
    }

    /** Deployments older than the timeout fail; returns "agent model" pairs that timed out. */
    List<String> expire(long now) {
        List<String> expired = new ArrayList<>();
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (now - p.startedNanos > TIMEOUT.toNanos()) {
                it.remove();
                p.done.completeExceptionally(new DeployException("model " + p.modelHash + " did not reach " + p.agent + " within " + TIMEOUT));
                expired.add(p.agent + " " + p.modelHash);
            }
        }
        return expired;
    }
}
