// MimePartHeader: what QuotedPrintableDowngrade needs from one header block (top level, body part or
// embedded message/rfc822): media type, boundary, Content-Transfer-Encoding, MIME-Version, 8-bit bytes;
// and the header rewritten with a new encoding. smtp client DATA path; no main.cf parameter.
package org.postern.gateway.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** type and encoding lower case (null when absent); boundary as written (null when absent). */
record MimePartHeader(boolean ascii, boolean mimeVersion, String type, String boundary, String encoding) {

    static MimePartHeader parse(byte[] raw, int len) {
        boolean ascii = true;
        for (int i = 0; i < len; i++) ascii &= raw[i] >= 0;
        boolean mime = false;
        String type = null, boundary = null, cte = null;
        for (String f : unfoldedFields(new String(raw, 0, len, StandardCharsets.ISO_8859_1))) {
            String name = f.substring(0, f.indexOf(':')).strip().toLowerCase(Locale.ROOT);
            String value = f.substring(f.indexOf(':') + 1).strip();
            switch (name) {
                case "mime-version" -> mime = true;
                case "content-type" -> {
                    int semi = value.indexOf(';');
                    type = (semi < 0 ? value : value.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
                    boundary = parameter(value, "boundary");
                }
                case "content-transfer-encoding" -> cte = firstToken(value).toLowerCase(Locale.ROOT);
                default -> { }
            }
        }
        return new MimePartHeader(ascii, mime, type, boundary, cte);
    }

    /** The header lines minus Content-Transfer-Encoding (with its continuations), then the new one and the blank line. */
    static byte[] withEncoding(byte[] raw, int len, String encoding) {
        StringBuilder sb = new StringBuilder();
        boolean skipping = false;
        for (String line : new String(raw, 0, len, StandardCharsets.ISO_8859_1).split("(?<=\n)")) {
            if (line.equals("\r\n") || line.equals("\n")) continue;
            boolean continuation = line.startsWith(" ") || line.startsWith("\t");
            if (!continuation) skipping = line.toLowerCase(Locale.ROOT).startsWith("content-transfer-encoding:");
            if (!skipping) sb.append(line);
        }
        sb.append("Content-Transfer-Encoding: ").append(encoding).append("\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Header fields with continuation lines joined; the blank line and lines without a colon left out. */
    private static List<String> unfoldedFields(String header) {
        List<String> out = new ArrayList<>();
        for (String line : header.split("\r?\n")) {
            if (line.isEmpty()) continue;
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + line);
            } else if (line.indexOf(':') > 0) {
                out.add(line);
            }
        }
        return out;
    }

    private static String firstToken(String value) {
        int i = 0;
        while (i < value.length() && " \t(;".indexOf(value.charAt(i)) < 0) i++;
        return value.substring(0, i);
    }

    /** RFC 2045 parameter value (token or quoted-string) of a Content-Type, or null. */
    static String parameter(String value, String wanted) {
        int n = value.length();
        int i = value.indexOf(';');
        while (i >= 0 && i < n) {
            int eq = value.indexOf('=', i + 1);
            if (eq < 0) return null;
            String name = value.substring(i + 1, eq).strip();
            int j = eq + 1;
            while (j < n && (value.charAt(j) == ' ' || value.charAt(j) == '\t')) j++;
            String v;
            if (j < n && value.charAt(j) == '"') {
                StringBuilder sb = new StringBuilder();
                for (j++; j < n && value.charAt(j) != '"'; j++) {
                    if (value.charAt(j) == '\\' && j + 1 < n) j++;
                    sb.append(value.charAt(j));
                }
                v = sb.toString();
                j++;
            } else {
                int k = j;
                while (k < n && value.charAt(k) != ';' && value.charAt(k) != ' ' && value.charAt(k) != '\t') k++;
                v = value.substring(j, k);
                j = k;
            }
            if (name.equalsIgnoreCase(wanted)) return v;
            i = j < n ? value.indexOf(';', j) : -1;
        }
        return null;
    }
}
