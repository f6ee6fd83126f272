package io.edgeslice.protocol;

/** IEEE 754 half-precision conversion (Java 17 has no Float.float16ToFloat). */
final class Half {
    private Half() {
    }

    static int toFloatBits(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            if (mant == 0) {
                return sign;
            }
            // subnormal: normalise
            int e = -1;
            do {
                mant <<= 1;
                e++;
            } while ((mant & 0x400) == 0);
            mant &= 0x3ff;
            return sign | ((127 - 15 - e) << 23) | (mant << 13);
        }
        if (exp == 0x1f) {
            return sign | 0x7f800000 | (mant << 13);
        }
        return sign | ((exp - 15 + 127) << 23) | (mant << 13);
    }
}
