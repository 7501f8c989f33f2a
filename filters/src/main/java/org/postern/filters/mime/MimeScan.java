// MimeScan: the streaming MIME walk of the vscan stage's "attachments" filter -- mime4j events for
// every part (nested message/rfc822 included), each part's file names through NameRules, its declared
// and sniffed type through vscan_banned_types, zip parts through ZipScan, text parts for uuencode.
package org.postern.filters.mime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.MimeIOException;
import org.apache.james.mime4j.parser.ContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.ByteSequence;
import org.postern.policies.table.TableLookupException;

/**
 * One walk per message (and per .eml attachment inside it), on a worker thread. Bodies are decoded
 * as they stream by (base64, quoted-printable); only a part's first {@link MagicSniffer#HEAD_BYTES}
 * are buffered. Malformed MIME is read as a lenient mail client would; the walk ends at the first ban.
 */
final class MimeScan implements ContentHandler {
    /** Multiparts and messages inside each other beyond this are not walked (UNSCANNABLE). */
    static final int MAX_DEPTH = 64;
    /** File names one part may give; a part with more is not looked at further (UNSCANNABLE). */
    private static final int MAX_NAMES = 100;

    /**
     * Lenient limits: no line length limit (base64 in one line, binary parts), headers up to 1 MB
     * each and 10,000 per part; a part beyond them makes the message UNSCANNABLE.
     */
    static final MimeConfig CONFIG = MimeConfig.custom()
            .setStrictParsing(false)
            .setMaxLineLen(-1)
            .setMaxHeaderCount(10_000)
            .setMaxHeaderLen(1 << 20)
            .setMaxContentLen(-1)
            .build();

    /**
     * A part's header: its label in verdicts (its first file name, or "part 2.1"), that name as
     * given (null when none), and whether a vscan_banned_file_maps OK allows the part.
     */
    private record Part(String label, String name, boolean allowed) {
        boolean named() {
            return name != null;
        }
    }

    private final AttachmentPolicy policy;
    private final NameRules rules;
    private final Findings findings;
    private final MimeStreamParser parser;
    private final Deque<int[]> sections = new ArrayDeque<>();
    private final Deque<String> prefixes = new ArrayDeque<>();
    private final List<String> typeHeaders = new ArrayList<>();
    private final List<String> dispositionHeaders = new ArrayList<>();
    private Part current;
    private int depth;
    private TableLookupException lookupFailure;

    /** Ends the walk at once (mime4j's own stop() keeps reading through nested parts). */
    private static final class Stop extends MimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super("walk stopped");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private MimeScan(AttachmentPolicy policy, NameRules rules, Findings findings, String prefix, int depth) {
        this.policy = policy;
        this.rules = rules;
        this.findings = findings;
        this.depth = depth;
        this.prefixes.push(prefix);
        this.parser = new MimeStreamParser(CONFIG);
        parser.setContentDecoding(true);
        parser.setRecurse();
        parser.setContentHandler(this);
    }

    /**
     * Walks the message in {@code in}, adding to {@code findings}.
     *
     * @param prefix "" for the message, "name.eml/" for a message attached as a file
     * @param depth  nesting of this message (0 for the queued message)
     * @throws IOException          reading failed (not: malformed MIME, which is read leniently)
     * @throws TableLookupException a vscan_banned_file_maps table could not answer
     */
    static void scan(InputStream in, AttachmentPolicy policy, NameRules rules, Findings findings, String prefix,
                     int depth) throws IOException, TableLookupException {
        MimeScan walk = new MimeScan(policy, rules, findings, prefix, depth);
        try {
            walk.parser.parse(in);
        } catch (Stop e) {
            // a ban, a table failure or too deep: recorded already
        } catch (MimeIOException e) { // a limit hit while reading a body
            findings.unscannable(prefix + "cannot parse MIME: " + e.getMessage());
        } catch (MimeException e) {
            findings.unscannable(prefix + "cannot parse MIME: " + e.getMessage());
        }
        if (walk.lookupFailure != null) throw walk.lookupFailure;
    }

    @Override
    public void startMessage() throws MimeException {
        deeper();
        String prefix = prefixes.peek();
        if (current != null && current.named()) prefix = current.label() + "/"; // inside "fwd.eml"
        prefixes.push(prefix);
    }

    @Override
    public void endMessage() {
        depth--;
        if (prefixes.size() > 1) prefixes.pop();
    }

    @Override
    public void startMultipart(BodyDescriptor bd) throws MimeException {
        deeper();
        sections.push(new int[] {0});
    }

    @Override
    public void endMultipart() {
        depth--;
        sections.poll();
    }

    @Override
    public void startBodyPart() {
        int[] top = sections.peek();
        if (top != null) top[0]++;
    }

    @Override
    public void endBodyPart() {}

    @Override
    public void startHeader() {
        typeHeaders.clear();
        dispositionHeaders.clear();
    }

    @Override
    public void field(Field field) {
        String name = field.getName() == null ? "" : field.getName().strip().toLowerCase(Locale.ROOT);
        if (name.equals("content-type")) typeHeaders.add(headerBody(field));
        else if (name.equals("content-disposition")) dispositionHeaders.add(headerBody(field));
    }

