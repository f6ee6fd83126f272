package io.edgeslice.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {
    @TempDir
    Path dir;

    private String put(ModelCache cache, char c, int bytes) throws Exception {
        String hash = String.valueOf(c).repeat(64);
        Files.write(cache.path(hash), new byte[bytes]);
        return hash;
    }

    @Test
    void theLeastRecentlyUsedModelLeavesFirstWhenTheBudgetIsExceeded() throws Exception {
        ModelCache cache = new ModelCache(dir, 1000);
        String a = put(cache, 'a', 400);
        cache.add(a);
        String b = put(cache, 'b', 400);
        cache.add(b);
        assertThat(cache.contains(a)).isTrue(); // a is now the most recently used
        String c = put(cache, 'c', 400);
        cache.add(c);
        assertThat(cache.hashes()).containsExactlyInAnyOrder(a, c);
        assertThat(Files.exists(cache.path(b))).isFalse();
        assertThat(cache.bytes()).isEqualTo(800);
    }

    @Test
    void aModelInUseIsNeverEvicted() throws Exception {
        ModelCache cache = new ModelCache(dir, 500);
        String a = put(cache, 'a', 400);
        cache.add(a);
        String b = put(cache, 'b', 400);
        cache.add(b, h -> h.equals(a));
        assertThat(cache.hashes()).containsExactlyInAnyOrder(a, b);
        assertThat(cache.bytes()).isEqualTo(800);
    }

    @Test
    void aRestartedAgentFindsItsModelsAndDropsUnfinishedDownloads() throws Exception {
        ModelCache first = new ModelCache(dir, 10_000);
        String a = put(first, 'a', 100);
        first.add(a);
        Files.write(first.partPath("b".repeat(64)), new byte[10]);
        ModelCache again = new ModelCache(dir, 10_000);
        assertThat(again.hashes()).containsExactly(a);
        assertThat(Files.exists(again.partPath("b".repeat(64)))).isFalse();
    }
}
