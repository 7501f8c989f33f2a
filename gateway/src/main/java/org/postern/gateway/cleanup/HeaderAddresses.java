// HeaderAddresses: finds the addr-specs in the value of an address-list header (From:, To:, Cc:, ...) --
// RFC 5322 display names, quoted strings, comments, groups, <angle> addresses with an obsolete source
// route, bare user names -- so that cleanup's HeaderAddressRewriter can replace them and nothing else.
package org.postern.gateway.cleanup;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A tolerant parser that never throws: a value it cannot read as an address list is reported as
 * unparseable (the caller then leaves the header as it is). The value is a string of octets (one char
 * per octet, ISO-8859-1), so every offset is a byte offset; octets of 0x80 and up are word text.
 */
final class HeaderAddresses {
    private HeaderAddresses() {}

    /**
     * One addr-spec: its octets in the value, {@code [start, end)}, and the address without the white
     * space or folding between its tokens (a quoted local part that needs no quotes unquoted). With a
     * source route ({@code <@relay:user@domain>}) the span starts at the route: Postfix drops the
     * route, so such an address is always replaced.
     */
    record Found(int start, int end, String address, boolean routed) {}

    private enum Kind { ATOM, QUOTED, LITERAL, COMMENT, SPECIAL }

    private record Token(Kind kind, char c, int start, int end) {
        boolean is(char special) {
            return kind == Kind.SPECIAL && c == special;
        }

        boolean isWord() {
            return kind == Kind.ATOM || kind == Kind.QUOTED;
        }
    }

    private static final String SPECIALS = "()<>[]:;@\\,.\"";

    /**
     * The addresses of {@code value} in order, or empty when it is no address list. An address with a
     * comment inside it ({@code joe(x)@example.com}) is left out: it is never rewritten; so is an
     * empty {@code <>}.
     */
    static Optional<List<Found>> parse(String value) {
        List<Token> all = tokens(value);
        if (all == null) return Optional.empty();
        List<Token> words = new ArrayList<>();
        List<Token> comments = new ArrayList<>();
        for (Token t : all) (t.kind() == Kind.COMMENT ? comments : words).add(t);
        Parser p = new Parser(value, words, comments);
        return p.list() ? Optional.of(List.copyOf(p.found)) : Optional.empty();
    }

