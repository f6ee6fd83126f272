package io.edgeslice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * How busy this machine's cores were over chosen stretches of a benchmark, from Linux's
 * {@code /proc/stat}: the share of all cores' time that was neither idle nor waiting for I/O (time
 * the hypervisor gave to others counts as busy: it was not ours to use). Whether a pipelined rate
 * below its bound left cores idle or found none free.
 */
final class MachineCpu {
    private static final Path STAT = Path.of("/proc/stat");
    private long busy;
    private long total;
    private long[] start;
    private boolean available = Files.isReadable(STAT);

    void begin() {
        start = read();
    }

    void end() {
        long[] now = read();
        if (now != null && start != null) {
            busy += now[0] - start[0];
            total += now[1] - start[1];
        }
    }

    /** The busy share of all cores' time over the stretches counted, or empty where /proc/stat is missing. */
    OptionalDouble busyShare() {
        return available && total > 0 ? OptionalDouble.of((double) busy / total) : OptionalDouble.empty();
    }

    /** {busy, total} ticks of all cores, or null if unreadable. */
    private long[] read() {
        if (!available) {
            return null;
        }
        try {
            // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest time is already in user
            String[] f = Files.readAllLines(STAT).get(0).trim().split("\\s+");
            long[] t = Arrays.stream(f, 1, Math.min(f.length, 9)).mapToLong(Long::parseLong).toArray();
            long sum = Arrays.stream(t).sum();
            long idle = t[3] + (t.length > 4 ? t[4] : 0);
            return new long[] {sum - idle, sum};
        } catch (IOException | RuntimeException e) {
            available = false;
            return null;
        }
    }
}
