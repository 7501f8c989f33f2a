// MimeFixtures: builds the test messages and archives of the attachment filter tests -- multipart
// mail with base64 parts, zips (nested, flagged encrypted, with central directory names changed) and
// executable-looking bytes. Test support for AttachmentFilterTest and friends.
package org.postern.filters.mime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

final class MimeFixtures {
    static final String HEAD = "From: <sender@sender.test>\r\nTo: <user@example.test>\r\n"
            + "Subject: test\r\nMessage-ID: <t@sender.test>\r\nMIME-Version: 1.0\r\n";

    /**
     * A real Info-ZIP archive ({@code zip -e -P pw enc.zip notes.txt run.js}): both entries encrypted,
     * stored, with data descriptors (general purpose flags 0x0009).
     */
    static final String INFOZIP_ENCRYPTED = "UEsDBAoACQAAABsOdl27iOikGAAAAAwAAAAJABwAbm90ZXMudHh0VVQJAAMFSgJrBUoCa3V4CwABBAA"
            + "AAAAEAAAAAM3c7wOkQSQ+jcRn/De0q8jZCkEqqJRTzVBLBwi7iOikGAAAAAwAAABQSwMECgAJAAAAGw52XVJn+VIcAAAAEAAAAAYAHABy"
            + "dW4uanNVVAkAAwVKAmsFSgJrdXgLAAEEAAAAAAQAAAAAFCMxwtDZ95ApCTyNUcfN7iG5DTyBqm8/q9E/41BLBwhSZ/lSHAAAABAAAABQ"
            + "SwECHgMKAAkAAAAbDnZdu4jopBgAAAAMAAAACQAYAAAAAAABAAAApIEAAAAAbm90ZXMudHh0VVQFAAMFSgJrdXgLAAEEAAAAAAQAAAAAUE"
            + "sBAh4DCgAJAAAAGw52XVJn+VIcAAAAEAAAAAYAGAAAAAAAAQAAAKSBawAAAHJ1bi5qc1VUBQADBUoCa3V4CwABBAAAAAAEAAAAAFBLBQYA"
            + "AAAAAgACAJsAAADXAAAAAAA=";

    private MimeFixtures() {}

    /** A whole message: the common headers, then {@code headers} (Content-Type ...), a blank line, {@code body}. */
    static byte[] mail(String headers, String body) {
        return (HEAD + headers + "\r\n" + body).getBytes(StandardCharsets.UTF_8);
    }

    /** multipart/mixed with a text part and the given parts, properly closed. */
    static byte[] mixed(String... parts) {
        return mixedWith("b0", parts);
    }

    /** As {@link #mixed}, with another boundary (for a message inside a message). */
    static byte[] mixedWith(String boundary, String... parts) {
        return mail("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n", multipart(boundary, parts));
    }

    /** The body of a multipart with {@code boundary}: a text part first, then {@code parts}, then the close. */
    static String multipart(String boundary, String... parts) {
        StringBuilder b = new StringBuilder("This is a multi-part message in MIME format.\r\n");
        b.append("--").append(boundary).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n\r\nHello, see the attachment.\r\n");
        for (String p : parts) b.append("--").append(boundary).append("\r\n").append(p);
        return b.append("--").append(boundary).append("--\r\n").toString();
    }

    /** A base64 part: {@code headers} (each line ending CRLF), the encoding header, the data. */
    static String part(String headers, byte[] data) {
        return headers + "Content-Transfer-Encoding: base64\r\n\r\n" + base64(data);
    }

    /** An attachment part: Content-Type {@code type} and Content-Disposition with {@code filename}. */
    static String attachment(String type, String filename, byte[] data) {
        return part("Content-Type: " + type + "\r\nContent-Disposition: attachment; filename=\"" + filename + "\"\r\n",
                data);
    }

    /** MIME base64: 76 characters a line, CRLF. */
    static String base64(byte[] data) {
        return Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(data) + "\r\n";
    }

    /** A DOS/PE executable's first bytes: MZ header with e_lfanew = 0x80 and a PE signature there. */
    static byte[] exe() {
        byte[] b = new byte[512];
        b[0] = 'M';
        b[1] = 'Z';
        b[2] = (byte) 0x90;
        b[0x3c] = (byte) 0x80;
        b[0x80] = 'P';
        b[0x81] = 'E';
        byte[] stub = "This program cannot be run in DOS mode.".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(stub, 0, b, 0x4e, stub.length);
        return b;
    }

    static byte[] pdf() {
        return ("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A zip of {@code entries} (name to content, in order), deflated. */
    static byte[] zip(Map<String, byte[]> entries) {
        return zip(entries, false);
    }

    /** A zip with STORED entries (sizes and CRC in the local headers, no data descriptors) when {@code stored}. */
    static byte[] zip(Map<String, byte[]> entries, boolean stored) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    ze.setCompressedSize(e.getValue().length);
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Map<String, byte[]> entries(Object... nameThenContent) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            Object v = nameThenContent[i + 1];
            m.put((String) nameThenContent[i], v instanceof byte[] b ? b : v.toString().getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    /**
     * {@code zip} with the encryption flag (general purpose bit 0) set in every local and central
     * header: what a password-protected archive looks like to a reader that has no password.
     */
    static byte[] flagEncrypted(byte[] zip) {
        byte[] z = zip.clone();
        for (int i = 0; i + 10 < z.length; i++) {
            if (z[i] == 'P' && z[i + 1] == 'K' && z[i + 2] == 3 && z[i + 3] == 4) z[i + 6] |= 1;
            if (z[i] == 'P' && z[i + 1] == 'K' && z[i + 2] == 1 && z[i + 3] == 2) z[i + 8] |= 1;
        }
        return z;
    }

    /** {@code zip} with {@code from} replaced by {@code to} (same length) in the central directory only. */
    static byte[] renameInCentralDirectory(byte[] zip, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        if (f.length != t.length) throw new IllegalArgumentException("same length only");
        byte[] z = zip.clone();
        int cen = -1;
        for (int i = 0; i + 4 < z.length; i++) {
            if (z[i] == 'P' && z[i + 1] == 'K' && z[i + 2] == 1 && z[i + 3] == 2) {
                cen = i;
                break;
            }
        }
        for (int i = cen; i + f.length <= z.length; i++) {
            if (Arrays.equals(z, i, i + f.length, f, 0, f.length)) System.arraycopy(t, 0, z, i, t.length);
        }
        return z;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
