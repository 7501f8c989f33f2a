// HeaderSyntax: the little header grammar the MIME parser and the checks need, as Postfix has it --
// is_header() (is this line a header field?), the MIME header names of header_opts.c, and the
// header_token() tokenizer that reads Content-Type and Content-Transfer-Encoding values.
package org.postern.policies.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Header field syntax (Postfix is_header.c, header_opts.c, header_token.c). */
final class HeaderSyntax {
    private HeaderSyntax() {}

    /** Headers that Postfix flags HDR_OPT_MIME: checked with mime_header_checks wherever they are. */
    private static final Set<String> MIME_HEADERS = Set.of("content-description", "content-disposition",
            "content-id", "content-transfer-encoding", "content-type", "mime-version");

    /** RFC 2045 tspecials, the separators of a Content-Type value. */
    static final String TSPECIALS = "()<>@,;:\\\"/[]?=";

    /** RFC 822 specials, the separators of other structured values. */
    static final String RFC822_SPECIALS = "()<>@,;:\\\".[]";

    /**
     * Postfix's is_header(): the length of the field name when {@code line} starts with a name
     * (printable ASCII other than space and colon), optional blanks (obsolete syntax) and a colon;
     * 0 when it is not a header field.
     */
    static int nameLength(String line) {
        int len = 0;
        boolean blanks = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ':') return len;
            if (c == ' ' || c == '\t') {
                if (len == 0) return 0;
                blanks = true;
            } else if (c < 33 || c > 126 || blanks) {
                return 0;
            } else {
                len++;
            }
        }
        return 0;
    }

    /** True when {@code text} is a header field "name: value" (the PREPEND/REPLACE header rule). */
    static boolean isHeader(String text) {
        return nameLength(text) > 0;
    }

    /** The field name of a normalized logical header ("Name:value..."), in lower case. */
    static String lowerName(String header) {
        int colon = header.indexOf(':');
        return (colon < 0 ? header : header.substring(0, colon)).toLowerCase(Locale.ROOT);
    }

    static boolean isMimeHeader(String lowerName) {
        return MIME_HEADERS.contains(lowerName);
    }

    /** One token of a header value: a word, a quoted string (unquoted), or a special/control character. */
    record Token(char special, String value) {
        static final char WORD = 0;
        static final char QUOTED = 1;

        boolean isWord(String word) {
            return special == WORD && value.equalsIgnoreCase(word);
        }
    }

    /**
     * Postfix's header_token() over one header value: linear white space and (nested) comments are
     * skipped, quoted strings are unquoted, specials and controls are one-character tokens.
     */
    static final class Tokenizer {
        private final String s;
        private int pos;

        Tokenizer(String value) {
            this.s = value;
        }

        /**
         * The next tokens: with a terminator, everything up to and including it is consumed and the
         * first {@code max} tokens are kept; without (0), at most {@code max} tokens are read.
         *
         * @return the tokens, or null when the input was exhausted before any token was found
         */
        List<Token> next(int max, String specials, char terminator) {
            List<Token> out = new ArrayList<>(max);
            int found = 0;
            char ch = 0;
            boolean ended = true;
            while (pos < s.length() && (terminator != 0 || found < max)) {
                ch = s.charAt(pos++);
                if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') continue;
                if (terminator != 0 && ch == terminator) {
                    ended = false;
                    break;
                }
                if (ch == '(') {
                    skipComment();
                } else if (ch == '"') {
                    String q = quoted();
                    if (found++ < max) out.add(new Token(Token.QUOTED, q));
                } else if (specials.indexOf(ch) >= 0 || ch < 32 || ch == 127) {
                    if (found++ < max) out.add(new Token(ch, String.valueOf(ch)));
                } else {
                    int start = pos - 1;
                    while (pos < s.length() && !isDelimiter(s.charAt(pos), specials)) pos++;
                    if (found++ < max) out.add(new Token(Token.WORD, s.substring(start, pos)));
                }
            }
            if (out.isEmpty() && ended && pos >= s.length()) return null;
            return out;
        }

        private static boolean isDelimiter(char c, String specials) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c < 32 || c == 127 || specials.indexOf(c) >= 0;
        }

        private void skipComment() {
            int level = 1;
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '(') {
                    level++;
                } else if (c == ')') {
                    if (--level == 0) return;
                } else if (c == '\\') {
                    if (pos >= s.length()) return;
                    pos++;
                }
            }
        }

        /** A quoted string after its opening quote; a folded line break drops the blanks before it. */
        private String quoted() {
            StringBuilder sb = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') break;
                if (c == '\n') {
                    int len = sb.length();
                    while (len > 0 && " \t\n\r".indexOf(sb.charAt(len - 1)) >= 0) len--;
                    sb.setLength(len);
                    continue;
                }
                if (c == '\\') {
                    if (pos >= s.length()) break;
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
            return sb.toString();
        }
    }
}
