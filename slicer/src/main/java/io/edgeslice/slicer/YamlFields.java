package io.edgeslice.slicer;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Typed access to a parsed YAML tree, with messages that say what was expected where. */
final class YamlFields {
    private YamlFields() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String what, Set<String> allowed) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new SlicingException(what + " must be a mapping, got " + describe(o));
        }
        Set<String> unknown = new TreeSet<>();
        m.keySet().forEach(k -> {
            if (!allowed.contains(String.valueOf(k))) {
                unknown.add(String.valueOf(k));
            }
        });
        if (!unknown.isEmpty()) {
            throw new SlicingException(what + " has unknown keys " + unknown + "; allowed: " + new TreeSet<>(allowed));
        }
        return (Map<String, Object>) m;
    }

    static List<?> list(Object o, String what) {
        if (!(o instanceof List<?> l)) {
            throw new SlicingException(what + " must be a list, got " + describe(o));
        }
        return l;
    }

    static String string(Object o, String what) {
        if (o == null) {
            throw new SlicingException(what + " is missing");
        }
        if (o instanceof Map || o instanceof List) {
            throw new SlicingException(what + " must be a string, got " + describe(o));
        }
        return String.valueOf(o);
    }

    static double number(Object o, String what) {
        if (!(o instanceof Number n)) {
            throw new SlicingException(what + " must be a number, got " + describe(o));
        }
        return n.doubleValue();
    }

    private static String describe(Object o) {
        return o == null ? "nothing" : o instanceof Map ? "a mapping" : o instanceof List ? "a list" : "'" + o + "'";
    }
}
