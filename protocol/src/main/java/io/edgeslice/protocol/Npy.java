package io.edgeslice.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy's {@code .npy} format (versions 1.0 to 3.0, little-endian, C order), so
 * Python users can produce inputs with {@code np.save} and read results with {@code np.load}.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads a file; every problem is reported as an {@link IllegalArgumentException} naming the file. */
    public static Tensor read(Path file, String name) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return decode(ByteBuffer.wrap(bytes), name);
        } catch (IllegalArgumentException | ProtocolException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static Tensor decode(ByteBuffer in, String name) {
        ByteBuffer b = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 10) {
            throw new IllegalArgumentException("not a .npy file: only " + b.remaining() + " bytes");
        }
        for (byte m : MAGIC) {
            if (b.get() != m) {
                throw new IllegalArgumentException("not a .npy file: bad magic (expected \\x93NUMPY)");
            }
        }
        int major = b.get() & 0xff;
        b.get(); // minor
        if ((major == 2 || major == 3) && b.remaining() < 4) {
            throw new IllegalArgumentException("truncated .npy header: version " + major + " needs a 4-byte header length");
        }
        long headerLen = switch (major) {
            case 1 -> b.getShort() & 0xffff;
            case 2, 3 -> b.getInt() & 0xffffffffL;
            default -> throw new IllegalArgumentException("unsupported .npy version " + major);
        };
        if (headerLen > b.remaining()) {
            throw new IllegalArgumentException("truncated .npy header: needs " + headerLen + " bytes, " + b.remaining() + " left");
        }
        byte[] hb = new byte[(int) headerLen];
        b.get(hb);
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        DType dtype = DType.fromNpyDescr(group(DESCR, header, "descr"));
        if (group(FORTRAN, header, "fortran_order").equals("True")) {
            throw new IllegalArgumentException("Fortran-ordered arrays are not supported; save np.ascontiguousarray(a)");
        }
        long[] shape = parseShape(group(SHAPE, header, "shape"));
        long need;
        try {
            need = Tensor.byteSize(dtype, shape);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(".npy shape " + Tensor.shapeString(shape) + " of " + dtype.lowerName() + " overflows");
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("malformed .npy shape: " + e.getMessage());
        }
        if (b.remaining() < need) {
            throw new IllegalArgumentException("truncated .npy data: shape " + Tensor.shapeString(shape) + " of " + dtype.lowerName()
                    + " needs " + need + " bytes, file has " + b.remaining());
        }
        if (b.remaining() > need) {
            throw new IllegalArgumentException(".npy data has " + (b.remaining() - need) + " bytes more than shape " + Tensor.shapeString(shape) + " needs");
        }
        ByteBuffer data = b.slice();
        return new Tensor(name, dtype, shape, data);
    }

    private static String group(Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException("malformed .npy header: no '" + key + "' in " + header.trim());
        }
        return m.group(1);
    }

    private static long[] parseShape(String s) {
        List<Long> dims = new ArrayList<>();
        for (String part : s.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (t.endsWith("L")) {
                t = t.substring(0, t.length() - 1);
            }
            try {
                dims.add(Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed .npy shape '(" + s + ")'");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Encodes a tensor as a version 1.0 .npy file. */
    public static byte[] encode(Tensor t) {
        StringBuilder shape = new StringBuilder("(");
        for (long d : t.shape()) {
            shape.append(d).append(", ");
        }
        if (t.shape().length > 1) {
            shape.setLength(shape.length() - 1);
            shape.setLength(shape.length() - 1);
        } else if (t.shape().length == 1) {
            shape.setLength(shape.length() - 1);
        }
        shape.append(')');
        String dict = "{'descr': '" + t.dtype().npyDescr() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.put(t.data().duplicate());
        return out.array();
    }

    public static void write(Path file, Tensor t) throws IOException {
        Files.write(file, encode(t));
    }
}
