package io.edgeslice.broker.store;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * The broker's durable view of the fleet: agents with their latest metrics and metric history,
 * the ready queue and the task records. The broker keeps its working state in memory and writes
 * through to this table, so that a broker restarted on the same store resumes where it stopped.
 *
 * <p>Implementations are called from the broker's loop thread only, but must be safe to read
 * ({@link #agents()}, {@link #history}) from other threads (the console, {@code top}).
 */
public interface MetricTable extends AutoCloseable {

    /** An agent registered (READY): its static description replaces any earlier one of that name. */
    void agentRegistered(AgentRecord agent);

    /** The latest heartbeat of an agent; also appended to its bounded history. */
    void agentHeartbeat(String name, AgentMetrics metrics);

    /** The agent's liveness state changed. */
    void agentState(String name, AgentState state);

    /** The agents known to the table, each with its latest metrics (null before the first heartbeat). */
    List<StoredAgent> agents();

    /** Up to {@code max} most recent samples of an agent, oldest first. */
    List<AgentMetrics> history(String name, int max);

    /**
     * A task was accepted: store its record and its encoded input frames, and put it on the ready
     * queue ordered by {@link TaskRecord#queueScore()}.
     */
    void taskQueued(TaskRecord task, List<ByteBuffer> inputFrames);

    /** The task left the ready queue for an agent (attempt counts dispatches, from 1). */
    void taskDispatched(UUID taskId, String agent, int attempt);

    /** The task went back on the ready queue with its original score (agent lost, lease expired). */
    void taskRequeued(UUID taskId);

    /** The task reached a final state; its inputs may be dropped and it leaves the queue. */
    void taskFinished(UUID taskId, TaskState state);

    /** Tasks not yet finished (queued or dispatched), with their inputs, for a restarted broker. */
    List<StoredTask> unfinishedTasks();

    /** Task ids on the ready queue, best first (priority, then age). */
    List<UUID> readyQueue();

    /** One of a model's routes (slices placed on agents) as of its latest epoch; replaces that replica's earlier one. */
    void routeSaved(io.edgeslice.protocol.Message.Route route);

    /** A model's route {@code replica} was withdrawn: a restarted broker must not bring it back. */
    void routeRemoved(String modelHash, int replica);

    /** Every model's latest routes (each replica), for a restarted broker. */
    List<io.edgeslice.protocol.Message.Route> routes();

    /** Where the data lives, e.g. {@code memory} or {@code redis://127.0.0.1:6379}. */
    String describe();

    @Override
    void close();
}
