package io.edgeslice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps docs/protocol.md true: every worked example decodes to its documented fields and encodes
 * back to its documented bytes, and every command, error code and dtype of the code is in the
 * doc's tables with its number.
 */
class ProtocolDocTest {
    private static final String DOC = doc();

    private static String doc() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs/protocol.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no docs/protocol.md above " + Path.of("").toAbsolutePath());
        }
        try {
            return Files.readString(dir.resolve("docs/protocol.md"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<DocExample> examples() {
        return DocExample.parse(DOC);
    }

    @Test
    void theRequiredExamplesAreThere() {
        Set<String> documented = examples().stream().map(DocExample::command).collect(Collectors.toSet());
        assertThat(documented).contains("READY", "HEARTBEAT", "SUBMIT", "FAILED", "MODEL_OFFER", "EXPIRED");
        DocExample submit = examples().stream().filter(e -> e.command().equals("SUBMIT")).findFirst().orElseThrow();
        assertThat(submit.fields()).containsEntry("inputs[0].dtype", "FLOAT32");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleDecodesToItsDocumentedFields(DocExample example) {
        Message m = Codec.decode(example.frames());

        assertThat(m.command().name()).isEqualTo(example.command());
        assertThat(MessageFields.flatten((Record) m)).as("decoded fields of %s", example.title()).isEqualTo(example.fields());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleEncodesToItsDocumentedBytes(DocExample example) {
        List<ByteBuffer> encoded = Codec.encode(Codec.decode(example.frames()));

        // compared as hex so that a failure shows the bytes to paste into the doc
        assertThat(hex(encoded)).as("frames of %s", example.title()).isEqualTo(hex(example.frames()));
    }

    @ParameterizedTest
    @EnumSource(Command.class)
    void everyCommandIsInTheCommandTable(Command c) {
        assertThat(tableRow(String.format("0x%02x", c.code()), c.name()))
                .as("docs/protocol.md needs a row '| 0x%02x | %s |' in its command table", c.code(), c.name()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyErrorCodeIsInTheErrorTable(ErrorCode c) {
        assertThat(tableRow(Integer.toString(c.code()), c.name()))
                .as("docs/protocol.md needs a row '| %d | %s |' in its error code table", c.code(), c.name()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDTypeIsInTheDTypeTable(DType t) {
        assertThat(tableRow(Integer.toString(t.code()), t.name() + " | " + t.size()))
                .as("docs/protocol.md needs a row '| %d | %s | %d |' in its dtype table", t.code(), t.name(), t.size()).isTrue();
    }

    private static boolean tableRow(String first, String rest) {
        String cells = Stream.of(rest.split(" \\| ")).map(Pattern::quote).collect(Collectors.joining("\\s*\\|\\s*"));
        return Pattern.compile("^\\|\\s*" + Pattern.quote(first) + "\\s*\\|\\s*" + cells + "\\s*\\|", Pattern.MULTILINE).matcher(DOC).find();
    }

    private static List<String> hex(List<ByteBuffer> frames) {
        List<String> out = new ArrayList<>();
        for (ByteBuffer f : frames) {
            byte[] b = new byte[f.remaining()];
            f.duplicate().get(b);
            out.add(HexFormat.ofDelimiter(" ").formatHex(b));
        }
        return out;
    }
}
