package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InputShapesTest {
    private static OnnxModel det;
    private static OnnxModel face;

    @BeforeAll
    static void load() {
        det = OnnxModel.load(SampleModels.path(SampleModels.OCR + "ch_PP-OCRv4_det_infer.onnx"));
        face = OnnxModel.load(SampleModels.path(SampleModels.BLAZEFACE + "face_detection_front_128x128_barracuda.onnx"));
    }

    @Test
    void fillsDynamicDimensionsFromTheGivenShape() {
        Map<String, long[]> shapes = InputShapes.parse(List.of("x=1x3x320x256")).resolve(det.graph());
        assertThat(shapes).containsOnlyKeys("x");
        assertThat(shapes.get("x")).containsExactly(1, 3, 320, 256);
    }

    @Test
    void anUnnamedShapeAppliesToTheOnlyInput() {
        assertThat(InputShapes.parse(List.of("2,3,64,64")).resolve(det.graph()).get("x")).containsExactly(2, 3, 64, 64);
    }

    @Test
    void fixedModelsNeedNoShape() {
        assertThat(InputShapes.none().resolve(face.graph()).get("input:0")).containsExactly(1, 128, 128, 3);
    }

    @Test
    void rejectsAShapeOfTheWrongRank() {
        assertThatThrownBy(() -> InputShapes.parse(List.of("x=1x3x320")).resolve(det.graph())).isInstanceOf(SlicingException.class)
                .hasMessageContaining("input 'x' has rank 4").hasMessageContaining("has rank 3");
    }

    @Test
    void rejectsAShapeContradictingAFixedDimension() {
        assertThatThrownBy(() -> InputShapes.parse(List.of("x=1x4x320x320")).resolve(det.graph())).isInstanceOf(SlicingException.class)
                .hasMessageContaining("has dimension 1 fixed to 3");
        assertThatThrownBy(() -> InputShapes.parse(List.of("input:0=1x64x64x3")).resolve(face.graph())).isInstanceOf(SlicingException.class)
                .hasMessageContaining("has dimension 1 fixed to 128");
    }

    @Test
    void rejectsAnUnknownInputName() {
        assertThatThrownBy(() -> InputShapes.parse(List.of("image=1x3x32x32")).resolve(det.graph())).isInstanceOf(SlicingException.class)
                .hasMessageContaining("unknown input 'image'").hasMessageContaining("[x]");
    }

    @Test
    void demandsAShapeForDynamicInputs() {
        assertThatThrownBy(() -> InputShapes.none().resolve(det.graph())).isInstanceOf(SlicingException.class)
                .hasMessageContaining("input 'x' has dynamic shape [p2o.DynamicDimension.0,3,p2o.DynamicDimension.1,p2o.DynamicDimension.2]");
    }

    @Test
    void rejectsMalformedShapes() {
        assertThatThrownBy(() -> InputShapes.parse(List.of("x=1x3xbig"))).isInstanceOf(SlicingException.class)
                .hasMessageContaining("'big' is not a dimension");
        assertThatThrownBy(() -> InputShapes.parse(List.of("x=1x0x3"))).isInstanceOf(SlicingException.class)
                .hasMessageContaining("dimension 0 is not positive");
        assertThatThrownBy(() -> InputShapes.parse(List.of("x=1x3", "x=1x4"))).isInstanceOf(SlicingException.class)
                .hasMessageContaining("given twice");
    }
}
