// MailQueue: read-only listing of the spool for `postern mailq` (postqueue -p format). Safe while
// the gateway runs: it only reads committed queue files. Governed by queue_directory.
package org.postern.gateway.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue as Postfix 3.7's {@code postqueue -p} prints it with short queue ids (showq_compat.c):
 * incoming, active (id marked {@code *}), deferred and hold (marked {@code !}), in that order and
 * by id within each; sender (null sender as MAILER-DAEMON) and undelivered recipients with their
 * local parts quoted as RFC 822 requires and unprintable characters shown as {@code ?}. A message vscan could
 * not scan yet shows why (its scan note) in incoming/; the staged copy of a quarantine release in hold/ says so.
 */
public final class MailQueue {
    private static final Logger LOG = LoggerFactory.getLogger(MailQueue.class);
    /** The queues mailq shows, in Postfix's order. */
    static final List<QueueName> SHOWN = List.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED, QueueName.HOLD);
    static final String EMPTY_ADDR = "MAILER-DAEMON";
    /** The reason shown for a quarantine release's copy staged in hold/ (QueueFile#stagedRelease). */
    static final String STAGED_RELEASE = "quarantine release in progress; postern quarantine purge completes or undoes it";
    private static final String STRING_FORMAT = "%-11s %7s %-20s %s\n";
    private static final String SENDER_FORMAT = "%-11s %7d %20.20s %s\n";
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    private MailQueue() {}

    /** The whole queue in `postqueue -p` format; "Mail queue is empty" when empty. Blocking. */
    public static String postqueueListing(Path queueDirectory) throws IOException {
        return format(list(queueDirectory), ZoneId.systemDefault());
    }

    /**
     * Committed messages of incoming, active, deferred and hold. Temporary files are never listed;
     * a file that moves or disappears while listing is skipped, as is a corrupt one (with a warning).
     * Does not modify the spool. Blocking.
     *
     * @throws NoSuchFileException when {@code queueDirectory} does not exist
     */
    public static List<QueueEntry> list(Path queueDirectory) throws IOException {
        if (!Files.isDirectory(queueDirectory)) throw new NoSuchFileException(queueDirectory.toString());
        List<QueueEntry> out = new ArrayList<>();
        // the scan notes, listed once: a message in incoming/ without one has nothing to read
        java.util.Set<QueueId> noted = new java.util.HashSet<>(DeferLog.scanNoted(queueDirectory));
        for (QueueName q : SHOWN) {
            Path dir = queueDirectory.resolve(q.dirName());
            for (QueueId id : Spool.ids(dir)) {
                QueueFile f;
                try {
                    f = QueueFile.read(dir.resolve(id.value()));
                } catch (NoSuchFileException e) {
                    continue; // moved on to another queue, or delivered
                } catch (CorruptQueueFileException e) {
                    LOG.warn("{}", e.getMessage());
                    continue;
                }
                Envelope env = f.envelope();
                List<QueueEntry.PendingRecipient> rcpts = new ArrayList<>();
                java.util.Map<String, String> reasons = DeferLog.read(queueDirectory, id);
                String waiting = q == QueueName.INCOMING && noted.contains(id) ? DeferLog.scanNote(queueDirectory, id)
                        : q == QueueName.HOLD && f.stagedRelease() ? STAGED_RELEASE : null;
                for (int i : f.pendingRecipients()) {
                    String address = env.recipients().get(i).address();
                    rcpts.add(new QueueEntry.PendingRecipient(address, reasons.getOrDefault(address, waiting)));
                }
                out.add(new QueueEntry(id, q, env.arrival(), f.contentLength(), env.sender(), rcpts));
            }
        }
        return out;
    }

    /** Formats entries as postqueue -p does, arrival times in {@code zone}. */
    public static String format(List<QueueEntry> entries, ZoneId zone) {
        if (entries.isEmpty()) return "Mail queue is empty\n";
        StringBuilder out = new StringBuilder();
        long totalSize = 0;
        for (QueueEntry e : entries) {
            if (out.length() == 0) {
                out.append(String.format(Locale.ROOT, STRING_FORMAT,
                        "-Queue ID-", "--Size--", "----Arrival Time----", "-Sender/Recipient-------"));
            } else {
                out.append('\n');
            }
            String status = e.queue() == QueueName.ACTIVE ? "*" : e.queue() == QueueName.HOLD ? "!" : "";
            String sender = e.sender().isEmpty() ? EMPTY_ADDR : e.sender();
            out.append(String.format(Locale.ROOT, SENDER_FORMAT, e.queueId().value() + status, e.size(),
                    asctime(e.arrival(), zone), printable(quoteLocalPart(sender))));
            String savedReason = "";
            for (QueueEntry.PendingRecipient r : e.recipients()) {
                String why = r.reason() == null ? "" : printable(r.reason());
                if (!savedReason.equals(why)) {
                    savedReason = why;
                    String shown = why.isEmpty() ? "reason unavailable" : why;
                    int padding = Math.max(0, 76 - shown.getBytes(StandardCharsets.UTF_8).length);
                    out.append(" ".repeat(padding)).append('(').append(shown).append(")\n");
                }
                out.append(String.format(Locale.ROOT, STRING_FORMAT, "", "", "", printable(quoteLocalPart(r.address()))));
            }
            totalSize += e.size();
        }
        int n = entries.size();
        out.append(String.format(Locale.ROOT, "\n-- %d Kbytes in %d Request%s.\n", totalSize / 1024, n, n == 1 ? "" : "s"));
        return out.toString();
    }

    /** C asctime() without the year: "Sat Nov 21 23:26:00 " (20 characters, day padded with a space). */
    static String asctime(Instant t, ZoneId zone) {
        LocalDateTime d = LocalDateTime.ofInstant(t, zone);
        return String.format(Locale.ROOT, "%s %s %2d %02d:%02d:%02d ", DAYS[d.getDayOfWeek().getValue() - 1],
                MONTHS[d.getMonthValue() - 1], d.getDayOfMonth(), d.getHour(), d.getMinute(), d.getSecond());
    }

    /**
     * Postfix quote_822_local (8-bit clean): a local part that is not an RFC 822 dot-string is put in
     * double quotes, with backslashes before {@code "}, {@code \} and CR.
     */
    static String quoteLocalPart(String mbox) {
        int start = 0;
        int colon = mbox.indexOf(':');
        if (mbox.startsWith("@") && colon > 0) start = colon + 1; // source route
        int at = mbox.lastIndexOf('@');
        int end = at >= start ? at : mbox.length();
        if (isDotString(mbox, start, end)) return mbox;
        StringBuilder q = new StringBuilder(mbox.length() + 4).append(mbox, 0, start).append('"');
        for (int i = start; i < end; i++) {
            char ch = mbox.charAt(i);
            if (ch == '"' || ch == '\\' || ch == '\r') q.append('\\');
            q.append(ch);
        }
        return q.append('"').append(mbox, end, mbox.length()).toString();
    }

    private static boolean isDotString(String s, int start, int end) {
        if (start == end || s.charAt(start) == '.' || s.charAt(end - 1) == '.') return false;
        for (int i = start; i < end; i++) {
            char ch = s.charAt(i);
            if (ch == '.' && i + 1 < end && s.charAt(i + 1) == '.') return false;
            if (ch < 0x20 || ch == 0x7f || ch == ' ' || "()<>@,;:\\\"[]".indexOf(ch) >= 0) return false;
        }
        return true;
    }

    /**
     * Postfix printable(): ASCII control characters become {@code ?}; so do C1 controls and unpaired
     * surrogates (Postfix passes valid UTF-8 C1 controls through; a terminal should never see them).
     */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            boolean control = cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
            boolean surrogate = cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE;
            if (control || surrogate) out.append('?');
            else out.appendCodePoint(cp);
        });
        return out.toString();
    }
}
