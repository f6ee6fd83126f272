package io.edgeslice.cli.slicing;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.edgeslice.slicer.ProgressListener;
import io.edgeslice.slicer.SessionSettings;
import io.edgeslice.slicer.SlicerJson;
import io.edgeslice.slicer.SlicingException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.Callable;

/** What the slicing commands share: error handling, JSON, progress and number formatting. */
final class SlicingSupport {
    static final int BAD_INPUT = 2;

    private SlicingSupport() {
    }

    /** Runs a command body; bad input becomes {@code error: <message>} on stderr and exit code 2. */
    static int run(Callable<Integer> body) {
        try {
            return body.call();
        } catch (SlicingException | IllegalArgumentException | IOException | UncheckedIOException e) {
            System.err.println("error: " + e.getMessage());
            return BAD_INPUT;
        } catch (Exception e) {
            System.err.println("error: " + e);
            return 1;
        }
    }

    static void printJson(Object value) throws JsonProcessingException {
        System.out.println(SlicerJson.mapper().writeValueAsString(value));
    }

    static SessionSettings settings(int threads) {
        return SessionSettings.DEFAULT.withThreads(threads);
    }

    /** Progress on stderr: rewritten in place on a terminal, one line per step otherwise. */
    static ProgressListener progress() {
        PrintStream err = System.err;
        boolean terminal = System.console() != null;
        return (task, done, total) -> {
            String line = String.format(Locale.ROOT, "[%d/%d] %s", done, total, task);
            if (terminal) {
                err.print("\r\033[K" + line + (done == total ? "\n" : ""));
            } else {
                err.println(line);
            }
            err.flush();
        };
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        double v = b;
        String[] units = {"KiB", "MiB", "GiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String flops(long f) {
        if (f < 1000) {
            return Long.toString(f);
        }
        String[] units = {"K", "M", "G", "T"};
        double v = f;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }

    static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