    @Override
    public void endHeader() throws MimeException {
        // filename= belongs in Content-Disposition and name= in Content-Type, but clients read both.
        Set<String> names = new LinkedHashSet<>();
        for (String h : dispositionHeaders) names.addAll(fileNames(h));
        for (String h : typeHeaders) names.addAll(fileNames(h));
        String prefix = prefixes.peek();
        boolean allowed = false;
        int checked = 0;
        try {
            for (String name : names) {
                if (checked++ >= MAX_NAMES) {
                    findings.unscannable(prefix + "part " + section() + ": more than " + MAX_NAMES + " file names");
                    break;
                }
                NameRules.Result r = rules.check(name);
                if (r.decision() == NameRules.Decision.BAN) ban(prefix + FileNames.printable(name) + ": " + r.reason());
                allowed |= r.decision() == NameRules.Decision.ALLOW;
            }
        } catch (TableLookupException e) {
            fail(e);
        }
        String first = names.isEmpty() ? null : names.iterator().next();
        current = first == null ? new Part(prefix + "part " + section(), null, false)
                : new Part(prefix + FileNames.printable(first), first, allowed);
    }

    @Override
    public void body(BodyDescriptor bd, InputStream in) throws IOException, MimeException {
        Part part = current != null ? current : new Part(prefixes.peek() + "part " + section(), null, false);
        String declared = bd.getMimeType() == null ? "" : bd.getMimeType().toLowerCase(Locale.ROOT);
        if (!part.allowed() && policy.bannedTypes().contains(declared)) {
            ban(part.label() + ": banned type " + declared);
        }
        byte[] head = in.readNBytes(MagicSniffer.HEAD_BYTES);
        Optional<String> sniffed = MagicSniffer.sniff(head, head.length);
        if (!part.allowed() && sniffed.isPresent() && policy.bannedTypes().contains(sniffed.get())) {
            ban(part.label() + ": sniffed " + sniffed.get());
        }
        InputStream all = new SequenceInputStream(new ByteArrayInputStream(head), in);
        Optional<String> ext = part.named() ? FileNames.lastExtension(part.name()) : Optional.empty();
        try {
            if (sniffed.map(MagicSniffer::isZip).orElse(ext.filter("zip"::equals).isPresent())) {
                ArchiveBudget budget = new ArchiveBudget(policy.archiveSizeLimit(), part.label());
                new ZipScan(policy, rules, findings, budget).scan(part.label(), all, 0);
            } else if (sniffed.isEmpty() && (declared.equals("message/global") || ext.filter("eml"::equals).isPresent())) {
                if (depth + 1 > MAX_DEPTH) findings.unscannable(part.label() + ": MIME nested deeper than " + MAX_DEPTH);
                else scan(all, policy, rules, findings, part.label() + "/", depth + 1);
            } else if (declared.equals("text/plain") && sniffed.isEmpty()) {
                for (String name : UuencodeNames.find(all)) {
                    NameRules.Result r = rules.check(name);
                    if (r.decision() == NameRules.Decision.BAN) {
                        findings.ban(FileNames.printable(name) + ": " + r.reason() + " (uuencoded in " + part.label() + ")");
                        break;
                    }
                }
            }
        } catch (ArchiveBudget.Exceeded e) {
            findings.unscannable(e.getMessage());
        } catch (java.util.zip.ZipException e) { // cannot come from a MIME body; kept tolerant all the same
            findings.unscannable(part.label() + ": damaged zip archive: " + e.getMessage());
        } catch (TableLookupException e) {
            fail(e);
        }
        if (findings.banned()) throw new Stop();
    }

    @Override
    public void preamble(InputStream is) {}

    @Override
    public void epilogue(InputStream is) {}

    @Override
    public void raw(InputStream is) {}

    /** Enters a multipart or message; beyond MAX_DEPTH the walk stops (UNSCANNABLE). */
    private void deeper() throws Stop {
        if (++depth <= MAX_DEPTH) return;
        findings.unscannable(prefixes.peek() + "MIME parts nested deeper than " + MAX_DEPTH);
        throw new Stop();
    }

    private static List<String> fileNames(String header) {
        List<MimeParams.Param> params = MimeParams.parse(header);
        List<String> out = new ArrayList<>(MimeParams.values(params, "filename"));
        out.addAll(MimeParams.values(params, "name"));
        return out;
    }

    /** IMAP-style position of the current part: "1", "2.1", ... */
    private String section() {
        if (sections.isEmpty()) return "1";
        List<String> path = new ArrayList<>();
        sections.descendingIterator().forEachRemaining(s -> path.add(Integer.toString(Math.max(s[0], 1))));
        return path.stream().collect(Collectors.joining("."));
    }

    private void ban(String detail) throws Stop {
        findings.ban(detail);
        throw new Stop();
    }

    private void fail(TableLookupException e) throws Stop {
        if (lookupFailure == null) lookupFailure = e;
        throw new Stop();
    }

    /** The unfolded header body; raw 8-bit bytes are read as UTF-8 when they are, else as Latin-1. */
    private static String headerBody(Field field) {
        ByteSequence raw = field.getRaw();
        if (raw == null) return field.getBody() == null ? "" : field.getBody();
        byte[] bytes = raw.toByteArray();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            text = new String(bytes, StandardCharsets.ISO_8859_1);
        }
        int colon = text.indexOf(':');
        return (colon < 0 ? "" : text.substring(colon + 1)).replace("\r", "").replace("\n", "");
    }
}
