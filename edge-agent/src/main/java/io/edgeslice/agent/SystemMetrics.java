package io.edgeslice.agent;

import io.edgeslice.protocol.Message;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;
import java.util.UUID;

/** What the machine is and how busy it is, for READY and HEARTBEAT. */
final class SystemMetrics {
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final com.sun.management.OperatingSystemMXBean sun =
            os instanceof com.sun.management.OperatingSystemMXBean s ? s : null;

    Message.Capabilities capabilities(String host, int slots) {
        return new Message.Capabilities(host, System.getProperty("os.arch"), System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(), totalMemory(), InferenceEngine.availableProviders(), slots,
                io.edgeslice.slicer.OrtTarget.local());
    }

    Message.Heartbeat heartbeat(long seq, List<UUID> inflight, List<String> cachedModels, long done, long failed) {
        long total = totalMemory();
        long used = sun == null ? 0 : Math.max(0, total - sun.getFreeMemorySize());
        return new Message.Heartbeat(seq, cpuPercent(), used, total, os.getSystemLoadAverage(), inflight, cachedModels, done, failed);
    }

    /** System-wide CPU use since the previous call, 0 to 100 (0 where the JVM cannot tell). */
    private double cpuPercent() {
        double load = sun == null ? -1 : sun.getCpuLoad();
        return Double.isNaN(load) || load < 0 ? 0 : Math.min(100, load * 100);
    }

    private long totalMemory() {
        return sun == null ? Runtime.getRuntime().maxMemory() : sun.getTotalMemorySize();
    }
}
