package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerConfig;
import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.broker.DeployException;
import io.edgeslice.broker.store.InMemoryMetricTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An operator places a model on an agent (what the console's drag and drop does). */
class DeployTest {
    @TempDir
    Path dir;

    @Test
    void aDeployedModelIsFetchedByTheAgentAndListedInItsHeartbeat() throws Exception {
        try (Cluster c = Cluster.embedded(dir)) {
            Broker broker = c.broker();
            c.startAgents("a1");
            String hash = broker.importModel(TestModels.blazefaceFront());

            broker.deploy(hash, "a1").get(30, TimeUnit.SECONDS);

            assertThat(c.agent("a1").orElseThrow().models()).contains(hash);
            assertThat(Files.exists(dir.resolve("cache-a1").resolve(hash + ".onnx"))).isTrue();
            Thread.sleep(400); // snapshots are republished every 250 ms
            assertThat(broker.snapshot().events()).anyMatch(e -> e.kind() == BrokerEvent.Kind.DEPLOY_DONE && e.subject().equals("a1"));
        }
    }

    @Test
    void deploymentsToUnknownAgentsOrOfUnknownModelsAreRefused() throws Exception {
        try (Broker broker = Broker.start(BrokerConfig.onPort(0, dir.resolve("models")), new InMemoryMetricTable())) {
            String hash = broker.importModel(TestModels.blazefaceFront());
            assertThatThrownBy(() -> broker.deploy(hash, "nobody").get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(DeployException.class).hasMessageContaining("no agent named nobody");
            assertThat(broker.snapshot()).isNotNull();
        }
    }

    @Test
    void aGraphOtherThanPortableOrOptimizedOrOneWithoutStagesIsAUsageError() {
        String model = TestModels.blazefaceFront().toString();
        for (String[] bad : new String[][] {
                {"--graph", "fast", "--stages", "2", "--graph takes auto, optimized or portable, not 'fast'"},
                {"--graph", "optimized", "--placement", "0-40@a,40-93@b", "--graph goes with --stages"},
                {"--graph", "portable", "--plan", "auto", "--graph goes with --stages"}}) {
            java.io.StringWriter err = new java.io.StringWriter();
            picocli.CommandLine cl = EdgeSliceCommand.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            // refused before any broker is asked: none listens there
            int code = cl.execute("deploy", "--broker", "tcp://127.0.0.1:1", "--model", model, bad[0], bad[1], bad[2], bad[3]);
            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).contains(bad[4]);
        }
    }
}
