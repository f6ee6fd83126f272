package io.edgeslice.cli.slicing;

import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cut;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.Order;
import io.edgeslice.slicer.TensorSpec;
import io.edgeslice.protocol.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgeslice analyze}: where a model can be cut and what each cut would send. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "List the positions where an ONNX model can be cut, the tensors crossing each and their size.")
public class AnalyzeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The model to analyse.")
    Path model;

    @Option(names = "--input-shape", paramLabel = "NAME=DIMS", description = "Shape of an input, e.g. x=1x3x320x320; required for dynamic dimensions.")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--order", paramLabel = "file|forward|backward", description = "Node order to number positions in (default: the one with the smallest crossings).")
    String order;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: ONNX Runtime's choice).")
    int threads;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        return SlicingSupport.run(() -> {
            Analysis a = Analysis.of(OnnxModel.load(model), InputShapes.parse(inputShapes), SlicingSupport.settings(threads),
                    order == null ? null : Order.parse(order));
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("model", a.model().fileName());
                out.put("model_sha256", a.model().sha256());
                out.put("order", a.order().lowerName());
                out.put("nodes", a.nodeCount());
                out.put("input_shapes", a.inputShapes());
                out.put("total_flops", a.totalFlops());
                out.put("total_params", a.totalParams());
                out.put("candidates", a.candidates());
                SlicingSupport.printJson(out);
                return 0;
            }
            System.out.printf("%s: %d nodes in %s order, %s FLOPs, %d parameters, inputs %s%n", a.model().fileName(), a.nodeCount(),
                    a.order().lowerName(), SlicingSupport.flops(a.totalFlops()), a.totalParams(),
                    a.inputs().stream().map(TensorSpec::toString).collect(Collectors.joining(", ")));
            Table t = new Table("POSITION>", "BYTES>", "FLOPS BEFORE>", "TENSORS");
            for (Cut c : a.candidates()) {
                t.row(c.position(), SlicingSupport.bytes(c.bytes()), SlicingSupport.flops(c.flopsBefore()),
                        c.tensors().stream().map(s -> s.name() + " " + Tensor.shapeString(s.shape())).collect(Collectors.joining(", ")));
            }
            t.print();
            return 0;
        });
    }
}
