package io.edgeslice.agent;

import io.edgeslice.protocol.Hosts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

    @Test
    void unsetComponentsTakeTheirDefaults() {
        AgentConfig c = AgentConfig.of("tcp://broker:5555");
        assertThat(c.name()).isEqualTo(Hosts.hostname());
        assertThat(c.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.slots()).isEqualTo(1);
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.advertiseHost()).isNull();
        assertThat(c.clock().getAsLong()).isPositive();
        assertThat(c.peerIdle()).isEqualTo(Duration.ofSeconds(10));

        AgentConfig named = c.withName("pi/4 #2");
        assertThat(named.cacheDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".edgeslice", "agent-pi_4__2", "models"));
    }

    @Test
    void aTooShortHeartbeatIntervalIsRefused() {
        assertThatThrownBy(() -> AgentConfig.of("tcp://b:1").withHeartbeatInterval(Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatInterval");
    }

    @Test
    void aPeerIdleTimeShorterThanAStalledHandshakeCanLastIsRefused() {
        assertThat(AgentConfig.of("tcp://b:1").withPeerIdle(AgentConfig.PEER_IDLE_MIN).peerIdle()).isEqualTo(AgentConfig.PEER_IDLE_MIN);
        assertThat(AgentConfig.PEER_IDLE_MIN.toMillis()).isGreaterThan(AgentConfig.PEER_HANDSHAKE_MILLIS);
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(-1), AgentConfig.PEER_IDLE_MIN.minusMillis(1)}) {
            assertThatThrownBy(() -> AgentConfig.of("tcp://b:1").withPeerIdle(d))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("peerIdle").hasMessageContaining(d.toString());
        }
    }

    @Test
    void theAdvertisedHostIsTheConfiguredOneOrTheInterfaceTowardsTheBroker() {
        assertThat(Hosts.advertised("10.0.0.7", "tcp://127.0.0.1:5555")).isEqualTo("10.0.0.7");
        assertThat(Hosts.advertised(null, "tcp://127.0.0.1:5555")).isEqualTo("127.0.0.1");
        assertThat(Hosts.advertised(null, "tcp://*:5555")).isEqualTo(Hosts.hostname());
        assertThat(Hosts.advertised(null, "ipc://somewhere")).isEqualTo(Hosts.hostname());
    }
}
