package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterTest {
    @TempDir
    Path dir;

    private Cluster load(String yaml) throws Exception {
        Path file = dir.resolve("nodes.yaml");
        Files.writeString(file, yaml);
        return Cluster.load(file);
    }

    private static final String NODES = """
            nodes:
              - {name: pi, speed: 0.15}
              - {name: edge, speed: 1.0}
            """;

    @Test
    void readsTheExampleCluster() {
        Cluster c = Cluster.load(SampleModels.repoRoot().resolve("slicer/examples/nodes.yaml"));
        assertThat(c.nodeNames()).containsExactly("pi", "edge", "cloud");
        assertThat(c.nodes()).extracting(Cluster.Node::speed).containsExactly(0.15, 1.0, 4.0);
        assertThat(c.source()).isEqualTo("pi");
        assertThat(c.sink()).isEqualTo("pi");
        assertThat(c.link("cloud", "edge")).isEqualTo(new Cluster.Link("edge", "cloud", 50, 30));
        assertThat(c.link("pi", "cloud").mbps()).isEqualTo(20);
    }

    @Test
    void aListedReverseDirectionOverridesTheSymmetricDefault() throws Exception {
        Cluster c = load(NODES + """
                source: pi
                links:
                  - {from: pi, to: edge, mbps: 10, ms: 2}
                  - {from: edge, to: pi, mbps: 100, ms: 3}
                """);
        assertThat(c.link("pi", "edge").mbps()).isEqualTo(10);
        assertThat(c.link("edge", "pi").mbps()).isEqualTo(100);
        assertThat(c.sink()).as("sink defaults to the source").isEqualTo("pi");
    }

    @Test
    void rejectsALinkToAnUnknownNode() throws Exception {
        assertThatThrownBy(() -> load(NODES + """
                source: pi
                links:
                  - {from: pi, to: gpu, mbps: 10, ms: 2}
                """)).isInstanceOf(SlicingException.class).hasMessageContaining("unknown node 'gpu'").hasMessageContaining("nodes.yaml");
    }

    @Test
    void rejectsAnUnknownSourceOrSink() throws Exception {
        String links = "links:\n  - {from: pi, to: edge, mbps: 10, ms: 2}\n";
        assertThatThrownBy(() -> load(NODES + links + "source: phone\n")).isInstanceOf(SlicingException.class)
                .hasMessageContaining("source names unknown node 'phone'");
        assertThatThrownBy(() -> load(NODES + links + "source: pi\nsink: cloud\n")).hasMessageContaining("sink names unknown node 'cloud'");
        assertThatThrownBy(() -> load(NODES + links)).hasMessageContaining("source is missing");
    }

    @Test
    void rejectsMissingLinks() throws Exception {
        assertThatThrownBy(() -> load(NODES + "source: pi\n")).isInstanceOf(SlicingException.class)
                .hasMessageContaining("links are missing: no link between 'pi' and 'edge'");
        assertThatThrownBy(() -> load("""
                nodes: [{name: a}, {name: b}, {name: c}]
                source: a
                links:
                  - {from: a, to: b, mbps: 10, ms: 1}
                  - {from: b, to: c, mbps: 10, ms: 1}
                """)).hasMessageContaining("no link between 'a' and 'c'");
    }

    @Test
    void rejectsBadValuesAndTypos() throws Exception {
        String links = "source: pi\nlinks:\n  - {from: pi, to: edge, mbps: 10, ms: 2}\n";
        assertThatThrownBy(() -> load("nodes:\n  - {name: pi, speed: 0}\n  - {name: edge}\n" + links)).hasMessageContaining("node 'pi' has speed 0.0");
        assertThatThrownBy(() -> load("nodes:\n  - {name: pi, sped: 2}\n  - {name: edge}\n" + links)).hasMessageContaining("unknown keys [sped]");
        assertThatThrownBy(() -> load("nodes:\n  - {name: pi}\n  - {name: pi}\n" + links)).hasMessageContaining("node 'pi' is listed twice");
        assertThatThrownBy(() -> load(NODES + "source: pi\nlinks:\n  - {from: pi, to: edge, mbps: fast, ms: 2}\n"))
                .hasMessageContaining("mbps of link pi-edge must be a number");
        assertThatThrownBy(() -> load(NODES + "source: pi\nlinks:\n  - {from: pi, to: edge, mbps: 0, ms: 2}\n"))
                .hasMessageContaining("mbps > 0");
        assertThatThrownBy(() -> load("nodes: [unclosed\n")).isInstanceOf(SlicingException.class).hasMessageContaining("is not valid YAML");
        assertThatThrownBy(() -> Cluster.load(dir.resolve("absent.yaml"))).hasMessageContaining("nodes file not found");
    }
}
