// PasswordFile: the SASL password file (DIR/sasl_passwd, main.cf smtpd_sasl_password_file), one
// "user:hash" line each (bcrypt or argon2id), '#' comments. Loaded into an immutable snapshot that
// smtpd AUTH checks passwords against; rewritten atomically by `postern passwd` (set/remove).
package org.postern.gateway.sasl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable snapshot of the password file. User names are compared exactly (case-sensitive).
 * {@link #verify} is CPU- and memory-heavy (an argon2id check with the default parameters takes
 * about 19 MiB for its duration): run it on a worker with bounded concurrency, never on an event loop.
 */
public final class PasswordFile {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Checked for unknown users, so an unknown user costs what a known one does. */
    private static final PasswordHash DUMMY = Argon2idHash.dummy(RANDOM);
    /** Serialises set/remove within this JVM (read-modify-write); other processes are not locked out. */
    private static final Object WRITE_LOCK = new Object();
    private static final int MAX_USER_BYTES = 255;

    private final Map<String, PasswordHash> users;

    private PasswordFile(Map<String, PasswordHash> users) {
        this.users = Map.copyOf(users);
    }

    /**
     * Reads and validates the whole file. A missing file is an empty snapshot (no one can log in).
     * Blocking (file I/O).
     *
     * @throws PasswordFileException for the first malformed line: bad user name, missing ':',
     *     duplicate user, unknown or malformed hash; the message is {@code PATH:LINE: reason}
     */
    public static PasswordFile load(Path file) throws IOException, PasswordFileException {
        List<String> lines;
        try {
            lines = readLines(file);
        } catch (NoSuchFileException e) {
            return new PasswordFile(Map.of());
        } catch (LineDecodingException e) {
            throw new PasswordFileException(file, e.line, "not valid UTF-8");
        }
        Map<String, PasswordHash> users = new HashMap<>();
        Map<String, Integer> definedAt = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new PasswordFileException(file, lineNo,
                        "expected \"user:hash\", found no ':' after \"" + firstWord(line) + "\"");
            }
            String user = line.substring(0, colon);
            String problem = userProblem(user);
            if (problem != null) {
                throw new PasswordFileException(file, lineNo, "invalid user name \"" + printable(user) + "\": " + problem);
            }
            Integer first = definedAt.putIfAbsent(user, lineNo);
            if (first != null) {
                throw new PasswordFileException(file, lineNo,
                        "duplicate user \"" + user + "\" (first defined at line " + first + ")");
            }
            try {
                users.put(user, PasswordHash.parse(line.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new PasswordFileException(file, lineNo, "user \"" + user + "\": " + e.getMessage());
            }
        }
        return new PasswordFile(users);
    }

    /**
     * True when {@code user} exists and {@code password} matches its hash. BLOCKING and CPU-heavy.
     * For an unknown user a dummy argon2id hash is checked anyway, so the time taken does not tell
     * which users exist (a bcrypt user still differs from argon2id in cost). Comparison is constant-time.
     */
    public boolean verify(String user, byte[] password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        PasswordHash hash = users.get(user);
        if (hash == null) {
            DUMMY.verify(password);
            return false;
        }
        return hash.verify(password);
    }

    /** True when at least one user is defined; smtpd offers AUTH only then. */
    public boolean hasUsers() {
        return !users.isEmpty();
    }

