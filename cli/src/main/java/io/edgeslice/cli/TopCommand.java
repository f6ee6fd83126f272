package io.edgeslice.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message.AgentRow;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "top", mixinStandardHelpOptions = true, description = "Show the live Metric Table, like docker stats.")
final class TopCommand implements Callable<Integer> {
    @Option(names = "--broker", required = true, description = "Broker endpoint, e.g. tcp://127.0.0.1:5555.")
    String broker;

    @Option(names = "--once", description = "Print the table once and exit.")
    boolean once;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(names = "--interval-ms", defaultValue = "1000", description = "Refresh interval (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    @Override
    public Integer call() throws Exception {
        try (EdgeSliceClient client = new EdgeSliceClient(broker)) {
            while (true) {
                List<AgentRow> rows = client.agents(Duration.ofSeconds(10));
                // lost agents first, so trouble is seen at the top
                rows = rows.stream().sorted(Comparator.comparing((AgentRow r) -> !r.state().equals("lost")).thenComparing(AgentRow::name)).toList();
                if (!once && !json) {
                    System.out.print("\033[H\033[2J");
                }
                System.out.println(json ? Json.line(toJson(rows)) : table(rows));
                if (once) {
                    return 0;
                }
                Thread.sleep(intervalMs);
            }
        }
    }

    static ObjectNode toJson(List<AgentRow> rows) {
        ObjectNode root = Json.object();
        ArrayNode agents = root.putArray("agents");
        for (AgentRow r : rows) {
            ObjectNode a = agents.addObject().put("id", r.name()).put("name", r.name()).put("state", r.state())
                    .put("host", r.host()).put("arch", r.arch()).put("cores", r.cores());
            if (r.cpuPercent() < 0) {
                a.putNull("cpu");
                a.putNull("memory");
            } else {
                a.put("cpu", Percentiles.round(r.cpuPercent()));
                a.put("memory", r.memoryUsedBytes());
            }
            a.put("memory_total", r.memoryTotalBytes()).put("inflight", r.inflight()).put("heartbeat_age_ms", r.heartbeatAgeMs())
                    .put("tasks_done", r.tasksDone()).put("tasks_failed", r.tasksFailed());
            ArrayNode models = a.putArray("models");
            r.models().forEach(models::add);
        }
        return root;
    }

    static String table(List<AgentRow> rows) {
        StringBuilder sb = new StringBuilder(String.format("%-16s %-8s %-16s %-8s %5s %7s %15s %6s %5s %7s %6s %s%n", "AGENT", "STATE", "HOST", "ARCH",
                "CORES", "CPU%", "MEM", "LOAD", "TASKS", "DONE", "AGE", "MODELS"));
        for (AgentRow r : rows) {
            String cpu = r.cpuPercent() < 0 ? "-" : String.format("%.1f", r.cpuPercent());
            String mem = r.memoryUsedBytes() < 0 ? "-" : String.format("%.1f/%.1fG", r.memoryUsedBytes() / 1e9, r.memoryTotalBytes() / 1e9);
            String load = r.loadAverage() < 0 ? "-" : String.format("%.2f", r.loadAverage());
            String models = String.join(",", r.models().stream().map(Hashing::shortHash).toList());
            sb.append(String.format("%-16s %-8s %-16s %-8s %5d %7s %15s %6s %5d %7d %5.1fs %s%n", r.name(), r.state(), r.host(), r.arch(), r.cores(),
                    cpu, mem, load, r.inflight(), r.tasksDone(), r.heartbeatAgeMs() / 1000.0, models.isEmpty() ? "-" : models));
        }
        if (rows.isEmpty()) {
            sb.append("(no agents have registered)\n");
        }
        return sb.toString().stripTrailing();
    }
}
