// QueueFile: the on-disk format of one queued message (envelope, content, per-recipient status) and
// its reader. Written by the incoming writer, read by vscan, qmgr, bounce and mailq; qmgr records
// each recipient's outcome in place with markRecipient. Lives under queue_directory/<queue>/<id>.
package org.postern.gateway.queue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.postern.core.Envelope;

/**
 * One queue file, as read. Format version 1 (all integers big-endian):
 *
 * <pre>
 * header, 64 bytes, written last at commit (a file still being received has zeros here)
 *   0  8  magic "POSTERNQ"
 *   8  2  format version (1)
 *  10  2  header length (64)
 *  12  1  flags: 1 = held before the content filter (hold/ only: a release sends it to incoming/ to be scanned);
 *           2 = a staged quarantine release (hold/ only: sent on to active/ only by its release, once complete);
 *           4 = in transit (incoming/ only): a content-filter listener's client is not answered yet, so the
 *               message is still the client's -- the after-queue stage removes it should it find it so
 *  13  3  reserved (0)
 *  16  8  content offset (64)
 *  24  8  content length: the message exactly as received after dot-unstuffing, CRLF line ends
 *  32  8  envelope offset (= content offset + content length)
 *  40  8  envelope length (the envelope section runs to the end of the file)
 *  48 16  reserved (0)
 * content, byte for byte (8-bit and binary safe; never parsed here)
 * envelope section: records of  type (1 byte, ASCII) | payload length (4) | payload
 *   I queue id   T arrival (8 epoch seconds, 4 nanos)   S sender ("" = null sender)
 *   N client name   A client address   O client port (4)   H HELO   P protocol
 *   V TLS protocol   C TLS cipher   M SASL method   U SASL username
 *   Z SIZE= (8, -1 = none)   B BODY= (enum name)   8 SMTPUTF8 (1 byte, 0/1)
 *   E RET= (enum name)   J ENVID (decoded)
 *   R recipient, once per recipient in envelope order:
 *       status (1 byte, see RecipientStatus) | NOTIFY bits (1: 1 SUCCESS, 2 FAILURE, 4 DELAY, 8 NEVER)
 *       | address length (4) | address | ORCPT length (4, -1 = none) | ORCPT
 *   X end (empty; must be the last bytes of the file)
 * </pre>
 *
 * Strings are UTF-8 with an explicit length, so any value (CR, LF, NUL, SMTPUTF8) is stored as is
 * and cannot start a record. A record with a null value is left out. A recipient's status is a
 * single byte at a fixed offset: {@link #markRecipient} overwrites it with a positioned write and
 * an fsync, never rewriting or moving the rest of the file (a one-byte write cannot be torn).
 */
public final class QueueFile {
    static final byte[] MAGIC = {'P', 'O', 'S', 'T', 'E', 'R', 'N', 'Q'};
    static final short VERSION = 1;
    /** Length of the header, and offset of the content. */
    public static final int HEADER_LENGTH = 64;
    /** Offset of the header's flags byte, and its flags. */
    private static final int FLAGS_OFFSET = 12;
    private static final byte FLAG_UNSCANNED = 1;
    private static final byte FLAG_STAGED_RELEASE = 2;
    private static final byte FLAG_TRANSIT = 4;
    private static final long MAX_ENVELOPE = 64L << 20;

    private final Path path;
    private final Envelope envelope;
    private final long contentLength;
    private final List<RecipientStatus> statuses;
    private final long[] statusOffsets;
    private final byte flags;

    private QueueFile(Path path, Envelope envelope, long contentLength, List<RecipientStatus> statuses,
                      long[] statusOffsets, byte flags) {
        this.path = path;
        this.envelope = envelope;
        this.contentLength = contentLength;
        this.statuses = statuses;
        this.statusOffsets = statusOffsets;
        this.flags = flags;
    }

