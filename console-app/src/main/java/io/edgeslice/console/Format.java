package io.edgeslice.console;

import java.util.Locale;

/** How the console writes numbers; "no data" is always "—", never a zero. */
public final class Format {
    /** Shown wherever a value is unknown (no heartbeat yet, no samples). */
    public static final String NONE = "—";

    private Format() {
    }

    /** 0.5 KB, 12.3 MB, 1.2 GB (decimal units, like the broker's messages); negative means unknown. */
    public static String bytes(long bytes) {
        if (bytes < 0) {
            return NONE;
        }
        if (bytes < 1000) {
            return bytes + " B";
        }
        double v = bytes;
        String[] units = {"KB", "MB", "GB", "TB"};
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    /** CPU or any percentage; negative means unknown. */
    public static String percent(double p) {
        return p < 0 || Double.isNaN(p) ? NONE : String.format(Locale.ROOT, "%.0f %%", p);
    }

    /** Used over total memory, e.g. "1.2 GB / 8.0 GB"; an unknown used value stays visible as such. */
    public static String memory(long used, long total) {
        return (used < 0 ? NONE : bytes(used)) + " / " + (total <= 0 ? NONE : bytes(total));
    }

    public static String load(double load) {
        return load < 0 || Double.isNaN(load) ? NONE : String.format(Locale.ROOT, "%.2f", load);
    }

    /** How long ago: "0.4 s ago", "12 s ago", "3 min ago". */
    public static String age(long ms) {
        if (ms < 0) {
            return NONE;
        }
        if (ms < 10_000) {
            return String.format(Locale.ROOT, "%.1f s ago", ms / 1000.0);
        }
        if (ms < 120_000) {
            return ms / 1000 + " s ago";
        }
        return ms / 60_000 + " min ago";
    }

    public static String rate(double perSecond) {
        return perSecond < 0 || Double.isNaN(perSecond) ? NONE : String.format(Locale.ROOT, perSecond < 10 ? "%.1f/s" : "%.0f/s", perSecond);
    }

    public static String millis(double ms) {
        return ms < 0 || Double.isNaN(ms) ? NONE : String.format(Locale.ROOT, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
    }

    /** The first 12 hex digits of a SHA-256, as the broker's events print them. */
    public static String shortHash(String hash) {
        return hash.length() <= 12 ? hash : hash.substring(0, 12);
    }
}
