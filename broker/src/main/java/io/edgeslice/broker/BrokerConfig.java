package io.edgeslice.broker;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a broker runs.
 *
 * @param bindEndpoint    ZeroMQ endpoint of the control ROUTER, e.g. {@code tcp://*:5555}
 * @param maxMessageBytes a SUBMIT above this is answered TOO_LARGE (frames above twice it are cut by ZeroMQ)
 * @param maxModelBytes   largest model a client may upload
 * @param modelDir        where uploaded models are kept (content-addressed by SHA-256)
 * @param ticker          monotonic clock for heartbeats, leases and deadlines
 */
public record BrokerConfig(String bindEndpoint, long maxMessageBytes, long maxModelBytes, Path modelDir, Ticker ticker) {
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 256L << 20;
    public static final long DEFAULT_MAX_MODEL_BYTES = 2L << 30;

    public BrokerConfig {
        Objects.requireNonNull(bindEndpoint, "bindEndpoint");
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(ticker, "ticker");
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + maxMessageBytes);
        }
    }

    public static BrokerConfig onPort(int port, Path modelDir) {
        return new BrokerConfig("tcp://*:" + port, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_MODEL_BYTES, modelDir, Ticker.system());
    }

    public BrokerConfig withMaxMessageBytes(long bytes) {
        return new BrokerConfig(bindEndpoint, bytes, maxModelBytes, modelDir, ticker);
    }

    public BrokerConfig withTicker(Ticker t) {
        return new BrokerConfig(bindEndpoint, maxMessageBytes, maxModelBytes, modelDir, t);
    }
}