    /**
     * Reads the header and envelope of a committed queue file (the content stays on disk). Blocking.
     *
     * @throws CorruptQueueFileException when the file is not a valid queue file
     * @throws java.nio.file.NoSuchFileException when it is gone (e.g. moved to another queue)
     */
    public static QueueFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH);
            readFully(ch, h, 0, file);
            h.flip();
            byte[] magic = new byte[MAGIC.length];
            h.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new CorruptQueueFileException(file, "bad magic");
            short version = h.getShort();
            if (version != VERSION) throw new CorruptQueueFileException(file, "unknown format version " + version);
            int headerLength = h.getShort() & 0xffff;
            byte flags = h.get();
            h.get();
            h.getShort();
            long contentOffset = h.getLong();
            long contentLength = h.getLong();
            long envOffset = h.getLong();
            long envLength = h.getLong();
            if (headerLength != HEADER_LENGTH || contentOffset != HEADER_LENGTH || contentLength < 0
                    || envOffset != contentOffset + contentLength || envLength <= 0 || envLength > MAX_ENVELOPE
                    || envOffset + envLength != fileSize) {
                throw new CorruptQueueFileException(file, "inconsistent header (content " + contentOffset + "+"
                        + contentLength + ", envelope " + envOffset + "+" + envLength + ", file size " + fileSize + ")");
            }
            ByteBuffer env = ByteBuffer.allocate((int) envLength);
            readFully(ch, env, envOffset, file);
            EnvelopeCodec.Decoded d = EnvelopeCodec.decode(env.array(), envOffset, file);
            return new QueueFile(file, d.envelope(), contentLength, d.statuses(), d.statusOffsets(), flags);
        }
    }

    /** This reading, for the same file renamed to {@code newPath} (a move between queues changes nothing inside). */
    public QueueFile movedTo(Path newPath) {
        return new QueueFile(java.util.Objects.requireNonNull(newPath, "newPath"), envelope, contentLength, statuses,
                statusOffsets, flags);
    }

    /**
     * Records one recipient's outcome in place and fsyncs it before returning. Blocking.
     *
     * @param index the recipient's position in {@link Envelope#recipients()}
     */
    public static void markRecipient(Path file, int index, RecipientStatus status) throws IOException {
        read(file).markRecipient(index, status);
    }

    /** As {@link #markRecipient(Path, int, RecipientStatus)}, using the offsets of this reading. */
    public void markRecipient(int index, RecipientStatus status) throws IOException {
        markRecipients(List.of(index), status);
    }

    /** Records the same outcome for several recipients in place: one open and one fsync for all. Blocking. */
    public void markRecipients(Collection<Integer> indexes, RecipientStatus status) throws IOException {
        rewriteBytes(path, statusEdits(indexes, status));
    }

    /**
     * True when this message came in on a content-filter listener whose client had not been answered when it
     * was read: the client still owns it (see {@link #answered}).
     */
    public boolean inTransit() {
        return (flags & FLAG_TRANSIT) != 0;
    }

    /**
     * The content-filter listener is about to answer 250 for a message it could not finish: records the outcome
     * of the recipients {@code done} and then clears the in-transit flag, so that what is left is
     * the after-queue stage's to deliver. Two fsyncs, in that order: a crash between them leaves the message in
     * transit (removed; the client sends it all again), never answered with recipients it relayed still pending.
     * Blocking.
     */
    public void answered(Collection<Integer> done, RecipientStatus status) throws IOException {
        rewriteBytes(path, statusEdits(done, status)); // durable before the flag goes: the statuses and the flag
        rewriteBytes(path, Map.of((long) FLAGS_OFFSET, old -> (byte) (old & ~FLAG_TRANSIT))); // are on other pages
    }

    /** True when the committed file at {@code file} is {@linkplain #inTransit in transit}. Blocking. */
    public static boolean inTransit(Path file) throws IOException {
        return (flags(file) & FLAG_TRANSIT) != 0;
    }

    private Map<Long, ByteEdit> statusEdits(Collection<Integer> indexes, RecipientStatus status) {
        Map<Long, ByteEdit> edits = new java.util.LinkedHashMap<>();
        for (int index : indexes) {
            if (index < 0 || index >= statusOffsets.length) {
                throw new IndexOutOfBoundsException("recipient " + index + " of " + statusOffsets.length);
            }
            edits.put(statusOffsets[index], old -> {
                if (RecipientStatus.ofCode(old) == null) throw new CorruptQueueFileException(path, "no recipient status");
                return status.code();
            });
        }
        return edits;
    }

    private static byte flags(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            readFully(ch, b, FLAGS_OFFSET, file);
            return b.get(0);
        }
    }

    /**
     * True when the message in {@code file} was held before the content filter scanned it (smtpd's HOLD
     * action, or `postern queue hold` of mail in incoming/): releasing it must send it to incoming/. Blocking.
     */
    public static boolean heldUnscanned(Path file) throws IOException {
        return (flags(file) & FLAG_UNSCANNED) != 0;
    }

    /**
     * True when {@code file} (in hold/) is the copy of a quarantine release whose claim may not be complete yet:
     * only that release, or the recovery of an interrupted one (`postern quarantine purge`), sends it on to
     * active/ -- or deletes it when the release was undone. A `postern queue release` would deliver it whether
     * or not the release completes. Blocking.
     */
    public static boolean stagedRelease(Path file) throws IOException {
        return (flags(file) & FLAG_STAGED_RELEASE) != 0;
    }

    /** As {@link #stagedRelease(Path)}, from this reading's header. */
    public boolean stagedRelease() {
        return (flags & FLAG_STAGED_RELEASE) != 0;
    }

    /**
     * Sets or clears the held-before-the-content-filter flag of a committed file in place (one byte) and
     * fsyncs it before returning: a queue command does so before it moves the file into hold/. It clears the
     * staged-release flag, left over from a release that sent the copy on: held now, it is an ordinary message.
     * Blocking.
     */
    public static void markHeldUnscanned(Path file, boolean unscanned) throws IOException {
        rewriteBytes(file, Map.of((long) FLAGS_OFFSET,
                old -> (byte) ((old & ~(FLAG_UNSCANNED | FLAG_STAGED_RELEASE)) | (unscanned ? FLAG_UNSCANNED : 0))));
    }

    /** A one-byte field's new value from its old one; may refuse what it finds. */
    @FunctionalInterface
    private interface ByteEdit {
        byte apply(byte old) throws IOException;
    }

    /**
     * Rewrites single bytes of {@code file} in place (a one-byte write cannot be torn), then fsyncs the data
     * once when any changed: the file's size and layout never change.
     */
    private static void rewriteBytes(Path file, Map<Long, ByteEdit> edits) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            boolean changed = false;
            for (Map.Entry<Long, ByteEdit> e : edits.entrySet()) {
                long at = e.getKey();
                ByteBuffer b = ByteBuffer.allocate(1);
                readFully(ch, b, at, file);
                byte now = e.getValue().apply(b.get(0));
                if (now == b.get(0)) continue;
                ByteBuffer w = ByteBuffer.wrap(new byte[] {now});
                while (w.hasRemaining()) ch.write(w, at);
                changed = true;
            }
            if (changed) ch.force(false);
        }
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    public Envelope envelope() {
        return envelope;
    }

    /** Where the content starts in the file. */
    public long contentOffset() {
        return HEADER_LENGTH;
    }

    /** Content size in bytes (what mailq shows as the size). */
    public long contentLength() {
        return contentLength;
    }

    /** Each recipient's status when this was read, in envelope order. */
    public List<RecipientStatus> recipientStatuses() {
        return statuses;
    }

    /** Indexes of the recipients not yet in a final state (still to be delivered). */
    public List<Integer> pendingRecipients() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < statuses.size(); i++) {
            if (!statuses.get(i).isFinal()) out.add(i);
        }
        return out;
    }

    /**
     * A fresh stream over the content, read from disk as it is consumed (never the whole message in
     * memory). The caller closes it. Blocking reads: use it on a worker thread.
     */
    public InputStream openContent() throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        int buffer = (int) Math.max(1, Math.min(64 * 1024, contentLength)); // no 64 KB array for a 5 KB message
        return new BufferedInputStream(new ContentStream(ch, HEADER_LENGTH, contentLength), buffer);
    }

    /**
     * The whole content in one array, for a message small enough to be shared by several readers (the
     * vscan filters) instead of streamed to each; the caller bounds {@link #contentLength()}. Blocking.
     */
    public byte[] readContent() throws IOException {
        if (contentLength > Integer.MAX_VALUE - 16) throw new IOException(path + ": content too large to read at once");
        ByteBuffer b = ByteBuffer.allocate((int) contentLength);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            readFully(ch, b, HEADER_LENGTH, path);
        }
        return b.array();
    }

    /** What a commit into {@code target} marks in the header: see {@link QueueWriter#commit(Envelope, QueueName)}. */
    enum Mark {
        NONE((byte) 0), HELD_UNSCANNED(FLAG_UNSCANNED), STAGED_RELEASE(FLAG_STAGED_RELEASE), IN_TRANSIT(FLAG_TRANSIT);

        final byte flags;

        Mark(byte flags) {
            this.flags = flags;
        }
    }

    /** The header of a file whose content is {@code contentLength} bytes and envelope {@code envLength}. */
    static ByteBuffer header(long contentLength, long envLength, Mark mark) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH);
        h.put(MAGIC).putShort(VERSION).putShort((short) HEADER_LENGTH).put(mark.flags).put((byte) 0)
                .putShort((short) 0);
        h.putLong(HEADER_LENGTH).putLong(contentLength).putLong(HEADER_LENGTH + contentLength).putLong(envLength);
        return h.position(0);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long at, Path file) throws IOException {
        long pos = at;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) throw new CorruptQueueFileException(file, "truncated at offset " + pos);
            pos += n;
        }
    }

    /** Positional reads of [offset, offset+length) of a channel it owns. */
    private static final class ContentStream extends InputStream {
        private final FileChannel ch;
        private long pos;
        private final long end;

        ContentStream(FileChannel ch, long offset, long length) {
            this.ch = ch;
            this.pos = offset;
            this.end = offset + length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) return 0;
            if (pos >= end) return -1;
            int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
            if (n < 0) throw new IOException(pos + ": queue file shorter than its header says");
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long k = Math.max(0, Math.min(n, end - pos));
            pos += k;
            return k;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, end - pos);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
