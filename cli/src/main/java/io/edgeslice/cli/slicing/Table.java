package io.edgeslice.cli.slicing;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] right;

    /** Headers ending in ">" are right-aligned (the marker is not printed). */
    Table(String... headers) {
        right = new boolean[headers.length];
        String[] h = new String[headers.length];
        for (int i = 0; i < headers.length; i++) {
            right[i] = headers[i].endsWith(">");
            h[i] = right[i] ? headers[i].substring(0, headers[i].length() - 1) : headers[i];
        }
        rows.add(h);
    }

    Table row(Object... cells) {
        String[] r = new String[right.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
        }
        rows.add(r);
        return this;
    }

    void print() {
        int[] width = new int[right.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String pad = " ".repeat(width[i] - r[i].length());
                boolean last = i == r.length - 1;
                sb.append(right[i] ? pad + r[i] : last ? r[i] : r[i] + pad).append(last ? "" : "  ");
            }
            System.out.println(sb.toString().stripTrailing());
        }
    }
}
