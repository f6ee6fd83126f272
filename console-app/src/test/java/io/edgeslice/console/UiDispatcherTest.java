package io.edgeslice.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class UiDispatcherTest {
    @Test
    void actionsQueuedBeforeTheFxThreadRunsArriveInOneBatchInOrder() {
        ConcurrentLinkedQueue<Runnable> fx = new ConcurrentLinkedQueue<>();
        UiDispatcher ui = UiDispatcher.on(fx::add);
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            ui.submit(() -> seen.add(n));
        }
        assertThat(fx).hasSize(1);
        fx.poll().run();
        assertThat(seen).containsExactly(0, 1, 2, 3, 4);
        assertThat(ui.batches()).isEqualTo(1);

        ui.submit(() -> seen.add(5));
        assertThat(fx).hasSize(1);
    }

    @Test
    void callHandsTheResultBack() throws Exception {
        UiDispatcher ui = UiDispatcher.on(Runnable::run);
        assertThat(ui.call(() -> 42).get()).isEqualTo(42);
        assertThat(ui.call(() -> {
            throw new IllegalStateException("boom");
        })).isCompletedExceptionally();
    }
}
