package io.edgeslice.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.client.LinkSpeed;
import io.edgeslice.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LinkCacheTest {
    private final AtomicLong now = new AtomicLong();
    private final LinkCache cache = new LinkCache(Duration.ofMinutes(5), now::get);
    private final List<LinkSpeed> links = List.of(new LinkSpeed("client", "a1", 940, 0.2), new LinkSpeed("a1", "client", 930, 0.2));

    private static Message.AgentRow agent(String name, String endpoint) {
        return new Message.AgentRow(name, "h", "amd64", 4, "healthy", 1, 1, 2, 0.1, 0, 100, List.of(), 0, 0, endpoint, "");
    }

    @Test
    void theSameAgentsReuseTheirLinksUntilTheyAreTooOld() {
        List<Message.AgentRow> agents = List.of(agent("a1", "tcp://10.0.0.1:7000"), agent("a2", "tcp://10.0.0.2:7000"));
        assertThat(cache.get(agents, "client")).isEmpty();
        cache.put(agents, "client", links);

        now.addAndGet(Duration.ofMinutes(4).toNanos());
        assertThat(cache.get(List.of(agents.get(1), agents.get(0)), "client")).as("in any order").contains(links);
        assertThat(cache.age()).isEqualTo(Duration.ofMinutes(4));

        now.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThat(cache.get(agents, "client")).as("six minutes old").isEmpty();
    }

    @Test
    void anotherAgentAMovedEndpointOrAnotherClientMeasureAgain() {
        List<Message.AgentRow> agents = List.of(agent("a1", "tcp://10.0.0.1:7000"));
        cache.put(agents, "client", links);
        assertThat(cache.get(List.of(agent("a1", "tcp://10.0.0.1:7000"), agent("a2", "tcp://10.0.0.2:7000")), "client")).isEmpty();
        assertThat(cache.get(List.of(agent("a1", "tcp://10.0.0.9:7000")), "client")).isEmpty();
        assertThat(cache.get(agents, "client-2")).isEmpty();
        assertThat(cache.get(agents, "client")).contains(links);
    }
}
