package io.edgeslice.cli;

import io.edgeslice.protocol.Npy;
import io.edgeslice.protocol.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads {@code --input FILE.npy} (a model's only input) or {@code --input NAME=FILE.npy}, repeated. */
final class Inputs {
    private Inputs() {
    }

    static List<Tensor> read(List<String> specs) throws IOException {
        if (specs == null || specs.isEmpty()) {
            throw new IllegalArgumentException("no --input given: pass --input FILE.npy or --input NAME=FILE.npy");
        }
        List<Tensor> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String name = "";
            String file = spec;
            if (eq > 0 && !spec.substring(0, eq).contains("/")) {
                name = spec.substring(0, eq);
                file = spec.substring(eq + 1);
            }
            Path p = Path.of(file);
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("input file " + p + " does not exist");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException(name.isEmpty() ? "more than one unnamed --input: name them NAME=FILE.npy"
                        : "input '" + name + "' given twice");
            }
            out.add(Npy.read(p, name));
        }
        if (out.size() > 1 && names.contains("")) {
            throw new IllegalArgumentException("a model with several inputs needs every --input as NAME=FILE.npy");
        }
        return out;
    }

    /** Output names become file names: characters outside A-Za-z0-9_.- are replaced by '_'. */
    static String fileName(String tensorName) {
        String s = tensorName.replaceAll("[^A-Za-z0-9_.-]", "_");
        return (s.isEmpty() || s.equals(".") || s.equals("..") ? "output" : s) + ".npy";
    }
}
