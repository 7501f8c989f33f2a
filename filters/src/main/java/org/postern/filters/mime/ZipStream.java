// ZipStream: java.util.zip.ZipInputStream reading a zip attachment from its local headers, plus
// what ZipScan needs around it: the name of an entry ZipInputStream refuses (encrypted), that entry's
// header flags, and the bytes it read ahead, so the archive walk can resynchronise after a bad entry.
package org.postern.filters.mime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Never closed (closing would close the attachment stream beneath); {@link #release()} frees the
 * inflater. Names not flagged UTF-8 are read as ISO-8859-1, which never fails and keeps the ASCII
 * extension intact (CP437, the zip default, may be missing from a trimmed runtime).
 */
final class ZipStream extends ZipInputStream {

    /** Where the last {@link #next()} left the stream. */
    private enum State { NONE, ENTRY, END, FAILED }

    private final Tap tap;
    private String lastName;
    private State state = State.NONE;

    ZipStream(InputStream source) {
        super(source, StandardCharsets.ISO_8859_1);
        // ZipInputStream reads everything through `in`, which it casts to PushbackInputStream to
        // give back read-ahead; replacing it with a recording one lets us see the raw headers.
        tap = new Tap(source);
        in = tap;
    }

    @Override
    protected ZipEntry createZipEntry(String name) {
        lastName = name; // called before ZipInputStream checks the flags, so refused entries are named too
        return super.createZipEntry(name);
    }

    /**
     * The next entry from its local header, or null at the end of the local entries (the central
     * directory, or bytes that are no zip header). The current entry must have been read to its end.
     *
     * @throws java.util.zip.ZipException an entry ZipInputStream refuses (encrypted, bad name, ...):
     *                                    {@link #refusedName()} and {@link #refusedEncrypted()} tell more
     */
    ZipEntry next() throws IOException {
        closeEntry();
        lastName = null;
        state = State.FAILED;
        tap.record();
        try {
            ZipEntry e = getNextEntry();
            state = e == null ? State.END : State.ENTRY;
            return e;
        } catch (IllegalArgumentException e) { // Java 17 lets a name flagged UTF-8 that is not fail so
            throw new ZipException("invalid LOC header (bad entry name)");
        } finally {
            tap.stopRecording();
        }
    }

    /** The name of the entry the last failed {@link #next()} refused, or null when it had none yet. */
    String refusedName() {
        return state == State.FAILED ? lastName : null;
    }

    /** Whether the local header the last failed {@link #next()} refused has the encryption flag (bit 0). */
    boolean refusedEncrypted() {
        byte[] h = tap.recorded();
        return state == State.FAILED && h.length >= 8 && (h[6] & 1) != 0;
    }

    /**
     * The bytes read from the source but not used, in stream order, for the caller to push back:
     * after the end of the local entries the bytes that were not a local header; after a refused
     * entry its header minus the signature (so a resync starts just past it); plus read-ahead.
     */
    byte[] unused() {
        byte[] head = switch (state) {
            case END -> {
                // A truncated local header (EOF inside it) must not be found again by the resync.
                byte[] r = tap.recorded();
                boolean local = r.length >= 4 && r[0] == 'P' && r[1] == 'K' && r[2] == 3 && r[3] == 4;
                yield local ? Arrays.copyOfRange(r, 4, r.length) : r;
            }
            case FAILED -> {
                byte[] r = tap.recorded();
                yield r.length > 4 ? Arrays.copyOfRange(r, 4, r.length) : new byte[0];
            }
            default -> new byte[0];
        };
        byte[] ahead = tap.pending();
        byte[] all = Arrays.copyOf(head, head.length + ahead.length);
        System.arraycopy(ahead, 0, all, head.length, ahead.length);
        return all;
    }

    /** Frees the native inflater; the stream is not used afterwards. */
    void release() {
        inf.end();
    }

    /** A PushbackInputStream (what ZipInputStream expects) that can record what it delivers. */
    private static final class Tap extends PushbackInputStream {
        private ByteArrayOutputStream recording;
        private byte[] recorded = new byte[0];

        Tap(InputStream source) {
            super(source, 1024); // ZipInputStream gives back at most its 512-byte buffer
        }

        void record() {
            recording = new ByteArrayOutputStream(64);
        }

        void stopRecording() {
            recorded = recording == null ? new byte[0] : recording.toByteArray();
            recording = null;
        }

        byte[] recorded() {
            return recorded;
        }

        /** Takes the bytes given back and not read again. */
        byte[] pending() {
            byte[] p = Arrays.copyOfRange(buf, pos, buf.length);
            pos = buf.length;
            return p;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && recording != null) recording.write(b);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && recording != null) recording.write(b, off, n);
            return n;
        }
    }
}
