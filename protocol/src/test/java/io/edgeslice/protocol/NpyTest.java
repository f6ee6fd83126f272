package io.edgeslice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NpyTest {
    /** {@code np.save(f, np.array([1.5, -2.0, 0.25], dtype='<f4'))} with NumPy 2.4: version 1.0. */
    private static final String NUMPY_V1_F4 = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c2027"
            + "7368617065273a2028332c292c207d" + "20".repeat(60) + "0a" + "0000c03f000000c00000803e";
    /** {@code np.lib.format.write_array(f, np.array([[1, -2], [3, 4]], dtype='<i2'), version=(2, 0))} with NumPy 2.4. */
    private static final String NUMPY_V2_I2 = "934e554d50590200740000007b276465736372273a20273c6932272c2027666f727472616e5f6f72646572273a2046616c73652c20"
            + "277368617065273a2028322c2032292c207d" + "20".repeat(56) + "0a" + "0100feff03000400";

    static Stream<Arguments> tensors() {
        List<Arguments> out = new ArrayList<>();
        long[][] shapes = {{}, {1}, {7}, {2, 3}, {2, 1, 3}, {0}, {3, 0, 2}};
        for (DType t : DType.values()) {
            for (long[] shape : shapes) {
                out.add(Arguments.of(t, shape));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tensors")
    void encodeThenDecodeGivesTheTensorBack(DType type, long[] shape) {
        byte[] data = new byte[(int) Tensor.byteSize(type, shape)];
        Arrays.fill(data, (byte) 0x3c);
        Tensor t = new Tensor("x", type, shape, ByteBuffer.wrap(data));

        byte[] file = Npy.encode(t);

        assertThat(Npy.decode(ByteBuffer.wrap(file), "x")).isEqualTo(t);
        assertThat((file.length - data.length) % 64).as("header padded to 64 bytes like NumPy's").isZero();
        assertThat(file[file.length - data.length - 1]).as("header ends with a newline").isEqualTo((byte) '\n');
    }

    @Test
    void readsWhatNumPyWroteInVersion1() {
        Tensor t = Npy.decode(ByteBuffer.wrap(HexFormat.of().parseHex(NUMPY_V1_F4)), "in");

        assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(t.shape()).containsExactly(3);
        assertThat(t.toFloats()).containsExactly(1.5f, -2.0f, 0.25f);
        assertThat(t.name()).isEqualTo("in");
    }

    @Test
    void readsWhatNumPyWroteInVersion2() {
        Tensor t = Npy.decode(ByteBuffer.wrap(HexFormat.of().parseHex(NUMPY_V2_I2)), "in");

        assertThat(t.dtype()).isEqualTo(DType.INT16);
        assertThat(t.shape()).containsExactly(2, 2);
        assertThat(t.toDoubles()).containsExactly(1, -2, 3, 4);
    }

    @Test
    void theSpecBuilderBelowWritesExactlyWhatNumPyWrites() {
        byte[] f4 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(0.25f).array();
        byte[] i2 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 1).putShort((short) -2).putShort((short) 3)
                .putShort((short) 4).array();

        assertThat(HexFormat.of().formatHex(numpy(1, "<f4", false, new long[] {3}, f4))).isEqualTo(NUMPY_V1_F4);
        assertThat(HexFormat.of().formatHex(numpy(2, "<i2", false, new long[] {2, 2}, i2))).isEqualTo(NUMPY_V2_I2);
    }

    static Stream<Arguments> numpyFiles() {
        return Stream.of(
                Arguments.of("v1 int64 scalar", numpy(1, "<i8", false, new long[0], le(8).putLong(0, -7).array()), DType.INT64, new long[0], "[-7.0]"),
                Arguments.of("v1 bool 1-D", numpy(1, "|b1", false, new long[] {3}, new byte[] {1, 0, 1}), DType.BOOL, new long[] {3}, "[1.0, 0.0, 1.0]"),
                Arguments.of("v1 uint8 via '|u1'", numpy(1, "|u1", false, new long[] {2}, new byte[] {(byte) 200, 7}), DType.UINT8, new long[] {2}, "[200.0, 7.0]"),
                Arguments.of("v1 float64 native '=f8'", numpy(1, "=f8", false, new long[] {1}, le(8).putDouble(0, 2.5).array()), DType.FLOAT64,
                        new long[] {1}, "[2.5]"),
                Arguments.of("v2 float16 2-D", numpy(2, "<f2", false, new long[] {1, 2}, le(4).putShort(0, (short) 0x3c00).putShort(2, (short) 0xc000).array()),
                        DType.FLOAT16, new long[] {1, 2}, "[1.0, -2.0]"),
                Arguments.of("v3 (UTF-8 header) int32", numpy(3, "<i4", false, new long[] {2}, le(8).putInt(0, 5).putInt(4, -5).array()), DType.INT32,
                        new long[] {2}, "[5.0, -5.0]"),
                Arguments.of("v1 empty 0x3", numpy(1, "<f4", false, new long[] {0, 3}, new byte[0]), DType.FLOAT32, new long[] {0, 3}, "[]"),
                Arguments.of("keys in another order, Python 2 long", npy(1, "{'shape': (2L,), 'fortran_order': False, 'descr': '<i8'}",
                        le(16).putLong(0, 1).putLong(8, 2).array()), DType.INT64, new long[] {2}, "[1.0, 2.0]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numpyFiles")
    void readsFilesLaidOutAsTheSpecSays(String name, byte[] file, DType type, long[] shape, String values) {
        Tensor t = Npy.decode(ByteBuffer.wrap(file), name);

        assertThat(t.dtype()).isEqualTo(type);
        assertThat(t.shape()).containsExactly(shape);
        assertThat(Arrays.toString(t.toDoubles())).isEqualTo(values);
    }

    static Stream<Arguments> badFiles() {
        byte[] f4x3 = new byte[12];
        return Stream.of(
                Arguments.of("Fortran order", numpy(1, "<f4", true, new long[] {2, 3}, new byte[24]), "Fortran-ordered arrays are not supported"),
                Arguments.of("big-endian float32", numpy(1, ">f4", false, new long[] {3}, f4x3), "big-endian dtype '>f4' is not supported"),
                Arguments.of("big-endian int64", numpy(1, ">i8", false, new long[] {1}, new byte[8]), "big-endian dtype '>i8'"),
                Arguments.of("truncated data", numpy(1, "<f4", false, new long[] {3}, new byte[11]), "truncated .npy data: shape 3 of float32 needs 12 bytes, file has 11"),
                Arguments.of("no data", numpy(1, "<f4", false, new long[] {2, 2}, new byte[0]), "needs 16 bytes, file has 0"),
                Arguments.of("trailing bytes", numpy(1, "<f4", false, new long[] {3}, new byte[13]), ".npy data has 1 bytes more than shape 3 needs"),
                Arguments.of("bad magic", replace(numpy(1, "<f4", false, new long[] {3}, f4x3), 5, 'Z'), "not a .npy file: bad magic"),
                Arguments.of("a PNG", HexFormat.of().parseHex("89504e470d0a1a0a0000000d49484452"), "bad magic"),
                Arguments.of("five bytes", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P'}, "not a .npy file: only 5 bytes"),
                Arguments.of("version 4", replace(numpy(1, "<f4", false, new long[] {3}, f4x3), 6, 4), "unsupported .npy version 4"),
                Arguments.of("v2 without its header length", Arrays.copyOf(numpy(2, "<f4", false, new long[] {3}, f4x3), 11), "needs a 4-byte header length"),
                Arguments.of("header cut short", Arrays.copyOf(numpy(1, "<f4", false, new long[] {3}, f4x3), 40), "truncated .npy header: needs 118 bytes, 30 left"),
                Arguments.of("unicode strings", numpy(1, "<U3", false, new long[] {1}, new byte[12]), "unsupported .npy dtype '<U3'"),
                Arguments.of("objects", numpy(1, "|O", false, new long[] {1}, new byte[8]), "unsupported .npy dtype '|O'"),
                Arguments.of("complex64", numpy(1, "<c8", false, new long[] {1}, new byte[8]), "unsupported .npy dtype '<c8'"),
                Arguments.of("no shape", npy(1, "{'descr': '<f4', 'fortran_order': False}", new byte[4]), "malformed .npy header: no 'shape'"),
                Arguments.of("no descr", npy(1, "{'fortran_order': False, 'shape': (1,)}", new byte[4]), "no 'descr'"),
                Arguments.of("shape not numbers", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (a, b)}", new byte[4]), "malformed .npy shape '(a, b)'"),
                Arguments.of("negative dimension", numpy(1, "<f4", false, new long[] {-1}, new byte[0]), "malformed .npy shape: negative dimension"),
                Arguments.of("shape overflowing", numpy(1, "<f4", false, new long[] {1L << 62, 4}, new byte[0]), "overflows"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void rejectsWithAClearMessage(String name, byte[] file, String message) {
        assertThatIllegalArgumentException().isThrownBy(() -> Npy.decode(ByteBuffer.wrap(file), "x")).withMessageContaining(message);
    }

    @Test
    void readAndWriteFilesAndNameTheFileInErrors(@TempDir Path dir) throws IOException {
        Tensor t = Tensor.ofFloats("input", new long[] {2, 2}, new float[] {1, 2, 3, 4});
        Npy.write(dir.resolve("in.npy"), t);
        Files.write(dir.resolve("bad.npy"), numpy(1, ">f4", false, new long[] {1}, new byte[4]));

        assertThat(Npy.read(dir.resolve("in.npy"), "input")).isEqualTo(t);
        assertThatIllegalArgumentException().isThrownBy(() -> Npy.read(dir.resolve("bad.npy"), "x"))
                .withMessageStartingWith(dir.resolve("bad.npy") + ": big-endian");
    }

    /** A file as NumPy's format.write_array lays it out: sorted keys, growth spaces, '\n' ending a 64-byte aligned header. */
    static byte[] numpy(int major, String descr, boolean fortran, long[] shape, byte[] data) {
        String dims = LongStream.of(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        String tuple = "(" + dims + (shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + tuple + ", }";
        if (shape.length > 0) { // room to grow the (first, or for Fortran last) axis in place: 21 digits
            dict += " ".repeat(21 - Long.toString(shape[fortran ? shape.length - 1 : 0]).length());
        }
        return npy(major, dict, data);
    }

    /** Any header dict, framed and padded per the .npy spec (the padding is always 1 to 64 spaces, as NumPy does). */
    static byte[] npy(int major, String dict, byte[] data) {
        byte[] h = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int preamble = 8 + (major == 1 ? 2 : 4);
        int pad = 64 - (preamble + h.length + 1) % 64;
        int headerLen = h.length + pad + 1;
        ByteBuffer b = ByteBuffer.allocate(preamble + headerLen + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) headerLen);
        } else {
            b.putInt(headerLen);
        }
        b.put(h).put(" ".repeat(pad).getBytes(StandardCharsets.US_ASCII)).put((byte) '\n').put(data);
        return b.array();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] replace(byte[] b, int index, int value) {
        byte[] c = b.clone();
        c[index] = (byte) value;
        return c;
    }
}
