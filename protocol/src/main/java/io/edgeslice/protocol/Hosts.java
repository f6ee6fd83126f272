package io.edgeslice.protocol;

import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Host names, and the address peers should use to reach this process (agents and clients advertise it). */
public final class Hosts {
    private static final Pattern TCP = Pattern.compile("tcp://(\\[[^\\]]+\\]|[^:/\\[\\]]+):(\\d+)/?");

    private Hosts() {
    }

    public static String hostname() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            if (h != null && !h.isBlank()) {
                return h;
            }
        } catch (Exception e) {
            // a host without a resolvable name still needs one; fall through
        }
        String env = System.getenv("HOSTNAME");
        return env != null && !env.isBlank() ? env : "edge-agent";
    }

    /**
     * Whether a {@code tcp://HOST:PORT} endpoint is on this machine: its host is a loopback address
     * or an address of one of this machine's interfaces. May resolve a host name (callers cache the
     * answer per endpoint); false for anything it cannot resolve.
     */
    public static boolean isLocal(String endpoint) {
        Matcher m = TCP.matcher(endpoint);
        if (!m.matches()) {
            return false;
        }
        try {
            InetAddress a = InetAddress.getByName(m.group(1).replace("[", "").replace("]", ""));
            return a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * The host to advertise: the configured one, else the local address of the interface that
     * routes to the broker (a connected UDP socket picks the route; no packet is sent), else the
     * host name.
     */
    public static String advertised(String configured, String brokerEndpoint) {
        if (configured != null) {
            return configured;
        }
        Matcher m = TCP.matcher(brokerEndpoint);
        if (m.matches() && !m.group(1).equals("*")) {
            String host = m.group(1).replace("[", "").replace("]", "");
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(InetAddress.getByName(host), Integer.parseInt(m.group(2)));
                InetAddress local = probe.getLocalAddress();
                if (local != null && !local.isAnyLocalAddress()) {
                    return local instanceof Inet6Address ? "[" + local.getHostAddress().replaceFirst("%.*$", "") + "]" : local.getHostAddress();
                }
            } catch (Exception e) {
                // unresolvable broker host or no route: the host name is the best remaining guess
            }
        }
        return hostname();
    }
}
