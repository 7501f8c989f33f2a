// ZipScan: walks a zip attachment as a stream -- each local entry's name through NameRules, its first
// bytes through MagicSniffer, zips inside opened up to vscan_archive_nesting_limit, encrypted entries
// per vscan_ban_encrypted_archives, and the central directory's names too (a name hidden there counts).
package org.postern.filters.mime;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import org.postern.policies.table.TableLookupException;

/**
 * One walk per attachment, on the worker thread scanning the message. The walk is driven by zip
 * signatures: local entries are read with {@link ZipStream}; when ZipInputStream refuses an entry or
 * stops, the walk looks for the next signature in the raw bytes (a damaged entry, data before the
 * first header, a second zip appended) and reads central directory records itself.
 */
final class ZipScan {
    private static final int LOCAL = 0x04034b50;
    private static final int CENTRAL = 0x02014b50;
    private static final byte[] LOCAL_BYTES = {'P', 'K', 3, 4};
    /** Room for what a ZipStream leaves unused: its read-ahead (1024) and a refused header with its name. */
    private static final int PUSHBACK = 1024 + 30 + 65_535 + 64;
    /** Names remembered per archive to skip re-checking them in the central directory. */
    private static final int SEEN_LIMIT = 10_000;

    private final AttachmentPolicy policy;
    private final NameRules rules;
    private final Findings findings;
    private final ArchiveBudget budget;

    ZipScan(AttachmentPolicy policy, NameRules rules, Findings findings, ArchiveBudget budget) {
        this.policy = policy;
        this.rules = rules;
        this.findings = findings;
        this.budget = budget;
    }

    /**
     * Walks the archive {@code path} (the attachment's name, or "outer.zip/inner.zip") read from
     * {@code source} to its end or to the first ban.
     *
     * @param depth 0 for an attachment, 1 for a zip inside it, ...
     * @throws ArchiveBudget.Exceeded the size limit was reached (the caller records UNSCANNABLE)
     * @throws ZipException           the stream beneath (an outer entry) is damaged (or EOFException)
     * @throws IOException            reading the message failed
     */
    void scan(String path, InputStream source, int depth) throws IOException, TableLookupException {
        Rewind src = new Rewind(new BufferedInputStream(source, 8192));
        Set<String> seen = new HashSet<>();
        while (!findings.banned()) {
            int signature = nextSignature(src);
            if (signature == LOCAL) {
                src.unread(LOCAL_BYTES);
                localEntries(path, src, depth, seen);
            } else if (signature == CENTRAL) {
                centralRecord(path, src, seen);
            } else {
                return; // end of the archive
            }
        }
    }

    /** Reads local entries until the local headers end or ZipInputStream refuses one. */
    private void localEntries(String path, Rewind src, int depth, Set<String> seen)
            throws IOException, TableLookupException {
        ZipStream zip = new ZipStream(src);
        try {
            ZipEntry e;
            while (!findings.banned() && (e = zip.next()) != null) {
                entry(path, zip, e, depth, seen);
            }
        } catch (ZipException | EOFException refused) { // EOF: a header or deflate data cut short
            String name = zip.refusedName();
            if (name != null) checkName(path, name, seen);
            if (zip.refusedEncrypted()) encrypted(path);
            // otherwise a damaged entry: the walk resumes at the next signature
        } finally {
            byte[] unused = zip.unused();
            zip.release();
            src.giveBack(unused);
        }
    }

