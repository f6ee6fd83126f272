package io.edgeslice.slicer;

import io.edgeslice.protocol.DType;
import io.edgeslice.protocol.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Test inputs for running a model when the user supplies none. */
public final class Inputs {
    private Inputs() {
    }

    /**
     * Random tensors of the given specs, reproducible from the seed: floating-point elements uniform
     * in [0, 1), which is a valid range for image models; integer and boolean elements 0, a valid
     * index or flag for any model.
     */
    public static Map<String, Tensor> random(List<TensorSpec> specs, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec s : specs) {
            int n = Math.toIntExact(Tensor.elementCount(s.shape()));
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(s.bytes())).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                if (s.dtype() == DType.FLOAT32) {
                    b.putFloat((float) random.nextDouble());
                } else if (s.dtype() == DType.FLOAT64) {
                    b.putDouble(random.nextDouble());
                } else if (s.dtype() == DType.FLOAT16) {
                    b.putShort(halfOfUnit(random.nextDouble()));
                }
            }
            b.clear();
            out.put(s.name(), new Tensor(s.name(), s.dtype(), s.shape(), b));
        }
        return out;
    }

    /** IEEE half for a value in [0, 1), truncating the mantissa (good enough for test data). */
    static short halfOfUnit(double v) {
        int bits = Float.floatToIntBits((float) v);
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        if (v == 0 || exp <= 0) {
            return 0;
        }
        return (short) ((exp << 10) | ((bits >>> 13) & 0x3ff));
    }
}
