package io.edgeslice.broker.store;

import java.nio.ByteBuffer;
import java.util.List;

/** A task read back from the table: its record, state, attempts so far and input frames. */
public record StoredTask(TaskRecord record, TaskState state, int attempt, String agent, List<ByteBuffer> inputFrames) {
    public StoredTask {
        inputFrames = List.copyOf(inputFrames);
    }
}
