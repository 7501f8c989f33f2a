// ValueSyntax: the value syntax of main.cf parameters -- booleans, numbers, Postfix time values
// (300s, 5m, 1h, 1d, 1w, plus Postern's ms) and lists (commas and/or whitespace, {...} groups kept
// whole as Postfix's mystrtokq does). Used to validate at load time and to read in Config getters.
package org.postern.policies.conf;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Parsers for main.cf value types; all throw IllegalArgumentException on bad syntax. */
final class ValueSyntax {
    private ValueSyntax() {}

    /** Why {@code value} is not valid for {@code p}, or empty when it is. */
    static Optional<String> problem(Parameter p, String value) {
        try {
            switch (p.type()) {
                case BOOL -> parseBool(value);
                case INT -> parseInt(value);
                case LONG -> parseLong(value);
                case TIME -> parseTime(value, p.defaultUnit());
                case STRING -> {
                    if (!p.choices().isEmpty() && !p.choices().contains(value.toLowerCase(Locale.ROOT))) {
                        throw new IllegalArgumentException("bad value for " + p.name() + ": \"" + value
                                + "\" (expected " + choiceList(p.choices()) + ")");
                    }
                }
                case LIST -> { }
            }
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            String why = e.getMessage();
            return Optional.of(why.startsWith("bad value for") ? why
                    : "bad " + describe(p.type()) + " value for " + p.name() + ": \"" + value + "\" (" + why + ")");
        }
    }

    static boolean parseBool(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "yes", "true":
                return true;
            case "no", "false":
                return false;
            default:
                throw new IllegalArgumentException("use yes or no");
        }
    }

    static int parseInt(String v) {
        long n = parseLong(v);
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("larger than " + Integer.MAX_VALUE);
        return (int) n;
    }

    static long parseLong(String v) {
        if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("use a decimal number");
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("larger than " + Long.MAX_VALUE);
        }
    }

    /** A Postfix time value; a bare number is in {@code unit}. */
    static Duration parseTime(String v, ChronoUnit unit) {
        int end = 0;
        while (end < v.length() && v.charAt(end) >= '0' && v.charAt(end) <= '9') end++;
        if (end == 0) throw new IllegalArgumentException("use a number with an optional unit: ms, s, m, h, d or w");
        String suffix = v.substring(end);
        long n;
        try {
            n = Long.parseLong(v.substring(0, end));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("number too large");
        }
        long millisPerUnit = switch (suffix) {
            case "" -> unit.getDuration().toMillis();
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            case "w" -> 604_800_000L;
            default -> throw new IllegalArgumentException(
                    "unknown unit \"" + suffix + "\"; use ms, s, m, h, d or w");
        };
        try {
            return Duration.ofMillis(Math.multiplyExact(n, millisPerUnit));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("time value too large");
        }
    }

    /**
     * Splits on commas and/or whitespace, dropping empty entries; text inside {...} (which may
     * contain separators) stays in its entry, braces included, like Postfix's mystrtokq().
     */
    static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = value.length();
        while (i < n) {
            while (i < n && isSeparator(value.charAt(i))) i++;
            if (i >= n) break;
            int start = i;
            int level = 0;
            while (i < n) {
                char c = value.charAt(i);
                if (c == '{') {
                    level++;
                } else if (c == '}' && level > 0) {
                    level--;
                } else if (level == 0 && isSeparator(c)) {
                    break;
                }
                i++;
            }
            out.add(value.substring(start, i));
        }
        return out;
    }

    static boolean isSeparator(char c) {
        return c == ',' || Character.isWhitespace(c);
    }

    private static String describe(Parameter.Type t) {
        return switch (t) {
            case BOOL -> "boolean";
            case INT, LONG -> "numerical";
            case TIME -> "time";
            default -> "";
        };
    }

    private static String choiceList(List<String> choices) {
        List<String> shown = choices.stream().map(c -> c.isEmpty() ? "empty" : c).toList();
        if (shown.size() == 1) return shown.get(0);
        return String.join(", ", shown.subList(0, shown.size() - 1)) + " or " + shown.get(shown.size() - 1);
    }
}
