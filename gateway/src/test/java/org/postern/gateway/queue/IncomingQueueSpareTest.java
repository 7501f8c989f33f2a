// IncomingQueueSpareTest: the queue writers reuse spare files (Spool.discard keeps finished queue files in
// spare/): a spare is written over and cut to the new message, keeps its inode and mode, and the pool is
// bounded in count and in the size of what it keeps; a restart takes the spares the last run left.
package org.postern.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.gateway.queue.QueueFixtures.await;
import static org.postern.gateway.queue.QueueFixtures.hostile;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class IncomingQueueSpareTest extends IncomingQueueTestBase {
    /** discard's id only matters for a promoted message (Spool.settle); these files were never promoted. */
    private static final org.postern.core.QueueId ANY_ID = new org.postern.core.QueueId("4B1D0C0FFEE");
    @Test
    void aSpareFileIsWrittenOverAndCutToTheNewMessage() throws Exception {
        Path old = root.resolve("old-message");
        byte[] stale = new byte[20_000];
        java.util.Arrays.fill(stale, (byte) 'Z');
        Files.write(old, stale);
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-------")); // as queue files are
        long inode = (long) Files.getAttribute(old, "unix:ino");
        spool.keepSpare(old, stale.length);
        assertThat(old).doesNotExist();

        QueueWriter w = writer(); // takes the spare instead of creating a file
        assertThat(spareFiles()).isEmpty();
        byte[] content = "Subject: short\r\n\r\nhello\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        await(w.write(Buffer.buffer(content)));
        await(w.commit(hostile(w.id())));

        Path file = spool.file(QueueName.INCOMING, w.id());
        assertThat((long) Files.getAttribute(file, "unix:ino")).isEqualTo(inode);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        QueueFile f = QueueFile.read(file);
        assertThat(f.envelope()).isEqualTo(hostile(w.id()));
        try (InputStream in = f.openContent()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        byte[] all = Files.readAllBytes(file);
        assertThat(new String(all, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("ZZZZ"); // nothing stale left
        assertThat(all.length).isEqualTo(f.contentOffset() + content.length + EnvelopeCodec.encode(hostile(w.id())).length);
    }

    @Test
    void aSpareOverSixteenKilobytesIsKeptEmpty() throws Exception {
        Path f = root.resolve("medium");
        Files.write(f, new byte[100_000]);
        spool.keepSpare(f, 100_000);
        assertThat(spareFiles()).hasSize(1);
        assertThat(Files.size(root.resolve(Spool.SPARE).resolve(spareFiles().get(0)))).isZero();
    }

    @Test
    void largeOrSurplusFilesAreUnlinkedNotKept() throws Exception {
        Path big = root.resolve("big");
        Files.write(big, new byte[10]);
        spool.keepSpare(big, SpareFiles.MAX_SIZE + 1);
        assertThat(big).doesNotExist();
        assertThat(spareFiles()).isEmpty();
        for (int i = 0; i < SpareFiles.MAX_FILES + 3; i++) {
            Path f = root.resolve("f" + i);
            Files.write(f, new byte[10]);
            spool.keepSpare(f, 10);
            assertThat(f).doesNotExist();
        }
        assertThat(spareFiles()).hasSize(SpareFiles.MAX_FILES);
        Spool reopened = Spool.open(root); // a restart takes the spares left by the last run
        QueueWriter w = await(new IncomingQueue(vertx, reopened, Clock.systemUTC(), hooks).create(queue.newQueueId()));
        assertThat(spareFiles()).hasSize(SpareFiles.MAX_FILES - 1);
        await(w.abort());
    }

    private List<String> spareFiles() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve(Spool.SPARE))) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
