package io.edgeslice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HalfTest {
    @ParameterizedTest(name = "0x{0} = {1}")
    @CsvSource({
        "0000, 0.0", "8000, -0.0", "3c00, 1.0", "c000, -2.0", "3555, 0.333251953125", "7bff, 65504.0",
        "0400, 6.103515625E-5", // smallest normal, 2^-14
        "0001, 5.960464477539063E-8", // smallest subnormal, 2^-24
        "03ff, 6.097555160522461E-5", // largest subnormal, 1023 * 2^-24
        "7c00, Infinity", "fc00, -Infinity", "7e00, NaN"})
    void widensToTheExactFloat(String hex, double expected) {
        float f = Float.intBitsToFloat(Half.toFloatBits((short) Integer.parseInt(hex, 16)));

        // compared as bits so that -0.0 differs from 0.0 and NaN equals NaN
        assertThat(Double.doubleToLongBits(f)).isEqualTo(Double.doubleToLongBits(expected));
    }
}
