package io.edgeslice.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Exactly one outcome per task, in the order the tasks were given, each also handed to the
 * caller's listener as it settles; what never settled is a TIMEOUT. Shared by both ways of running
 * tasks (through the broker, through a route).
 */
final class OutcomeBook {
    private final List<UUID> order = new ArrayList<>();
    private final Map<UUID, TaskOutcome> outcomes = new LinkedHashMap<>();
    private final Consumer<TaskOutcome> listener;

    OutcomeBook(List<TaskRequest> requests, Consumer<TaskOutcome> listener) {
        requests.forEach(r -> order.add(r.id()));
        this.listener = listener;
    }

    /** Records a task's outcome; a second outcome for the same task is ignored. */
    void settle(TaskOutcome o) {
        if (outcomes.putIfAbsent(o.taskId(), o) == null) {
            listener.accept(o);
        }
    }

    /** Every outcome in task order; tasks still unsettled (never sent, or unanswered) become TIMEOUT. */
    List<TaskOutcome> finish() {
        List<TaskOutcome> out = new ArrayList<>(order.size());
        for (UUID id : order) {
            if (!outcomes.containsKey(id)) {
                settle(new TaskOutcome(id, TaskOutcome.Status.TIMEOUT, null, 0, 0, 0, List.of(), null, "never submitted: timeout"));
            }
            out.add(outcomes.get(id));
        }
        return out;
    }
}