    private void entry(String path, ZipStream zip, ZipEntry e, int depth, Set<String> seen)
            throws IOException, TableLookupException {
        String name = e.getName();
        String full = path + "/" + FileNames.printable(name);
        NameRules.Result r = checkName(path, name, seen);
        if (r.decision() == NameRules.Decision.BAN) return;
        // A directory entry is read like a file: data hidden in one is sniffed and counted too.
        if (e.getMethod() != ZipEntry.STORED && e.getMethod() != ZipEntry.DEFLATED) {
            findings.unscannable(full + ": zip compression method " + e.getMethod() + " not supported");
            return; // reading it fails; the walk resumes at the next signature
        }
        InputStream data = budget.charging(zip);
        byte[] head = data.readNBytes(MagicSniffer.HEAD_BYTES);
        Optional<String> type = MagicSniffer.sniff(head, head.length);
        boolean allowed = r.decision() == NameRules.Decision.ALLOW;
        if (!allowed && type.isPresent() && policy.bannedTypes().contains(type.get())) {
            findings.ban(full + ": sniffed " + type.get() + " (in archive)");
            return;
        }
        boolean zipped = type.map(MagicSniffer::isZip)
                .orElse(FileNames.lastExtension(name).filter("zip"::equals).isPresent());
        if (zipped) {
            if (depth + 1 > policy.archiveNestingLimit()) {
                findings.unscannable(full + ": archives nested deeper than vscan_archive_nesting_limit ("
                        + policy.archiveNestingLimit() + ")");
            } else {
                scan(full, new SequenceInputStream(new ByteArrayInputStream(head), data), depth + 1);
            }
        }
        if (!findings.banned()) data.transferTo(OutputStream.nullOutputStream()); // to the entry's end, counted
    }

    /** One central directory record after its signature: name (unless seen locally) and flags. */
    private void centralRecord(String path, PushbackInputStream src, Set<String> seen)
            throws IOException, TableLookupException {
        byte[] fixed = src.readNBytes(42);
        if (fixed.length < 42) return;
        int flags = u16(fixed, 4);
        int nameLength = u16(fixed, 24);
        long skip = (long) u16(fixed, 26) + u16(fixed, 28); // extra field, comment
        byte[] raw = src.readNBytes(nameLength);
        String name = new String(raw, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        if (!seen.contains(name)) checkName(path, name, seen);
        if ((flags & 1) != 0) encrypted(path);
        discard(src, skip);
    }

    private NameRules.Result checkName(String path, String name, Set<String> seen) throws TableLookupException {
        if (seen.size() < SEEN_LIMIT) seen.add(name);
        NameRules.Result r = rules.check(name);
        if (r.decision() == NameRules.Decision.BAN) {
            findings.ban(path + "/" + FileNames.printable(name) + ": " + r.reason() + " (in archive)");
        }
        return r;
    }

    private void encrypted(String path) {
        if (policy.banEncryptedArchives()) findings.ban(path + ": encrypted archive");
    }

    /**
     * Reads up to and including the next local header or central directory signature; other zip
     * records (end of central directory, data descriptors) and anything else are passed over.
     *
     * @return the signature, or 0 at the end of the stream
     */
    private static int nextSignature(PushbackInputStream src) throws IOException {
        int window = 0;
        int count = 0;
        for (int b; (b = src.read()) >= 0; ) {
            window = (window >>> 8) | (b << 24);
            if (++count >= 4 && (window == LOCAL || window == CENTRAL)) return window;
        }
        return 0;
    }

    /** Reads and drops up to {@code n} bytes (fewer when the stream ends first). */
    private static void discard(InputStream src, long n) throws IOException {
        byte[] sink = new byte[(int) Math.min(8192, Math.max(n, 1))];
        for (long left = n; left > 0; ) {
            int r = src.read(sink, 0, (int) Math.min(sink.length, left));
            if (r < 0) return;
            left -= r;
        }
    }

    /** The archive stream, able to take back what a ZipStream read but did not use. */
    private static final class Rewind extends PushbackInputStream {
        Rewind(InputStream in) {
            super(in, PUSHBACK);
        }

        /**
         * Pushes {@code unused} back. Should it not fit (a refused header with a huge extra field),
         * its start is dropped: the walk then resumes a little further on, never out of order.
         */
        void giveBack(byte[] unused) throws IOException {
            int fit = Math.min(unused.length, pos);
            unread(unused, unused.length - fit, fit);
        }
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }
}
