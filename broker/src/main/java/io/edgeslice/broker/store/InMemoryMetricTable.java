package io.edgeslice.broker.store;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The embedded {@link MetricTable}: nothing survives the process. Agent history is bounded per
 * agent; input frames are kept by reference (views of the caller's buffers, never copies) and
 * dropped with the task when it finishes. Calls about agents that never registered, or tasks that
 * are unknown or already finished, are ignored, as in {@link RedisMetricTable}. All methods may be
 * called from any thread.
 */
public final class InMemoryMetricTable implements MetricTable {
    /** One hour of heartbeats at 1 Hz. */
    public static final int DEFAULT_HISTORY = 3600;

    /** The Redis sorted-set order: score, then member (the id's text) on ties. */
    private static final Comparator<TaskSlot> QUEUE_ORDER =
            Comparator.comparingDouble((TaskSlot t) -> t.record.queueScore()).thenComparing(t -> t.idText);

    private final int historyLimit;
    // one lock: the broker thread writes, the console reads now and then; contention is negligible
    private final Object lock = new Object();
    private final Map<String, AgentSlot> agents = new HashMap<>();
    private final Map<UUID, TaskSlot> tasks = new HashMap<>();
    private final TreeSet<TaskSlot> queue = new TreeSet<>(QUEUE_ORDER);
    private final Map<String, io.edgeslice.protocol.Message.Route> routes = new java.util.TreeMap<>();

    public InMemoryMetricTable() {
        this(DEFAULT_HISTORY);
    }

    /** Keeps the {@code historyLimit} most recent samples per agent. */
    public InMemoryMetricTable(int historyLimit) {
        if (historyLimit < 1) {
            throw new IllegalArgumentException("historyLimit must be at least 1, got " + historyLimit);
        }
        this.historyLimit = historyLimit;
    }

    private static final class AgentSlot {
        AgentRecord record;
        AgentState state;
        AgentMetrics latest;
        long lastSeenMs;
        final ArrayDeque<AgentMetrics> history = new ArrayDeque<>();
    }

    private static final class TaskSlot {
        final TaskRecord record;
        final String idText;
        final List<ByteBuffer> inputs;
        TaskState state = TaskState.QUEUED;
        int attempt;
        String agent;

        TaskSlot(TaskRecord record, List<ByteBuffer> inputs) {
            this.record = record;
            this.idText = record.taskId().toString();
            this.inputs = inputs;
        }
    }

    @Override
    public void agentRegistered(AgentRecord agent) {
        synchronized (lock) {
            AgentSlot a = agents.computeIfAbsent(agent.name(), n -> new AgentSlot());
            a.record = agent;
            a.state = AgentState.HEALTHY;
            a.lastSeenMs = agent.registeredAtMs();
        }
    }

    @Override
    public void agentHeartbeat(String name, AgentMetrics metrics) {
        synchronized (lock) {
            AgentSlot a = agents.get(name);
            if (a == null) {
                return;
            }
            a.latest = metrics;
            a.lastSeenMs = metrics.timestampMs();
            a.history.addLast(metrics);
            if (a.history.size() > historyLimit) {
                a.history.removeFirst();
            }
        }
    }

    @Override
    public void agentState(String name, AgentState state) {
        synchronized (lock) {
            AgentSlot a = agents.get(name);
            if (a != null) {
                a.state = state;
            }
        }
    }

    @Override
    public List<StoredAgent> agents() {
        List<StoredAgent> out = new ArrayList<>();
        synchronized (lock) {
            agents.values().forEach(a -> out.add(new StoredAgent(a.record, a.state, a.latest, a.lastSeenMs)));
        }
        out.sort(Comparator.comparing(a -> a.agent().name()));
        return out;
    }

    @Override
    public List<AgentMetrics> history(String name, int max) {
        synchronized (lock) {
            AgentSlot a = agents.get(name);
            if (a == null || max <= 0) {
                return List.of();
            }
            List<AgentMetrics> all = new ArrayList<>(a.history);
            return List.copyOf(all.subList(Math.max(0, all.size() - max), all.size()));
        }
    }

    @Override
    public void taskQueued(TaskRecord task, List<ByteBuffer> inputFrames) {
        // duplicate(): a view sharing the bytes, so the caller reading its buffers cannot empty ours
        TaskSlot t = new TaskSlot(task, inputFrames.stream().map(ByteBuffer::duplicate).toList());
        synchronized (lock) {
            TaskSlot old = tasks.put(task.taskId(), t);
            if (old != null) {
                queue.remove(old);
            }
            queue.add(t);
        }
    }

    @Override
    public void taskDispatched(UUID taskId, String agent, int attempt) {
        synchronized (lock) {
            TaskSlot t = tasks.get(taskId);
            if (t != null) {
                queue.remove(t);
                t.state = TaskState.RUNNING;
                t.agent = agent;
                t.attempt = attempt;
            }
        }
    }

    @Override
    public void taskRequeued(UUID taskId) {
        synchronized (lock) {
            TaskSlot t = tasks.get(taskId);
            if (t != null) {
                t.state = TaskState.QUEUED;
                t.agent = null;
                queue.add(t);
            }
        }
    }

    /** Forgets the task altogether: nothing reads finished tasks back, and this drops its inputs. */
    @Override
    public void taskFinished(UUID taskId, TaskState state) {
        if (!state.isFinal()) {
            throw new IllegalArgumentException("taskFinished needs a final state, got " + state);
        }
        synchronized (lock) {
            TaskSlot t = tasks.remove(taskId);
            if (t != null) {
                queue.remove(t);
            }
        }
    }

    @Override
    public List<StoredTask> unfinishedTasks() {
        List<StoredTask> out = new ArrayList<>();
        synchronized (lock) {
            for (TaskSlot t : tasks.values()) {
                out.add(new StoredTask(t.record, t.state, t.attempt, t.agent, t.inputs.stream().map(ByteBuffer::duplicate).toList()));
            }
        }
        out.sort(Comparator.comparingLong(t -> t.record().arrivalSeq()));
        return out;
    }

    @Override
    public void routeSaved(io.edgeslice.protocol.Message.Route route) {
        synchronized (lock) {
            routes.put(route.modelHash() + "/" + route.replica(), route);
        }
    }

    @Override
    public void routeRemoved(String modelHash, int replica) {
        synchronized (lock) {
            routes.remove(modelHash + "/" + replica);
        }
    }

    @Override
    public List<io.edgeslice.protocol.Message.Route> routes() {
        synchronized (lock) {
            return List.copyOf(routes.values());
        }
    }

    @Override
    public List<UUID> readyQueue() {
        synchronized (lock) {
            return queue.stream().map(t -> t.record.taskId()).toList();
        }
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public void close() {
        synchronized (lock) {
            agents.clear();
            tasks.clear();
            queue.clear();
        }
    }
}
