package io.edgeslice.slicer;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The devices a model may be spread over and the links between them, usually read from a
 * {@code nodes.yaml} (format in docs/slicer.md). A link applies in both directions unless the
 * reverse direction is listed too; every pair of nodes needs a link.
 *
 * @param nodes  the devices
 * @param links  the links as listed
 * @param source node where the input starts
 * @param sink   node where the result must end
 */
public record Cluster(List<Node> nodes, List<Link> links, String source, String sink) {
    /**
     * A device: either a speed relative to the machine a base profile was measured on, or its own profile.
     *
     * @param speed   2.0 means twice as fast as the profiled machine; ignored when {@code profile} is set
     * @param profile segment times measured on the device itself, or null
     */
    public record Node(String name, double speed, Profile profile) {
    }

    /**
     * @param mbps bandwidth in Mbit/s
     * @param ms   one-way latency in milliseconds
     */
    public record Link(String from, String to, double mbps, double ms) {
    }

    public Cluster {
        nodes = List.copyOf(nodes);
        links = List.copyOf(links);
        sink = sink == null ? source : sink;
        Set<String> names = new LinkedHashSet<>();
        for (Node n : nodes) {
            if (n.name() == null || n.name().isBlank()) {
                throw new SlicingException("a node has no name");
            }
            if (!names.add(n.name())) {
                throw new SlicingException("node '" + n.name() + "' is listed twice");
            }
            if (n.profile() == null && !(n.speed() > 0)) {
                throw new SlicingException("node '" + n.name() + "' has speed " + n.speed() + "; it must be positive");
            }
        }
        if (names.isEmpty()) {
            throw new SlicingException("no nodes are listed");
        }
        requireNode(names, source, "source");
        requireNode(names, sink, "sink");
        Set<String> pairs = new HashSet<>();
        for (Link l : links) {
            requireNode(names, l.from(), "link from '" + l.from() + "' to '" + l.to() + "': from");
            requireNode(names, l.to(), "link from '" + l.from() + "' to '" + l.to() + "': to");
            if (l.from().equals(l.to()) || !(l.mbps() > 0) || !(l.ms() >= 0)) {
                throw new SlicingException("link from '" + l.from() + "' to '" + l.to() + "' needs two different nodes, mbps > 0 and ms >= 0");
            }
            if (!pairs.add(l.from() + "\0" + l.to())) {
                throw new SlicingException("link from '" + l.from() + "' to '" + l.to() + "' is listed twice");
            }
        }
        for (String a : names) {
            for (String b : names) {
                if (!a.equals(b) && !pairs.contains(a + "\0" + b) && !pairs.contains(b + "\0" + a)) {
                    throw new SlicingException("links are missing: no link between '" + a + "' and '" + b + "'; every pair of nodes needs one");
                }
            }
        }
    }

    private static void requireNode(Set<String> names, String name, String what) {
        if (name == null) {
            throw new SlicingException(what + " is not given");
        }
        if (!names.contains(name)) {
            throw new SlicingException(what + " names unknown node '" + name + "'; the nodes are " + names);
        }
    }

    /** The link used from one node to another: the one listed for that direction, else the reverse one. */
    public Link link(String from, String to) {
        Link reverse = null;
        for (Link l : links) {
            if (l.from().equals(from) && l.to().equals(to)) {
                return l;
            }
            if (l.from().equals(to) && l.to().equals(from)) {
                reverse = l;
            }
        }
        if (reverse == null) {
            throw new SlicingException("no link between '" + from + "' and '" + to + "'");
        }
        return reverse;
    }

    public List<String> nodeNames() {
        return nodes.stream().map(Node::name).toList();
    }

    /** Reads a nodes.yaml; profile files are resolved against the YAML file's directory. */
    public static Cluster load(Path file) {
        Object doc;
        try (Reader r = Files.newBufferedReader(file)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (NoSuchFileException e) {
            throw new SlicingException("nodes file not found: " + file);
        } catch (IOException | YAMLException e) {
            throw new SlicingException(file + " is not valid YAML: " + e.getMessage(), e);
        }
        try {
            return parse(doc, file.toAbsolutePath().getParent());
        } catch (SlicingException e) {
            throw new SlicingException(file + ": " + e.getMessage(), e);
        }
    }

    static Cluster parse(Object doc, Path baseDir) {
        Map<String, Object> top = YamlFields.map(doc, "the document", Set.of("nodes", "links", "source", "sink"));
        List<Node> nodes = new ArrayList<>();
        int i = 0;
        for (Object o : YamlFields.list(top.get("nodes"), "nodes")) {
            Map<String, Object> n = YamlFields.map(o, "node " + ++i, Set.of("name", "speed", "profile"));
            String name = YamlFields.string(n.get("name"), "name of node " + i);
            Object profileFile = n.get("profile");
            if (profileFile != null && n.containsKey("speed")) {
                throw new SlicingException("node '" + name + "' gives both speed and profile; give one");
            }
            Profile profile = profileFile == null ? null : Profile.load(baseDir.resolve(YamlFields.string(profileFile, "profile of node " + name)));
            double speed = n.containsKey("speed") ? YamlFields.number(n.get("speed"), "speed of node " + name) : 1.0;
            nodes.add(new Node(name, speed, profile));
        }
        List<Link> links = new ArrayList<>();
        i = 0;
        Object rawLinks = top.get("links");
        for (Object o : rawLinks == null ? List.of() : YamlFields.list(rawLinks, "links")) {
            Map<String, Object> l = YamlFields.map(o, "link " + ++i, Set.of("from", "to", "mbps", "ms"));
            String from = YamlFields.string(l.get("from"), "from of link " + i);
            String to = YamlFields.string(l.get("to"), "to of link " + i);
            links.add(new Link(from, to, YamlFields.number(l.get("mbps"), "mbps of link " + from + "-" + to),
                    YamlFields.number(l.get("ms"), "ms of link " + from + "-" + to)));
        }
        String source = YamlFields.string(top.get("source"), "source");
        String sink = top.get("sink") == null ? null : YamlFields.string(top.get("sink"), "sink");
        return new Cluster(nodes, links, source, sink);
    }
}
