package io.edgeslice.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CPU limit for whole processes: a control group of their own whose CFS bandwidth lets them use
 * at most {@code cpus} cores' worth of time, as a container's {@code --cpus} does (cgroup v2
 * {@code cpu.max}, or v1 {@code cpu.cfs_quota_us}). With it one machine stands in for several
 * smaller devices, each agent on a device of its own. Needs write access to the cgroup file system
 * (root, or a delegated subtree); {@link #unavailable()} says why not when it is missing.
 *
 * <p>Groups are made under {@code edgeslice/} at the top of the hierarchy this process sees, named
 * after their purpose and the creating process's pid; {@link #close()} moves what is left in a group
 * back to where this process started and removes it, and groups left behind by processes that
 * were killed are removed by the next {@link #create}.
 */
public final class CpuQuota implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CpuQuota.class);

    /**
     * The scheduling period. Short, so that a run of tens of milliseconds is slowed evenly: with the
     * kernel's default of 100 ms, a slice that ran 45 ms one at a time often finished inside one
     * period's quota (unslowed), and a pipelined one did not.
     */
    public static final Duration PERIOD = Duration.ofMillis(10);
    /** The smallest limit accepted: the kernel refuses a quota under 1 ms per period. */
    public static final double MIN_CPUS = 0.1;

    private static final String TOP = "edgeslice";

    /** A cgroup hierarchy with the cpu controller: where its groups live and which files set a limit. */
    private record Hierarchy(Path top, boolean v2, Path origin) {
        /** Which cgroup version, and the file that holds the limit. */
        String kind() {
            return v2 ? "cgroup v2 cpu.max" : "cgroup v1 cpu.cfs_quota_us";
        }

        String describe() {
            return kind() + " under " + top;
        }
    }

    private final Hierarchy hierarchy;
    private final Path group;
    private final double cpus;

    private CpuQuota(Hierarchy hierarchy, Path group, double cpus) {
        this.hierarchy = hierarchy;
        this.group = group;
        this.cpus = cpus;
    }

    /** Why no limit can be set on this machine, or empty when {@link #create} can work. */
    public static Optional<String> unavailable() {
        try (CpuQuota probe = create("probe", 1)) { // the only sure test: make a group and set its limit
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * A new group limited to {@code cpus} cores' worth of time, empty until {@link #add} moves
     * processes into it.
     *
     * @param name what the group is for (letters, digits, '-' and '_'), e.g. the agent's name
     * @throws IOException when the machine offers no cgroup cpu controller this process may write
     * @throws IllegalArgumentException when {@code cpus} is not a number of at least {@link #MIN_CPUS}
     */
    public static CpuQuota create(String name, double cpus) throws IOException {
        check("a CPU limit", cpus);
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("a CPU limit's name may hold letters, digits, '-' and '_' only, got '" + name + "'");
        }
        Hierarchy h = hierarchy();
        Path parent = h.top().resolve(TOP);
        try {
            Files.createDirectories(parent);
            if (h.v2()) { // a v2 group's children get the controller only if each ancestor hands it down
                enableCpu(h.top());
                enableCpu(parent);
            }
            removeAbandoned(parent);
            Path group = parent.resolve(name + "-" + ProcessHandle.current().pid());
            Files.createDirectories(group);
            long period = PERIOD.toNanos() / 1000;
            long quota = Math.round(cpus * period);
            if (h.v2()) {
                write(group.resolve("cpu.max"), quota + " " + period);
            } else {
                write(group.resolve("cpu.cfs_period_us"), String.valueOf(period));
                write(group.resolve("cpu.cfs_quota_us"), String.valueOf(quota));
            }
            return new CpuQuota(h, group, cpus);
        } catch (IOException e) {
            throw new IOException("cannot set a CPU limit in " + parent + " (" + h.describe() + "): " + e.getMessage(), e);
        }
    }

    /**
     * A new group as {@link #create} makes it, with process {@code pid} moved into it; no group is
     * left behind when the move fails.
     */
    public static CpuQuota limit(String name, double cpus, long pid) throws IOException {
        CpuQuota quota = create(name, cpus);
        try {
            quota.add(pid);
            return quota;
        } catch (IOException e) {
            quota.close();
            throw e;
        }
    }

    /**
     * Refuses a limit that is not a number of at least {@link #MIN_CPUS} cores, naming it as
     * {@code what} (an option's name, say).
     *
     * @throws IllegalArgumentException "WHAT must be at least 0.1 cores, got CPUS"
     */
    public static void check(String what, double cpus) {
        if (!(cpus >= MIN_CPUS) || Double.isInfinite(cpus)) {
            throw new IllegalArgumentException(what + " must be at least " + MIN_CPUS + " cores, got " + cpus);
        }
    }

    /** Moves a process, with all its threads and any it starts later, into this group. */
    public void add(long pid) throws IOException {
        try {
            write(group.resolve("cgroup.procs"), String.valueOf(pid));
        } catch (IOException e) {
            throw new IOException("cannot move process " + pid + " into " + group + ": " + e.getMessage(), e);
        }
    }

    /** The group's directory. */
    Path group() {
        return group;
    }

    /** The processes in the group now. */
    public List<Long> members() throws IOException {
        List<Long> out = new ArrayList<>();
        for (String line : Files.readAllLines(group.resolve("cgroup.procs"))) {
            if (!line.isBlank()) {
                out.add(Long.parseLong(line.trim()));
            }
        }
        return out;
    }

    /** Times the group's processes were held back for using up their quota (cpu.stat's nr_throttled). */
    public long throttledPeriods() throws IOException {
        for (String line : Files.readAllLines(group.resolve("cpu.stat"))) {
            if (line.startsWith("nr_throttled ")) {
                return Long.parseLong(line.substring("nr_throttled ".length()).trim());
            }
        }
        throw new IOException(group.resolve("cpu.stat") + " has no nr_throttled");
    }

    /** E.g. "0.60 CPU (cgroup v1 cpu.cfs_quota_us, 10 ms period)". */
    public String describe() {
        return String.format(Locale.ROOT, "%.2f CPU (%s, %d ms period)", cpus, hierarchy.kind(), PERIOD.toMillis());
    }

    @Override
    public String toString() {
        return describe() + " at " + group;
    }

    /** Moves any process still in the group back to where this process started, and removes the group. */
    @Override
    public void close() {
        try {
            for (long pid : members()) {
                try {
                    write(hierarchy.origin().resolve("cgroup.procs"), String.valueOf(pid));
                } catch (IOException e) {
                    log.debug("process {} could not leave {} ({}); it may have ended", pid, group, e.getMessage());
                }
            }
            Files.deleteIfExists(group);
        } catch (IOException e) {
            log.warn("could not remove the CPU limit's group {}: {}", group, e.getMessage());
        }
    }

    /** Removes empty groups whose creating process is gone (killed before it could close them). */
    private static void removeAbandoned(Path parent) {
        try (DirectoryStream<Path> groups = Files.newDirectoryStream(parent, Files::isDirectory)) {
            for (Path g : groups) {
                String n = g.getFileName().toString();
                int dash = n.lastIndexOf('-');
                if (dash < 0 || !n.substring(dash + 1).matches("\\d+")) {
                    continue;
                }
                long creator = Long.parseLong(n.substring(dash + 1));
                if (ProcessHandle.of(creator).isEmpty() && Files.readString(g.resolve("cgroup.procs")).isBlank()) {
                    Files.deleteIfExists(g);
                    log.info("removed {}, a CPU limit left by process {} which is gone", g, creator);
                }
            }
        } catch (IOException e) {
            log.debug("could not tidy {}: {}", parent, e.getMessage());
        }
    }

    private static void enableCpu(Path dir) throws IOException {
        String enabled = Files.readString(dir.resolve("cgroup.subtree_control"));
        if (!List.of(enabled.trim().split("\\s+")).contains("cpu")) {
            write(dir.resolve("cgroup.subtree_control"), "+cpu");
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardCharsets.US_ASCII);
    }

    /**
     * The hierarchy holding the cpu controller, from /proc/self/mountinfo: a v1 mount with cpu
     * among its options, or else the v2 mount if cpu is among its controllers.
     */
    private static Hierarchy hierarchy() throws IOException {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        if (!Files.isReadable(mountinfo)) {
            throw new IOException("CPU limits need Linux control groups; this system has no " + mountinfo);
        }
        Path v2 = null;
        String v2Root = "/";
        for (String line : Files.readAllLines(mountinfo)) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) {
                continue;
            }
            String[] fields = halves[0].split(" ");
            String[] fs = halves[1].split(" ");
            Path mountPoint = Path.of(fields[4].replace("\\040", " "));
            if (fs[0].equals("cgroup") && fs.length > 2 && List.of(fs[2].split(",")).contains("cpu")) {
                return new Hierarchy(mountPoint, false, mountPoint.resolve(ownGroup("cpu", fields[3])));
            }
            if (fs[0].equals("cgroup2") && v2 == null) {
                v2 = mountPoint;
                v2Root = fields[3];
            }
        }
        if (v2 != null && Files.isReadable(v2.resolve("cgroup.controllers"))
                && List.of(Files.readString(v2.resolve("cgroup.controllers")).trim().split("\\s+")).contains("cpu")) {
            return new Hierarchy(v2, true, v2.resolve(ownGroup("", v2Root)));
        }
        throw new IOException("no cgroup hierarchy with the cpu controller is mounted (see /proc/self/mountinfo)");
    }

    /**
     * This process's group in the hierarchy of {@code controller} ("" for v2), from /proc/self/cgroup,
     * relative to the mount (whose root in the hierarchy is {@code mountRoot}).
     */
    private static String ownGroup(String controller, String mountRoot) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && (controller.isEmpty() ? f[0].equals("0") && f[1].isEmpty() : List.of(f[1].split(",")).contains(controller))) {
                String path = f[2];
                if (!mountRoot.equals("/") && path.startsWith(mountRoot)) {
                    path = path.substring(mountRoot.length());
                }
                return path.startsWith("/") ? path.substring(1) : path;
            }
        }
        return "";
    }
}
