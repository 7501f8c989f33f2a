// DeferLog: why each pending recipient of a deferred message was not delivered, kept beside the spool in
// queue_directory/defer/ID (as Postfix's defer/ logs) so `postern mailq` can show the reason. Written by
// qmgr when it defers a message, removed with the message; informational only (no fsync). A marker
// ID.delayed beside it remembers that the delay_warning_time notice went out; ID.vscan says why vscan could
// not scan a message still waiting in incoming/ (a scanner down).
package org.postern.gateway.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.core.QueueId;

/** One line per recipient: address TAB reason. Blocking: call on a worker. */
public final class DeferLog {
    static final String DIR = "defer";

    private DeferLog() {}

    /** Replaces the log of {@code id} with {@code reasons} (address -> reason), atomically. */
    public static void write(Path queueDirectory, QueueId id, Map<String, String> reasons) throws IOException {
        StringBuilder text = new StringBuilder();
        reasons.forEach((a, r) -> text.append(clean(a)).append('\t').append(clean(r)).append('\n'));
        replace(queueDirectory.resolve(DIR).resolve(id.value()), text);
    }

    /** Writes {@code text} beside {@code target} and renames it over: readers see the old or the new text. */
    private static void replace(Path target, CharSequence text) throws IOException {
        Path tmp = Files.createDirectories(target.getParent()).resolve("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The reasons of {@code id} by address; empty when there is no log. */
    public static Map<String, String> read(Path queueDirectory, QueueId id) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(queueDirectory.resolve(DIR).resolve(id.value()), StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab > 0) out.put(line.substring(0, tab), line.substring(tab + 1));
            }
        } catch (NoSuchFileException e) {
            // never deferred
        }
        return out;
    }

    /** Removes the log, the delay-notice marker and the scan note of {@code id}. */
    public static void delete(Path queueDirectory, QueueId id) throws IOException {
        Files.deleteIfExists(queueDirectory.resolve(DIR).resolve(id.value()));
        Files.deleteIfExists(delayMarker(queueDirectory, id));
        deleteScanNote(queueDirectory, id);
    }

    /**
     * Says why message {@code id} waits in incoming/ (vscan could not scan it): mailq shows it for every
     * recipient, as Postfix shows a content filter's connection failure. Replaced atomically.
     */
    public static void writeScanNote(Path queueDirectory, QueueId id, String reason) throws IOException {
        replace(scanNotePath(queueDirectory, id), clean(reason) + "\n");
    }

    /** The ids that have a scan note, in one listing (vscan at start, mailq). */
    public static List<QueueId> scanNoted(Path queueDirectory) throws IOException {
        List<QueueId> out = new ArrayList<>();
        try (DirectoryStream<Path> notes = Files.newDirectoryStream(queueDirectory.resolve(DIR), "*.vscan")) {
            for (Path p : notes) {
                String name = p.getFileName().toString();
                String id = name.substring(0, name.length() - ".vscan".length());
                if (QueueId.isValid(id)) out.add(new QueueId(id));
            }
        } catch (NoSuchFileException e) {
            // nothing was ever deferred
        }
        return out;
    }

    /** The reason {@link #writeScanNote} left for {@code id}; null when there is none. */
    public static String scanNote(Path queueDirectory, QueueId id) throws IOException {
        try {
            return Files.readString(scanNotePath(queueDirectory, id), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Removes the scan note of {@code id}, if any (the message was scanned, or left incoming/). */
    public static void deleteScanNote(Path queueDirectory, QueueId id) throws IOException {
        Files.deleteIfExists(scanNotePath(queueDirectory, id));
    }

    private static Path scanNotePath(Path queueDirectory, QueueId id) {
        return queueDirectory.resolve(DIR).resolve(id.value() + ".vscan");
    }

    /** True once {@link #markDelayNotified} ran for {@code id}: the delay notice goes out once per message. */
    public static boolean delayNotified(Path queueDirectory, QueueId id) {
        return Files.exists(delayMarker(queueDirectory, id));
    }

    public static void markDelayNotified(Path queueDirectory, QueueId id) throws IOException {
        Files.createDirectories(queueDirectory.resolve(DIR));
        Files.write(delayMarker(queueDirectory, id), new byte[0]);
    }

    private static Path delayMarker(Path queueDirectory, QueueId id) {
        return queueDirectory.resolve(DIR).resolve(id.value() + ".delayed");
    }

    /** A field of a one-line, tab-separated log record: tabs and line ends become spaces; null becomes "". */
    static String clean(String s) {
        return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
