// SpareFilesTest: the pool of finished queue files behind Spool.discard and new queue files -- a spare is
// handed to exactly one taker, also when threads or two processes (two pools on one directory) race for it,
// and a taker never replaces an existing file.
package org.postern.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpareFilesTest {
    @TempDir
    Path root;

    private Path spareDir() throws Exception {
        return Files.createDirectories(root.resolve("spare"));
    }

    private Path file(String name, String content) throws Exception {
        return Files.writeString(root.resolve(name), content);
    }

    @Test
    void aKeptFileIsTakenOnceThenThereIsNone() throws Exception {
        SpareFiles spares = SpareFiles.open(spareDir());
        Path kept = spares.keep(file("a", "old"), 3);
        assertThat(spares.size()).isEqualTo(1);
        assertThat(spares.take(root.resolve("early.tmp"))).as("not before it is offered").isFalse();
        spares.offer(kept);
        assertThat(spares.take(root.resolve("new1.tmp"))).isTrue();
        assertThat(root.resolve("new1.tmp")).hasContent("old");
        assertThat(spares.take(root.resolve("new2.tmp"))).isFalse();
        assertThat(root.resolve("new2.tmp")).doesNotExist();
    }

    @Test
    void openingReadsNothingUntilFirstUse() throws Exception {
        Path dir = spareDir();
        Path junk = Files.createDirectory(dir.resolve("not-a-spare"));
        SpareFiles spares = SpareFiles.open(dir); // what `postern mailq` does: no listing, no removal
        assertThat(junk).exists();
        assertThat(spares.take(root.resolve("new.tmp"))).isFalse(); // first use: listed, junk removed
        assertThat(junk).doesNotExist();
    }

    @Test
    void takingOntoAnExistingFileFailsAndKeepsTheSpare() throws Exception {
        SpareFiles spares = SpareFiles.open(spareDir());
        spares.offer(spares.keep(file("a", "old"), 3));
        Path taken = file("taken.tmp", "someone else's");
        assertThatThrownBy(() -> spares.take(taken)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(taken).hasContent("someone else's");
        assertThat(spares.take(root.resolve("free.tmp"))).isTrue();
    }

    @Test
    void threadsAndTwoProcessesNeverShareASpare() throws Exception {
        Path dir = spareDir();
        SpareFiles first = SpareFiles.open(dir);
        for (int i = 0; i < 200; i++) first.offer(first.keep(file("m" + i, "m" + i), 2));
        SpareFiles second = SpareFiles.open(dir); // another process opening the same spool sees the same 200
        assertThat(second.size()).isEqualTo(200);
        Set<String> contents = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> takers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                SpareFiles mine = t % 2 == 0 ? first : second;
                int thread = t;
                takers.add(pool.submit(() -> {
                    int got = 0;
                    for (int i = 0; i < 100; i++) {
                        Path target = root.resolve("t" + thread + "-" + i + ".tmp");
                        if (mine.take(target)) {
                            got++;
                            assertThat(contents.add(Files.readString(target))).as("taken twice").isTrue();
                        }
                    }
                    return got;
                }));
            }
            int total = 0;
            for (Future<Integer> f : takers) total += f.get(60, TimeUnit.SECONDS);
            assertThat(total).isEqualTo(200);
            assertThat(contents).hasSize(200);
        } finally {
            pool.shutdownNow();
        }
        try (var left = Files.list(dir)) {
            assertThat(left.count()).isZero();
        }
    }

    @Test
    void anAttachedProcessTakesNoSpareAndASpareWithASecondNameIsDropped() throws Exception {
        Path dir = spareDir();
        SpareFiles gateway = SpareFiles.open(dir);
        gateway.offer(gateway.keep(file("a", "old"), 3));
        assertThat(SpareFiles.attached(dir).take(root.resolve("cli.tmp"))).as("the CLI creates its own files").isFalse();
        assertThat(root.resolve("cli.tmp")).doesNotExist();

        // a crash in the middle of a move out of a queue can leave both names (ext4 without a journal)
        Path queued = file("M", "a message still in its queue");
        Files.createLink(dir.resolve("half-moved"), queued);
        SpareFiles restarted = SpareFiles.open(dir);
        assertThat(restarted.size()).isEqualTo(1); // "a" only
        assertThat(dir.resolve("half-moved")).doesNotExist();
        assertThat(queued).hasContent("a message still in its queue");
    }
}
