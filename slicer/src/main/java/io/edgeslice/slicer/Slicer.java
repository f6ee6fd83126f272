package io.edgeslice.slicer;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes the slices of an analysed model and their manifest to a directory. */
public final class Slicer {
    private Slicer() {
    }

    /**
     * Cuts the model at the given interior positions and writes {@code slice-<i>.onnx} files plus
     * {@code manifest.json} to {@code outDir} (created if needed). Slice files named by a manifest
     * already in the directory are replaced.
     *
     * @param cuts strictly increasing usable positions between 0 and {@link Analysis#nodeCount()};
     *             empty for a single slice holding the whole model
     */
    public static Manifest slice(Analysis a, int[] cuts, Path outDir) {
        return slice(a, cuts, outDir, false);
    }

    /**
     * As {@link #slice(Analysis, int[], Path)}; with {@code exactAtAll} every slice is marked (in
     * its metadata_props) to run at ONNX Runtime's optimisation level all, which is only right for
     * cuts {@link ExactCuts} found exact there. Agents read the mark with {@link #runsAtLevelAll}.
     */
    public static Manifest slice(Analysis a, int[] cuts, Path outDir, boolean exactAtAll) {
        return slice(a, cuts, outDir, SliceMarks.portable(exactAtAll));
    }

    /** As {@link #slice(Analysis, int[], Path)}, every slice marked with how it must run ({@link #marks}). */
    public static Manifest slice(Analysis a, int[] cuts, Path outDir, SliceMarks marks) {
        Cuts.check(a, cuts);
        try {
            Files.createDirectories(outDir);
            if (Files.exists(outDir.resolve(Manifest.FILE_NAME))) {
                removeOldSlices(outDir);
            }
        } catch (IOException e) {
            throw new SlicingException("cannot prepare output directory " + outDir + ": " + e.getMessage(), e);
        }
        int[] bounds = new int[cuts.length + 2];
        System.arraycopy(cuts, 0, bounds, 1, cuts.length);
        bounds[bounds.length - 1] = a.nodeCount();
        List<Manifest.Slice> slices = new ArrayList<>();
        long interiorBytes = 0;
        for (int i = 0; i + 1 < bounds.length; i++) {
            int start = bounds[i];
            int end = bounds[i + 1];
            OnnxMl.ModelProto proto = Extractor.extract(a, start, end, marks);
            byte[] bytes = proto.toByteArray();
            String file = "slice-" + i + ".onnx";
            try {
                Files.write(outDir.resolve(file), bytes);
            } catch (IOException e) {
                throw new SlicingException("cannot write " + outDir.resolve(file) + ": " + e.getMessage(), e);
            }
            Cut in = a.cut(start);
            Cut out = a.cut(end);
            if (end < a.nodeCount()) {
                interiorBytes += out.bytes();
            }
            slices.add(new Manifest.Slice(Extractor.sliceId(a, start, end), start, end, file, OnnxModel.sha256(bytes),
                    in.tensors(), out.tensors(), in.bytes(), out.bytes(), out.flopsBefore() - in.flopsBefore()));
        }
        Manifest m = new Manifest(Manifest.FORMAT, a.model().fileName(), a.model().path().toString(), a.model().sha256(),
                a.order().lowerName(), a.nodeCount(), Profile.shapeLists(a.inputShapes()), a.inputs(), a.outputs(),
                new Manifest.Totals(a.totalFlops(), a.totalParams(), interiorBytes), slices);
        m.write(outDir);
        return m;
    }

    private static void removeOldSlices(Path dir) throws IOException {
        Manifest old;
        try {
            old = Manifest.read(dir);
        } catch (SlicingException e) {
            return; // not ours or unreadable: leave its files alone
        }
        for (Manifest.Slice s : old.slices()) {
            Path f = dir.resolve(s.file()).normalize();
            if (f.getParent() != null && f.getParent().equals(dir.normalize())) {
                Files.deleteIfExists(f);
            }
        }
    }

    /**
     * Whether a slice file is marked to run at ONNX Runtime's optimisation level all (cut where the
     * chain is exact there); unmarked slices run at extended, where every chain is exact.
     */
    public static boolean runsAtLevelAll(Path sliceFile) {
        return marks(sliceFile).levelAll();
    }

    /** How a slice file is marked to run: its level, and the target of the optimised graph it was cut from, if any. */
    public static SliceMarks marks(Path sliceFile) {
        OnnxMl.ModelProto proto;
        try {
            // only the metadata is wanted: no hash, no graph (OnnxModel.load does both)
            proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(sliceFile));
        } catch (IOException e) {
            throw new SlicingException("cannot read slice " + sliceFile + ": " + e.getMessage(), e);
        }
        boolean levelAll = false;
        String target = "";
        for (OnnxMl.StringStringEntryProto e : proto.getMetadataPropsList()) {
            levelAll |= e.getKey().equals(Extractor.OPTIMIZATION_KEY) && e.getValue().equals("all");
            target = e.getKey().equals(Extractor.ORT_TARGET_KEY) ? e.getValue() : target;
        }
        try {
            return new SliceMarks(levelAll, target);
        } catch (IllegalArgumentException e) { // marked for a target, but not for level all
            throw new SlicingException("slice " + sliceFile + " is marked for target " + target + ", but " + e.getMessage());
        }
    }
}
