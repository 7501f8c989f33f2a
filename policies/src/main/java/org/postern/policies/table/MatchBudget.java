// MatchBudget: the lookup key as java.util.regex reads it, with a limit on character reads, so a
// regexp:/pcre: rule that backtracks without end (say /^(a+)+$/ on a long header) stops, as PCRE's
// match limit stops it in Postfix, instead of holding an event-loop thread.
package org.postern.policies.table;

/** A CharSequence that fails once it has been read too often. Not thread-safe: one per lookup. */
final class MatchBudget implements CharSequence {

    /** Thrown when the budget is spent; carries no stack trace. */
    static final class Exhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Exhausted() {
            super("pattern matching budget exhausted", null, false, false);
        }
    }

    private final String text;
    private long left;

    MatchBudget(String text, long reads) {
        this.text = text;
        this.left = reads;
    }

    @Override
    public char charAt(int index) {
        if (--left < 0) throw new Exhausted();
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.substring(start, end);
    }

    @Override
    public String toString() {
        return text;
    }
}
