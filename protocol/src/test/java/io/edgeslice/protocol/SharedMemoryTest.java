package io.edgeslice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared memory as one process on both ends: segments come from the pool, activations carry
 * references to them, and bad references are refused with the error the sender acts on. (Between
 * agent processes, see the cli module's PipelineTest.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedMemoryTest {
    @TempDir
    static Path shm;
    static String deadSegment;

    @BeforeAll
    static void enable() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        deadSegment = "edgeslice-" + gone.pid() + "-00000000-1";
        Files.write(shm.resolve(deadSegment), new byte[4096]); // left by a process that was killed
        Files.write(shm.resolve("unrelated-file"), new byte[1]);
        assertThat(SharedMemory.enable(shm)).isTrue();
    }

    private static Tensor pooledTensor(int floats, float seed) {
        ByteBuffer b = BufferPool.SHARED.take(floats * 4);
        for (int i = 0; i < floats; i++) {
            b.putFloat(i * 4, seed + i);
        }
        Tensor t = new Tensor("act", DType.FLOAT32, new long[] {1, floats}, b);
        BufferPool.SHARED.own(t, b);
        return t;
    }

    private static List<ByteBuffer> encode(List<Tensor> tensors) {
        return Codec.encode(new Message.Activation(UUID.randomUUID(), 1, 1, "ab".repeat(32), 0, 0, 4, "tcp://127.0.0.1:1", Codec.tensorsCrc(tensors),
                Transport.SHARED, tensors));
    }

    private static List<String> segments() throws IOException {
        try (Stream<Path> files = Files.list(shm)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("edgeslice-")).toList();
        }
    }

    @Test
    void segmentsOfProcessesThatAreGoneAreDeletedAndOtherFilesLeftAlone() throws IOException {
        assertThat(segments()).doesNotContain(deadSegment);
        assertThat(shm.resolve("unrelated-file")).exists();
    }

    @Test
    void aLargeTensorTravelsAsAReferenceAndIsReadInPlace() throws IOException {
        List<String> before = segments();
        Tensor big = pooledTensor(64 * 1024 + 3, 1f); // 256 KiB: a segment of its own (of a size no other test takes)
        Tensor small = pooledTensor(16, 5f); // below MIN_SEGMENT_BYTES: inline
        assertThat(SharedMemory.inSegment(big)).isTrue();
        assertThat(SharedMemory.inSegment(small)).isFalse();
        assertThat(segments()).hasSize(before.size() + 1);
        Path created = segments().stream().filter(n -> !before.contains(n)).map(shm::resolve).findFirst().orElseThrow();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created))).as("only this user reads activations").isEqualTo("rw-------");

        List<ByteBuffer> frames = encode(List.of(big, small));
        assertThat(frames.get(3).remaining()).as("the reference").isLessThan(100);
        assertThat(frames.get(5).remaining()).as("the small tensor, inline").isEqualTo(64);
        Message.Activation out = (Message.Activation) Codec.decode(frames);
        assertThat(out.tensors()).containsExactly(big, small);
        assertThat(out.tensors().get(0).data().isReadOnly()).isTrue();
        assertThat(Codec.tensorsCrc(out.tensors())).isEqualTo(out.crc32c());

        big.data().putFloat(0, -7f); // the sender writes its segment: the receiver's view is the same memory
        assertThat(out.tensors().get(0).data().getFloat(0)).isEqualTo(-7f);
    }

    @Test
    void aReceivedFrameTakesNoNewSegment() throws IOException {
        // it is never sent on by reference, and a result a client keeps would make a file per request
        List<String> before = segments();
        ByteBuffer b = BufferPool.SHARED.takeUnshared(300 * 1024 + 8);
        assertThat(b.isDirect()).isTrue();
        assertThat(b.capacity()).isEqualTo(300 * 1024 + 8);
        assertThat(segments()).hasSameSizeAs(before);
    }

    @Test
    void aTensorNotInAWholeSegmentTravelsInline() {
        Tensor heap = Tensor.ofFloats("x", new long[] {1, 32 * 1024}, new float[32 * 1024]);
        List<ByteBuffer> frames = encode(List.of(heap));
        assertThat(frames.get(3).remaining()).isEqualTo(heap.byteSize());
        assertThat(((Message.Activation) Codec.decode(frames)).tensors()).containsExactly(heap);
    }

    /** The frames of an activation whose one tensor of {@code bytes} bytes is a hand-made reference. */
    private static List<ByteBuffer> reference(String segment, long offset, long length, int bytes) {
        List<ByteBuffer> frames = new ArrayList<>(encode(List.of(Tensor.ofFloats("x", new long[] {bytes / 4}, new float[bytes / 4]))));
        byte[] name = segment.getBytes(StandardCharsets.UTF_8);
        frames.set(3, ByteBuffer.allocate(2 + name.length + 16).putShort((short) name.length).put(name).putLong(offset).putLong(length).flip());
        return frames;
    }

    @Test
    void aSegmentThatIsNotHereIsRefusedWithSharedMemorySoTheSenderSendsInline() {
        assertThatThrownBy(() -> Codec.decode(reference("edgeslice-1-0000beef-7", 0, 1024, 1024)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SHARED_MEMORY);
                    assertThat(e.getMessage()).contains("edgeslice-1-0000beef-7").contains("does not exist");
                });
    }

    @Test
    void aNameThatIsNoSegmentIsMalformedAndNoFileIsOpened() {
        for (String name : List.of("../../etc/passwd", "unrelated-file", "edgeslice-1-0000beef-7/../../x", "")) {
            assertThatThrownBy(() -> Codec.decode(reference(name, 0, 1024, 1024))).isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED);
                assertThat(e.getMessage()).contains("no shared-memory segment");
            });
        }
    }

    @Test
    void bytesBeyondTheSegmentOrOfTheWrongLengthAreMalformed() throws IOException {
        String name = "edgeslice-" + ProcessHandle.current().pid() + "-0000f00d-1";
        Files.write(shm.resolve(name), new byte[4096]);
        assertThatThrownBy(() -> Codec.decode(reference(name, 2048, 4096, 4096))).isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED);
            assertThat(e.getMessage()).contains("holds 4096");
        });
        assertThatThrownBy(() -> Codec.decode(reference(name, -1, 1024, 1024))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Codec.decode(reference(name, 0, 2048, 1024))).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.getMessage()).contains("needs 1024 bytes"));
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: shared memory stays off in this JVM afterwards
    void aDirectoryThatTakesNoMoreFilesTurnsSegmentsIntoPlainBuffers() throws IOException {
        // as a full /dev/shm would: the pool hands out plain direct buffers and tensors travel inline
        try (Stream<Path> files = Files.list(shm)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(shm);
        try {
            Tensor t = pooledTensor(128 * 1024 + 5, 2f);
            assertThat(t.data().isDirect()).isTrue();
            assertThat(SharedMemory.inSegment(t)).isFalse();
            assertThat(encode(List.of(t)).get(3).remaining()).as("inline").isEqualTo(t.byteSize());
            assertThat(SharedMemory.inSegment(pooledTensor(128 * 1024 + 6, 3f))).as("and it stays off").isFalse();
        } finally {
            Files.createDirectories(shm);
        }
    }

    @Test
    void noRouteTravelsWithSharedMemory() {
        assertThatThrownBy(() -> new Message.Route("ab".repeat(32), 0, 1, List.of(), Transport.SHARED)).hasMessageContaining("SHARED");
        List<ByteBuffer> frames = Codec.encode(new Message.Route("ab".repeat(32), 0, 1, List.of(), Transport.NONE));
        ByteBuffer body = frames.get(1);
        body.put(body.limit() - 3, (byte) Transport.SHARED.code()); // the transport, before the empty ORT target (u16 length 0)
        assertThatThrownBy(() -> Codec.decode(frames)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.getMessage()).contains("NONE, LZ4 or FP16"));
    }
}
