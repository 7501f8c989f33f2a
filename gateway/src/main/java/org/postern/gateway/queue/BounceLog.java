// BounceLog: the notices a message still owes its sender, kept durably beside the spool in
// queue_directory/bounce/ID (recipients that failed for good) and bounce/ID.success (NOTIFY=SUCCESS
// deliveries), as Postfix's bounce/ logfiles. qmgr appends (fsync'd) before it marks the recipients done,
// turns the log into one notice at the end of the attempt and removes it once that notice is queued.
package org.postern.gateway.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.postern.core.QueueId;

/**
 * One line per recipient: index TAB address TAB action TAB dsn TAB reason. A recipient logged twice (a crash
 * between the append and its status write, then a second outcome) counts once, by its last line. A line
 * without its newline is the tail of an append a crash cut short: never read, never glued to the next one.
 * Blocking: call on a worker.
 */
public final class BounceLog {
    static final String DIR = "bounce";

    /** Which notice a log is for: the file name's suffix. */
    public enum Kind {
        /** Recipients that failed for good: the sender's non-delivery notification. */
        BOUNCED(""),
        /** Recipients delivered whose NOTIFY includes SUCCESS: the delivery status notification. */
        SUCCEEDED(".success");

        private final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }
    }

    /** One recipient's line; {@code action} is RFC 3464's ("failed", "relayed", "delivered"). */
    public record Entry(int index, String address, String action, String dsn, String reason) {}

    private BounceLog() {}

    /**
     * Appends {@code entries} to the {@code kind} log of {@code id} and fsyncs it (and bounce/, when the file is
     * new) before returning: once it returns, the entries survive a crash. Nothing to append writes nothing.
     */
    public static void append(Path queueDirectory, QueueId id, Kind kind, List<Entry> entries) throws IOException {
        if (entries.isEmpty()) return;
        Path dir = queueDirectory.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Spool.syncDirectory(queueDirectory);
        }
        Path log = path(queueDirectory, id, kind);
        StringBuilder text = new StringBuilder();
        for (Entry e : entries) {
            text.append(e.index());
            for (String field : new String[] {e.address(), e.action(), e.dsn(), e.reason()}) {
                text.append('\t').append(DeferLog.clean(field));
            }
            text.append('\n');
        }
        boolean created;
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            long end = ch.size();
            created = end == 0;
            if (!created) {
                ByteBuffer last = ByteBuffer.allocate(1);
                if (ch.read(last, end - 1) == 1 && last.get(0) != '\n') text.insert(0, '\n'); // a torn tail ends here
            }
            ByteBuffer b = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) end += ch.write(b, end);
            ch.force(false);
        }
        if (created) Spool.syncDirectory(dir);
    }

    /** The {@code kind} log of {@code id}, a line per recipient (its last); null when there is none. */
    public static List<Entry> read(Path queueDirectory, QueueId id, Kind kind) throws IOException {
        String text;
        try {
            text = Files.readString(path(queueDirectory, id, kind), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        Map<Integer, Entry> last = new LinkedHashMap<>();
        int from = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; from = nl + 1, nl = text.indexOf('\n', from)) {
            String[] f = text.substring(from, nl).split("\t", 5);
            if (f.length != 5) continue;
            try {
                int index = Integer.parseInt(f[0]);
                last.remove(index);
                last.put(index, new Entry(index, f[1], f[2], f[3], f[4]));
            } catch (NumberFormatException e) {
                // the remains of a torn line
            }
        }
        return new ArrayList<>(last.values());
    }

    /** True when {@code id} has a log of either kind: a notice it still owes. Blocking. */
    public static boolean owed(Path queueDirectory, QueueId id) {
        for (Kind k : Kind.values()) {
            if (Files.exists(path(queueDirectory, id, k))) return true;
        }
        return false;
    }

    /** Removes the {@code kind} log of {@code id}, if any. */
    public static void delete(Path queueDirectory, QueueId id, Kind kind) throws IOException {
        Files.deleteIfExists(path(queueDirectory, id, kind));
    }

    /** Removes both logs of {@code id} (the message is gone, or deleted by the postmaster). */
    public static void delete(Path queueDirectory, QueueId id) throws IOException {
        for (Kind k : Kind.values()) delete(queueDirectory, id, k);
    }

    /**
     * Removes the logs whose message is in no queue any more (a crash between a message's removal and its
     * log's, a message vscan replaced by a copy). At start, before any delivery. Returns how many went.
     */
    static int removeOrphans(Path queueDirectory, Predicate<QueueId> queued) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(queueDirectory.resolve(DIR))) {
            for (Path p : logs) {
                String name = p.getFileName().toString();
                String id = name.endsWith(Kind.SUCCEEDED.suffix)
                        ? name.substring(0, name.length() - Kind.SUCCEEDED.suffix.length()) : name;
                if (QueueId.isValid(id) && !queued.test(new QueueId(id)) && Files.deleteIfExists(p)) removed++;
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        return removed;
    }

    private static Path path(Path queueDirectory, QueueId id, Kind kind) {
        return queueDirectory.resolve(DIR).resolve(id.value() + kind.suffix);
    }
}