    /**
     * Adds {@code user} or replaces its hash with a fresh argon2id one (m=19456 KiB, t=2, p=1,
     * 16-byte random salt, 32-byte hash), keeping every other line, comment and the order. Writes a
     * temporary file, fsyncs it, renames it over the file and fsyncs the directory. A new file gets
     * mode 0600; an existing file keeps its mode (and owner and group where permitted). Blocking.
     *
     * @throws IllegalArgumentException if {@code user} is empty or contains ':', '#' first,
     *     whitespace or control characters
     */
    public static void set(Path file, String user, char[] password) throws IOException {
        requireValidUser(user);
        Objects.requireNonNull(password, "password");
        byte[] utf8 = utf8(password);
        String entry;
        try {
            entry = user + ":" + Argon2idHash.create(utf8, RANDOM).encoded();
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
        synchronized (WRITE_LOCK) {
            List<String> lines = readForRewrite(file);
            List<String> out = new ArrayList<>(lines.size() + 1);
            boolean replaced = false;
            for (String line : lines) {
                if (!isEntryFor(line, user)) {
                    out.add(line);
                } else if (!replaced) {
                    out.add(entry);
                    replaced = true;
                } // later duplicates of the same user are dropped
            }
            if (!replaced) out.add(entry);
            AtomicRewrite.write(file, join(out));
        }
    }

    /**
     * Removes every line for {@code user}, keeping the rest as it is. Returns false (and writes
     * nothing) when the user is not in the file or the file does not exist. Blocking.
     */
    public static boolean remove(Path file, String user) throws IOException {
        Objects.requireNonNull(user, "user");
        synchronized (WRITE_LOCK) {
            List<String> lines = readForRewrite(file);
            List<String> out = new ArrayList<>(lines.size());
            for (String line : lines) {
                if (!isEntryFor(line, user)) out.add(line);
            }
            if (out.size() == lines.size()) return false;
            AtomicRewrite.write(file, join(out));
            return true;
        }
    }

    /** Null when {@code user} may appear in the file, else why not. */
    static String userProblem(String user) {
        if (user.isEmpty()) return "empty";
        if (user.startsWith("#")) return "starts with '#'";
        if (user.getBytes(StandardCharsets.UTF_8).length > MAX_USER_BYTES) return "longer than 255 bytes";
        for (int i = 0; i < user.length(); ) {
            int c = user.codePointAt(i);
            if (c == ':') return "contains ':'";
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) return "contains whitespace";
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                return "contains a control character";
            }
            i += Character.charCount(c);
        }
        return null;
    }

    private static void requireValidUser(String user) {
        Objects.requireNonNull(user, "user");
        String problem = userProblem(user);
        if (problem != null) {
            throw new IllegalArgumentException("invalid user name \"" + printable(user) + "\": " + problem);
        }
    }

    private static boolean isEntryFor(String rawLine, String user) {
        String line = rawLine.strip();
        if (line.isEmpty() || line.startsWith("#")) return false;
        int colon = line.indexOf(':');
        return colon == user.length() && line.startsWith(user);
    }

    private static String firstWord(String line) {
        int end = 0;
        while (end < line.length() && end < 64 && !Character.isWhitespace(line.charAt(end))) end++;
        return printable(line.substring(0, end));
    }

    /** Control characters shown as \xNN so an error message stays on one line. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    private static byte[] utf8(char[] password) {
        try {
            ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(password));
            byte[] out = new byte[bb.remaining()];
            bb.get(out);
            if (bb.hasArray()) Arrays.fill(bb.array(), (byte) 0);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("password is not valid Unicode (unpaired surrogate)");
        }
    }

    /** The file's lines ('\n' separated, a trailing '\r' dropped), each decoded as strict UTF-8. */
    private static List<String> readLines(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<String> lines = new ArrayList<>();
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') end++;
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            try {
                lines.add(decoder.decode(ByteBuffer.wrap(bytes, start, stop - start)).toString());
            } catch (CharacterCodingException e) {
                throw new LineDecodingException(lines.size() + 1);
            }
            start = end + 1;
        }
        return lines;
    }

    private static List<String> readForRewrite(Path file) throws IOException {
        try {
            return readLines(file);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (LineDecodingException e) {
            throw new IOException(file + ":" + e.line + ": not valid UTF-8; not rewriting the file");
        }
    }

    private static byte[] join(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) sb.append(line).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Internal: a line that is not UTF-8, with its number. */
    private static final class LineDecodingException extends IOException {
        private static final long serialVersionUID = 1L;
        final int line;

        LineDecodingException(int line) {
            super("line " + line + ": not valid UTF-8");
            this.line = line;
        }
    }
}
