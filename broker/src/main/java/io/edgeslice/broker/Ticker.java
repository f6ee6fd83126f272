package io.edgeslice.broker;

/** A source of monotonic time, injectable so heartbeat and lease timeouts can be tested. */
@FunctionalInterface
public interface Ticker {
    /** Monotonic nanoseconds; only differences are meaningful. */
    long nanos();

    static Ticker system() {
        return System::nanoTime;
    }
}
