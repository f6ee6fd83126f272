package io.edgeslice.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One worked example of docs/protocol.md: a {@code ### Example: COMMAND ...} heading, then one
 * {@code hex frame} fenced block per frame (whitespace-separated hex bytes, {@code #} comments) and
 * one {@code yaml fields} block of {@code path: value} lines (see {@link MessageFields}).
 */
record DocExample(String title, List<ByteBuffer> frames, Map<String, String> fields) {
    private static final String HEADING = "### Example: ";

    String command() {
        return title.split("\\s+")[0];
    }

    @Override
    public String toString() {
        return title;
    }

    static List<DocExample> parse(String doc) {
        List<DocExample> out = new ArrayList<>();
        String title = null;
        List<ByteBuffer> frames = new ArrayList<>();
        Map<String, String> fields = null;
        String fence = null; // info string of the open fenced block, null outside blocks
        List<String> block = new ArrayList<>();
        int lineNo = 0;
        for (String line : doc.split("\n", -1)) {
            lineNo++;
            if (fence != null) {
                if (line.strip().equals("```")) {
                    if (title != null && fence.equals("hex frame")) {
                        frames.add(ByteBuffer.wrap(hex(block, lineNo)));
                    } else if (title != null && fence.equals("yaml fields")) {
                        if (fields != null) {
                            throw new IllegalStateException(title + ": two 'yaml fields' blocks (line " + lineNo + ")");
                        }
                        fields = fields(block, title);
                    }
                    fence = null;
                    block.clear();
                } else {
                    block.add(line);
                }
            } else if (line.startsWith("```")) {
                fence = line.substring(3).strip();
            } else if (line.startsWith("#")) {
                if (title != null) {
                    out.add(finish(title, frames, fields));
                    title = null;
                }
                if (line.startsWith(HEADING)) {
                    title = line.substring(HEADING.length()).strip();
                    frames = new ArrayList<>();
                    fields = null;
                }
            }
        }
        if (title != null) {
            out.add(finish(title, frames, fields));
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("the document has no '" + HEADING + "' sections");
        }
        return out;
    }

    private static DocExample finish(String title, List<ByteBuffer> frames, Map<String, String> fields) {
        if (frames.size() < 2 || fields == null) {
            throw new IllegalStateException(title + ": an example needs at least 2 'hex frame' blocks and one 'yaml fields' block");
        }
        return new DocExample(title, List.copyOf(frames), fields);
    }

    private static byte[] hex(List<String> lines, int endLine) {
        StringBuilder digits = new StringBuilder();
        for (String l : lines) {
            int hash = l.indexOf('#');
            for (String token : (hash < 0 ? l : l.substring(0, hash)).trim().split("\\s+")) {
                if (token.isEmpty()) {
                    continue;
                }
                if (!token.matches("[0-9a-fA-F]{2}")) {
                    throw new IllegalStateException("'" + token + "' is not a hex byte (block ending at line " + endLine + ")");
                }
                digits.append(token);
            }
        }
        return HexFormat.of().parseHex(digits);
    }

    private static Map<String, String> fields(List<String> lines, String title) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : lines) {
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon < 0) {
                throw new IllegalStateException(title + ": field line without 'key: value': " + l);
            }
            String key = l.substring(0, colon).strip();
            if (out.put(key, l.substring(colon + 1).strip()) != null) {
                throw new IllegalStateException(title + ": field " + key + " appears twice");
            }
        }
        return out;
    }
}
