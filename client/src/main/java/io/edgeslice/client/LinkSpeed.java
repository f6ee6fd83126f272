package io.edgeslice.client;

/**
 * A measured link, from one node to another: agent names, or the client's own name.
 *
 * @param mbps bandwidth in Mbit/s
 * @param ms   one-way latency in milliseconds
 */
public record LinkSpeed(String from, String to, double mbps, double ms) {
}
