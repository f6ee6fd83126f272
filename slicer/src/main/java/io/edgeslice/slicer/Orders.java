package io.edgeslice.slicer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Computes the orders of {@link Order} over the compute (not free) nodes of a graph. */
final class Orders {
    private Orders() {
    }

    /** The order, as node indices; null for {@link Order#FILE} when the file is not topologically sorted. */
    static int[] compute(Graph g, Order order) {
        return switch (order) {
            case FILE -> file(g);
            case FORWARD -> forward(g);
            case BACKWARD -> backward(g);
        };
    }

    private static int[] file(Graph g) {
        Set<Integer> done = new HashSet<>();
        for (int node : g.computeNodes) {
            for (int p : producers(g, node)) {
                if (!done.contains(p)) {
                    return null;
                }
            }
            done.add(node);
        }
        return g.computeNodes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Compute nodes that produce what {@code node} reads; free nodes never count. */
    private static Set<Integer> producers(Graph g, int node) {
        Set<Integer> p = new LinkedHashSet<>();
        for (String in : g.reads.get(node)) {
            Integer src = g.producer.get(in);
            if (src != null && !g.freeOutputs.containsKey(in)) {
                p.add(src);
            }
        }
        return p;
    }

    /** Kahn's algorithm with a stack: the newest ready node runs next, so branches finish in turn. */
    private static int[] forward(Graph g) {
        Map<Integer, Integer> pending = new HashMap<>();
        Map<Integer, List<Integer>> consumers = new HashMap<>();
        for (int node : g.computeNodes) {
            Set<Integer> p = producers(g, node);
            pending.put(node, p.size());
            for (int src : p) {
                consumers.computeIfAbsent(src, k -> new ArrayList<>()).add(node);
            }
        }
        Deque<Integer> ready = new ArrayDeque<>();
        pushReversed(ready, g.computeNodes.stream().filter(n -> pending.get(n) == 0).toList());
        int[] out = new int[g.computeNodes.size()];
        int k = 0;
        while (!ready.isEmpty()) {
            int node = ready.pop();
            out[k++] = node;
            List<Integer> now = new ArrayList<>();
            for (int c : consumers.getOrDefault(node, List.of())) {
                if (pending.merge(c, -1, Integer::sum) == 0) {
                    now.add(c);
                }
            }
            pushReversed(ready, now);
        }
        if (k != out.length) {
            throw new SlicingException("the model graph has a cycle; " + (out.length - k) + " nodes can never run");
        }
        return out;
    }

    /** Pushes so that the first element of {@code nodes} (earliest in the file) pops first. */
    private static void pushReversed(Deque<Integer> stack, List<Integer> nodes) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            stack.push(nodes.get(i));
        }
    }

    /** Iterative post-order DFS from the graph outputs, then from any node no output depends on. */
    private static int[] backward(Graph g) {
        List<Integer> roots = new ArrayList<>();
        g.modelOutputs.forEach(o -> {
            Integer p = g.producer.get(o.getName());
            if (p != null && !g.freeOutputs.containsKey(o.getName())) {
                roots.add(p);
            }
        });
        roots.addAll(g.computeNodes);
        int[] out = new int[g.computeNodes.size()];
        int k = 0;
        Set<Integer> done = new HashSet<>();
        Set<Integer> onStack = new HashSet<>();
        for (int root : roots) {
            if (done.contains(root)) {
                continue;
            }
            Deque<Integer> stack = new ArrayDeque<>();
            Deque<java.util.Iterator<Integer>> pendingInputs = new ArrayDeque<>();
            stack.push(root);
            onStack.add(root);
            pendingInputs.push(producers(g, root).iterator());
            while (!stack.isEmpty()) {
                java.util.Iterator<Integer> it = pendingInputs.peek();
                if (it.hasNext()) {
                    int p = it.next();
                    if (onStack.contains(p)) {
                        throw new SlicingException("the model graph has a cycle through node " + g.describe(p));
                    }
                    if (!done.contains(p)) {
                        stack.push(p);
                        onStack.add(p);
                        pendingInputs.push(producers(g, p).iterator());
                    }
                } else {
                    int node = stack.pop();
                    pendingInputs.pop();
                    onStack.remove(node);
                    done.add(node);
                    out[k++] = node;
                }
            }
        }
        return out;
    }
}
