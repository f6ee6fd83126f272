package io.edgeslice.broker;

/** Counters of the loop thread, published in snapshots. */
final class BrokerStats {
    long submitted;
    long completed;
    long failed;
    long redispatched;
    long rejected;
}
