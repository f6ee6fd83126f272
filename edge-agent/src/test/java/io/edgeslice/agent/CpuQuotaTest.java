package io.edgeslice.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CPU limits on a real cgroup file system (skipped where this process may not write one): a busy
 * process moved into a limited group is held back by the kernel, and the group goes when closed.
 */
class CpuQuotaTest {

    private static void assumeLimitsWork() {
        assumeTrue(CpuQuota.unavailable().isEmpty(), () -> "no CPU limits here: " + CpuQuota.unavailable().orElse(""));
    }

    @Test
    void aBusyProcessInALimitedGroupIsHeldBackAndTheGroupGoesWhenClosed() throws Exception {
        assumeLimitsWork();
        Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        Path group;
        try (CpuQuota quota = CpuQuota.create("test-busy", 0.2)) {
            group = quota.group();
            assertThat(Files.readString(group.resolve(Files.exists(group.resolve("cpu.max")) ? "cpu.max" : "cpu.cfs_quota_us")))
                    .startsWith("2000"); // 0.2 of a 10 ms period
            quota.add(busy.pid());
            assertThat(quota.members()).contains(busy.pid());
            // a loop that never sleeps uses its 2 ms of each 10 ms period at once and waits out the rest
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (quota.throttledPeriods() < 5 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(quota.throttledPeriods()).as("periods in which the busy process was held back").isGreaterThanOrEqualTo(5);
        } finally {
            busy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(group).doesNotExist();
    }

    @Test
    void closingMovesWhatIsLeftBackAndRemovesTheGroup() throws Exception {
        assumeLimitsWork();
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            CpuQuota quota = CpuQuota.create("test-left", 1);
            quota.add(sleeper.pid());
            quota.close(); // the process still runs: it leaves the group, unlimited again

            assertThat(quota.group()).doesNotExist();
            assertThat(sleeper.isAlive()).isTrue();
            assertThat(Files.readString(Path.of("/proc/" + sleeper.pid() + "/cgroup"))).doesNotContain("test-left");
        } finally {
            sleeper.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aGroupLeftByAProcessThatIsGoneIsRemovedByTheNextCreate() throws Exception {
        assumeLimitsWork();
        try (CpuQuota first = CpuQuota.create("test-first", 1)) {
            Path abandoned = first.group().resolveSibling("test-killed-4194305"); // above any pid Linux gives out
            Files.createDirectories(abandoned);

            try (CpuQuota second = CpuQuota.create("test-second", 1)) {
                assertThat(abandoned).doesNotExist();
                assertThat(first.group()).exists(); // its creator, this process, lives
            }
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.05, -1, Double.NaN, Double.POSITIVE_INFINITY})
    void aLimitBelowATenthOfACoreOrNotANumberIsRefused(double cpus) {
        assertThatThrownBy(() -> CpuQuota.create("test-bad", cpus)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a CPU limit must be at least 0.1 cores, got " + cpus);
    }

    @Test
    void aNameThatIsNotOneDirectoryIsRefused() {
        assertThatThrownBy(() -> CpuQuota.create("../escape", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("letters, digits, '-' and '_' only, got '../escape'");
    }
}
