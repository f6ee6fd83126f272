package io.edgeslice.cli;

import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerConfig;
import io.edgeslice.broker.Ticker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a headless broker: the Metric Table, the task queue and model store.")
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "5555", description = "Control port (ROUTER) for agents and clients (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "*", description = "Interface address to bind (default: all).")
    String bind;

    @Option(names = "--store", defaultValue = "memory", description = "memory (default) or redis://HOST:PORT.")
    String store;

    @Option(names = "--model-dir", description = "Where uploaded models are kept (default: ~/.edgeslice/broker-PORT/models).")
    Path modelDir;

    @Option(names = "--max-message-mb", defaultValue = "256", description = "Largest task message accepted, in MiB (default: ${DEFAULT-VALUE}).")
    long maxMessageMb;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        }
        Path dir = modelDir != null ? modelDir : Path.of(System.getProperty("user.home"), ".edgeslice", "broker-" + port, "models");
        BrokerConfig config = new BrokerConfig("tcp://" + bind + ":" + port, maxMessageMb << 20, BrokerConfig.DEFAULT_MAX_MODEL_BYTES, dir,
                Ticker.system());
        Broker broker = Broker.start(config, StoreOption.open(store));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            done.countDown();
        }, "edgeslice-broker-shutdown"));
        System.err.println("edgeslice broker on tcp://" + bind + ":" + broker.port() + " (store " + broker.store().describe() + "); Ctrl-C stops");
        done.await();
        return 0;
    }
}
