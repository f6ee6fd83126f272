package io.edgeslice.cli;

import io.edgeslice.agent.AgentConfig;
import io.edgeslice.agent.CpuQuota;
import io.edgeslice.agent.EdgeAgent;
import io.edgeslice.protocol.SharedMemory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run a headless edge agent: registers with the broker, heartbeats, runs the models it is sent.")
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--broker", required = true, description = "Broker endpoint, e.g. tcp://192.168.1.10:5555.")
    String broker;

    @Option(names = "--name", description = "Name in the Metric Table (default: the host name).")
    String name;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime threads per model (default: all cores).")
    int threads;

    @Option(names = "--slots", defaultValue = "1", description = "Tasks run at the same time (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--cache-dir", description = "Model cache (default: ~/.edgeslice/agent-NAME/models).")
    Path cacheDir;

    @Option(names = "--cache-mb", defaultValue = "4096", description = "Disk budget of the model cache in MiB; least recently used models leave first (default: ${DEFAULT-VALUE}).")
    long cacheMb;

    @Option(names = "--advertise", description = "Host or address peers use to reach this agent's data endpoint "
            + "(default: the address of the interface that routes to the broker).")
    String advertise;

    @Option(names = "--shared-memory", defaultValue = "/dev/shm", paramLabel = "DIR|off",
            description = "Directory of shared memory through which activations travel to and from agents on this machine, "
                    + "or 'off' to send them through sockets only (default: ${DEFAULT-VALUE}).")
    String sharedMemory;

    @Option(names = "--cpus", paramLabel = "CORES", description = "Limit this agent to CORES cores' worth of CPU time (e.g. 0.5), "
            + "in a control group of its own, as a container's --cpus does: one machine can stand in for several smaller devices. "
            + "Needs write access to the cgroup file system (root). With a limit, --threads defaults to it, rounded (at least 1).")
    Double cpus;

    @Override
    public Integer call() throws Exception {
        if (!broker.matches("tcp://[^:]+:\\d+")) {
            throw new IllegalArgumentException("--broker must look like tcp://HOST:PORT, got '" + broker + "'");
        }
        if (threads < 0 || slots < 1) {
            throw new IllegalArgumentException("--threads must be >= 0 and --slots >= 1");
        }
        if (cacheMb < 1) {
            throw new IllegalArgumentException("--cache-mb must be at least 1");
        }
        if (cpus != null) {
            CpuQuota.check("--cpus", cpus);
        }
        // before anything runs, so that the agent's every thread (and its compute from the first) is in the limit
        CpuQuota quota = cpus == null ? null
                : CpuQuota.limit("agent-" + (name == null ? "host" : name.replaceAll("[^A-Za-z0-9_-]", "_")), cpus, ProcessHandle.current().pid());
        if (quota != null && threads == 0) {
            threads = Math.max(1, (int) Math.round(cpus));
        }
        if (!sharedMemory.equals("off") && !SharedMemory.enable(Path.of(sharedMemory))) {
            System.err.println("edgeslice agent: shared memory is off: " + sharedMemory + " is not a writable directory");
        }
        AgentConfig config = new AgentConfig(broker, name, threads, slots, cacheDir, advertise, null, null, cacheMb << 20, null);
        EdgeAgent agent = new EdgeAgent(config);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            if (quota != null) {
                quota.close();
            }
            done.countDown();
        }, "edgeslice-agent-shutdown"));
        agent.start();
        System.err.println("edgeslice agent " + config.name() + " -> " + broker + " (" + config.threads() + " threads, " + config.slots()
                + " slots, cache " + config.cacheDir() + (quota == null ? "" : ", limited to " + quota.describe()) + "); Ctrl-C stops");
        done.await();
        return 0;
    }
}
