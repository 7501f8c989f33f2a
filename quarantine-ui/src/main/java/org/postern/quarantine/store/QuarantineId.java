// QuarantineId: the name of one quarantined message -- its file name in quarantine_directory and its key
// in the index. Random and unguessable (100 bits from SecureRandom), since it appears in browser URLs.
package org.postern.quarantine.store;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** 20 lower-case base32 characters (RFC 4648 alphabet): safe as a file name, in a URL and on a log line. */
public final class QuarantineId {
    public static final int LENGTH = 20;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final Pattern FORM = Pattern.compile("[a-z2-7]{" + LENGTH + "}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private QuarantineId() {}

    /** A new id: 20 characters of 5 random bits each. */
    public static String random() {
        char[] id = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        return new String(id);
    }

    /** True for a string of the form {@link #random()} makes; check before using one taken from a request. */
    public static boolean isValid(String s) {
        return s != null && FORM.matcher(s).matches();
    }
}
