// BounceLogTest: the per-message bounce logs (queue_directory/bounce/ID, ID.success) -- appended and read
// back field for field, a recipient logged twice counted once, a tail torn by a crash never glued to the next
// append, and the logs of messages no longer queued removed when the spool is opened.
package org.postern.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.QueueId;
import org.postern.gateway.queue.BounceLog.Entry;
import org.postern.gateway.queue.BounceLog.Kind;

class BounceLogTest {
    private static final QueueId ID = new QueueId("0A1B2C3D4E5");

    @TempDir
    Path tmp;

    @Test
    void appendedEntriesReadBackWithHostileTextFlattened() throws Exception {
        Path root = Spool.open(tmp.resolve("spool")).root();
        assertThat(BounceLog.read(root, ID, Kind.BOUNCED)).as("no log yet").isNull();
        BounceLog.append(root, ID, Kind.BOUNCED, List.of(
                new Entry(2, "bad@x.test", "failed", "5.1.1", "said: 550 no\r\nBcc: v@x.test\tsuch user"),
                new Entry(0, "δοκιμή@παράδειγμα.test", "failed", "5.2.2", "mailbox full")));
        BounceLog.append(root, ID, Kind.SUCCEEDED, List.of(new Entry(1, "ok@x.test", "relayed", "2.0.0", "250 Ok")));
        assertThat(BounceLog.read(root, ID, Kind.BOUNCED)).containsExactly(
                new Entry(2, "bad@x.test", "failed", "5.1.1", "said: 550 no  Bcc: v@x.test such user"),
                new Entry(0, "δοκιμή@παράδειγμα.test", "failed", "5.2.2", "mailbox full"));
        assertThat(BounceLog.read(root, ID, Kind.SUCCEEDED))
                .containsExactly(new Entry(1, "ok@x.test", "relayed", "2.0.0", "250 Ok"));
        assertThat(root.resolve("bounce").resolve(ID.value())).isRegularFile();
        assertThat(root.resolve("bounce").resolve(ID.value() + ".success")).isRegularFile();

        BounceLog.delete(root, ID);
        assertThat(BounceLog.read(root, ID, Kind.BOUNCED)).isNull();
        assertThat(BounceLog.read(root, ID, Kind.SUCCEEDED)).isNull();
        BounceLog.append(root, ID, Kind.BOUNCED, List.of());
        assertThat(root.resolve("bounce")).isEmptyDirectory();
    }

    @Test
    void aRecipientLoggedTwiceCountsOnceByItsLastLine() throws Exception {
        Path root = Spool.open(tmp.resolve("spool")).root();
        BounceLog.append(root, ID, Kind.BOUNCED, List.of(new Entry(0, "a@x.test", "failed", "5.0.0", "first")));
        BounceLog.append(root, ID, Kind.BOUNCED, List.of(new Entry(1, "b@x.test", "failed", "5.0.0", "other"),
                new Entry(0, "a@x.test", "failed", "5.1.1", "second")));
        assertThat(BounceLog.read(root, ID, Kind.BOUNCED)).extracting(Entry::index, Entry::reason)
                .containsExactly(tuple(1, "other"), tuple(0, "second"));
    }

    @Test
    void aTornTailIsSkippedAndNotGluedToTheNextAppend() throws Exception {
        Path root = Spool.open(tmp.resolve("spool")).root();
        BounceLog.append(root, ID, Kind.BOUNCED, List.of(new Entry(0, "a@x.test", "failed", "5.1.1", "gone")));
        Files.writeString(root.resolve("bounce").resolve(ID.value()), "1\tb@x.te", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND); // a crash in the middle of an append
        assertThat(BounceLog.read(root, ID, Kind.BOUNCED)).extracting(Entry::index).containsExactly(0);
        BounceLog.append(root, ID, Kind.BOUNCED, List.of(new Entry(2, "c@x.test", "failed", "5.1.1", "gone too")));
        assertThat(BounceLog.read(root, ID, Kind.BOUNCED)).extracting(Entry::index, Entry::address)
                .containsExactly(tuple(0, "a@x.test"), tuple(2, "c@x.test"));
    }

    @Test
    void openingTheSpoolRemovesTheLogsOfMessagesNoLongerQueued() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        Path root = Spool.open(spoolDir).root();
        QueueId queued = new QueueId("0A1B2C3D4E6");
        Files.write(root.resolve("deferred").resolve(queued.value()), new byte[] {1});
        BounceLog.append(root, queued, Kind.BOUNCED, List.of(new Entry(0, "a@x.test", "failed", "5.1.1", "owed")));
        BounceLog.append(root, ID, Kind.BOUNCED, List.of(new Entry(0, "a@x.test", "failed", "5.1.1", "orphan")));
        BounceLog.append(root, ID, Kind.SUCCEEDED, List.of(new Entry(0, "a@x.test", "relayed", "2.0.0", "orphan")));

        Spool.attach(spoolDir); // another process (postern mailq, cat): removes nothing
        assertThat(BounceLog.read(root, ID, Kind.BOUNCED)).isNotNull();
        Spool.open(spoolDir);
        assertThat(BounceLog.read(root, ID, Kind.BOUNCED)).isNull();
        assertThat(BounceLog.read(root, ID, Kind.SUCCEEDED)).isNull();
        assertThat(BounceLog.read(root, queued, Kind.BOUNCED)).as("its message is still queued").hasSize(1);
    }
}