    /** The tokens of {@code v}; null when a quoted string, comment or literal is not closed, or on a control octet. */
    private static List<Token> tokens(String v) {
        List<Token> out = new ArrayList<>();
        int n = v.length();
        int i = 0;
        while (i < n) {
            char c = v.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
                continue;
            }
            int end;
            Kind kind;
            if (c == '(') {
                end = commentEnd(v, i);
                kind = Kind.COMMENT;
            } else if (c == '"') {
                end = closing(v, i + 1, '"');
                kind = Kind.QUOTED;
            } else if (c == '[') {
                end = closing(v, i + 1, ']');
                kind = Kind.LITERAL;
            } else if (c == '\\' || c < 0x20 || c == 0x7f) {
                return null; // a quoted-pair outside quotes, a control: not an address list we can read
            } else if (SPECIALS.indexOf(c) >= 0) {
                end = i + 1;
                kind = Kind.SPECIAL;
            } else {
                end = i;
                while (end < n && isAtomChar(v.charAt(end))) end++;
                kind = Kind.ATOM;
            }
            if (end < 0) return null;
            out.add(new Token(kind, c, i, end));
            i = end;
        }
        return out;
    }

    private static boolean isAtomChar(char c) {
        return c > 0x20 && c != 0x7f && SPECIALS.indexOf(c) < 0;
    }

    /** The index after the quote or bracket that closes what starts before {@code from}; -1 if none. */
    private static int closing(String v, int from, char close) {
        for (int i = from; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == close) {
                return i + 1;
            } else if (close == ']' && c == '[') {
                return -1;
            }
        }
        return -1;
    }

    /** The index after the comment (comments nest) that opens at {@code start}; -1 if it is not closed. */
    private static int commentEnd(String v, int start) {
        int depth = 0;
        for (int i = start; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Recursive descent over the tokens other than comments. */
    private static final class Parser {
        private final String value;
        private final List<Token> t;
        private final List<Token> comments;
        private final List<Found> found = new ArrayList<>();
        private int p;

        Parser(String value, List<Token> t, List<Token> comments) {
            this.value = value;
            this.t = t;
            this.comments = comments;
        }

        private boolean at(char special) {
            return p < t.size() && t.get(p).is(special);
        }

        /** address-list, empty elements allowed (obs-addr-list). */
        boolean list() {
            while (p < t.size()) {
                if (at(',')) {
                    p++;
                    continue;
                }
                if (!address(false)) return false;
                if (p < t.size() && !at(',')) return false;
                p++;
            }
            return true;
        }

        /** A mailbox, or (outside a group) a group; leaves p at the ',' or ';' after it, or the end. */
        private boolean address(boolean inGroup) {
            int q = p;
            while (q < t.size() && !(t.get(q).is('<') || t.get(q).is(':') || t.get(q).is(',') || t.get(q).is(';'))) q++;
            if (q < t.size() && t.get(q).is('<')) {
                if (!phrase(p, q, false)) return false;
                p = q + 1;
                return angle();
            }
            if (q < t.size() && t.get(q).is(':')) {
                if (inGroup || !phrase(p, q, true)) return false;
                p = q + 1;
                return group();
            }
            if (q < t.size() && t.get(q).is(';') && !inGroup) return false;
            if (!addrSpec(p, q, -1)) return false;
            p = q;
            return true;
        }

        /** The members of a group after its ':', through the closing ';'. */
        private boolean group() {
            while (true) {
                if (p >= t.size()) return false;
                if (at(';')) {
                    p++;
                    return true;
                }
                if (at(',')) {
                    p++;
                    continue;
                }
                if (!address(true)) return false;
                if (!at(',') && !at(';')) return false;
            }
        }

        /** After '<': [obs-route] addr-spec '>', or an empty "<>". */
        private boolean angle() {
            if (at('>')) {
                p++;
                return true;
            }
            int routeStart = -1;
            if (at('@')) {
                routeStart = t.get(p).start();
                while (at('@')) {
                    p++;
                    if (!domain()) return false;
                    while (at(',')) p++;
                }
                if (!at(':')) return false;
                p++;
            }
            int close = p;
            while (close < t.size() && !t.get(close).is('>')) close++;
            if (close >= t.size() || !addrSpec(p, close, routeStart)) return false;
            p = close + 1;
            return true;
        }

        /** One domain of a route: atoms and dots, or a literal. */
        private boolean domain() {
            if (p < t.size() && t.get(p).kind() == Kind.LITERAL) {
                p++;
                return true;
            }
            int start = p;
            while (p < t.size() && (t.get(p).kind() == Kind.ATOM || t.get(p).is('.'))) p++;
            return p > start;
        }

        /** Words and dots (obs-phrase); may be empty only before an angle address. */
        private boolean phrase(int from, int to, boolean required) {
            if (required && from == to) return false;
            for (int i = from; i < to; i++) {
                Token k = t.get(i);
                if (!k.isWord() && !k.is('.')) return false;
            }
            return true;
        }

        /**
         * Tokens {@code [from, to)} as local-part ["@" domain]: the local part words and dots, the
         * domain atoms and dots or one literal. Records the address unless a comment sits inside it.
         */
        private boolean addrSpec(int from, int to, int routeStart) {
            if (from >= to) return false;
            int at = -1;
            for (int i = from; i < to; i++) {
                Token k = t.get(i);
                if (k.is('@')) {
                    if (at >= 0) return false;
                    at = i;
                } else if (!(k.isWord() || k.is('.') || (at >= 0 && k.kind() == Kind.LITERAL))) {
                    return false;
                } else if (i > from && !k.is('.') && !t.get(i - 1).is('.') && !t.get(i - 1).is('@')) {
                    return false; // two words in a row: a display name without <>, or a missing comma
                }
            }
            int localEnd = at < 0 ? to : at;
            if (localEnd == from) return false;
            if (at >= 0) {
                if (at + 1 == to) return false;
                boolean literal = t.get(at + 1).kind() == Kind.LITERAL;
                for (int i = at + 1; i < to; i++) {
                    Token k = t.get(i);
                    boolean ok = literal ? i == at + 1 && k.kind() == Kind.LITERAL
                            : k.kind() == Kind.ATOM || k.is('.');
                    if (!ok) return false;
                }
            }
            int start = routeStart >= 0 ? routeStart : t.get(from).start();
            int end = t.get(to - 1).end();
            for (Token c : comments) {
                if (c.start() > start && c.start() < end) return true; // readable, but not rewritten
            }
            StringBuilder address = new StringBuilder(localPart(from, localEnd));
            for (int i = localEnd; i < to; i++) address.append(text(t.get(i)));
            found.add(new Found(start, end, address.toString(), routeStart >= 0));
            return true;
        }

        /** The local part as written without white space; a lone quoted string that needs no quotes, unquoted. */
        private String localPart(int from, int to) {
            if (to - from == 1 && t.get(from).kind() == Kind.QUOTED) {
                String raw = text(t.get(from));
                String inner = raw.substring(1, raw.length() - 1);
                if (isDotAtom(inner)) return inner;
            }
            StringBuilder out = new StringBuilder();
            for (int i = from; i < to; i++) out.append(text(t.get(i)));
            return out.toString();
        }

        private String text(Token k) {
            return value.substring(k.start(), k.end());
        }
    }

    /** RFC 5322 dot-atom: atoms separated by single dots (no quoted-pairs, no specials). */
    static boolean isDotAtom(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && !isAtomChar(c)) return false;
        }
        return true;
    }
}
