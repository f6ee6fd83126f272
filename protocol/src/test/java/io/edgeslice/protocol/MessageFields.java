package io.edgeslice.protocol;

import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flattens a message record into {@code path: value} pairs, the form docs/protocol.md uses to
 * describe the decoded fields of an example. Generic over record components, so a field added to a
 * record shows up (and must be documented) without touching this class.
 *
 * <p>Nested records become {@code outer.inner}; lists of records or tensors become {@code list[i].x};
 * lists of plain values are written inline as {@code [a, b]}; a tensor becomes name, dtype, shape and
 * values (its elements widened to double, integers without a fraction); a byte buffer becomes
 * space-separated hex.
 */
final class MessageFields {
    private MessageFields() {
    }

    static Map<String, String> flatten(Record r) {
        Map<String, String> out = new LinkedHashMap<>();
        addRecord("", r, out);
        return out;
    }

    private static void addRecord(String prefix, Record r, Map<String, String> out) {
        if (r instanceof Tensor t) {
            out.put(prefix + "name", t.name());
            out.put(prefix + "dtype", t.dtype().name());
            out.put(prefix + "shape", inline(toList(t.shape())));
            out.put(prefix + "values", inline(values(t)));
            return;
        }
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName(), e);
            }
            add(prefix + c.getName(), v, out);
        }
    }

    private static void add(String key, Object v, Map<String, String> out) {
        if (v instanceof Record rec) {
            addRecord(key + ".", rec, out);
        } else if (v instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Record) {
            for (int i = 0; i < list.size(); i++) {
                addRecord(key + "[" + i + "].", (Record) list.get(i), out);
            }
        } else if (v instanceof List<?> list) {
            out.put(key, inline(list));
        } else {
            out.put(key, scalar(v));
        }
    }

    static String scalar(Object v) {
        if (v instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return HexFormat.ofDelimiter(" ").formatHex(bytes);
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        return String.valueOf(v);
    }

    private static String inline(List<?> items) {
        List<String> parts = new ArrayList<>(items.size());
        items.forEach(i -> parts.add(scalar(i)));
        return "[" + String.join(", ", parts) + "]";
    }

    private static List<Long> toList(long[] a) {
        List<Long> l = new ArrayList<>(a.length);
        for (long x : a) {
            l.add(x);
        }
        return l;
    }

    private static List<String> values(Tensor t) {
        boolean floating = t.dtype() == DType.FLOAT16 || t.dtype() == DType.FLOAT32 || t.dtype() == DType.FLOAT64;
        List<String> l = new ArrayList<>();
        for (double d : t.toDoubles()) {
            l.add(floating ? Double.toString(d) : Long.toString((long) d));
        }
        return l;
    }
}
