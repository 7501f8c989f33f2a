// PasswordFileTest: the SASL password file (main.cf smtpd_sasl_password_file) -- known-good bcrypt
// hashes from htpasswd and argon2id vectors from the reference implementation, set/remove keeping
// comments and modes, and file:line errors for malformed lines.
package org.postern.gateway.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileTest {
    // Generated with apache2-utils 2.4.71 (Debian 12): htpasswd -nbB -C 5 alice@example.org 'correct horse'
    static final String ALICE = "alice@example.org:$2y$05$PhKO1C1NGWPj3iZIDZotAeL.MPmsLvKl9waLcYis4Uk7wNcTsDWBa";
    // htpasswd -nbB -C 4 bob 'pässwörd' (UTF-8 terminal)
    static final String BOB = "bob:$2y$04$I1pKTMiqkNXPUd8QKiSrUOKkn215VCu4KluhkIju1LJinjifh0tgi";
    // htpasswd -nbB -C 4 carol <80 times 'x'>: bcrypt uses only the first 72 bytes
    static final String CAROL = "carol:$2y$04$7EkbILBBul1BBtD8exy2nOYNTqlIecA3oYptKaY6GjE41Y5ZyZIgm";
    // Argon2 reference implementation (P-H-C/phc-winner-argon2 src/test.c), Argon2id v=19,
    // password "password", salt "somesalt"
    static final String REF_ID_P1 =
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
    static final String REF_ID_P2 =
            "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc";

    @TempDir
    Path dir;

    private Path write(String... lines) throws Exception {
        Path f = dir.resolve("sasl_passwd");
        Files.writeString(f, String.join("\n", lines) + "\n", UTF_8);
        return f;
    }

    @Test
    void verifiesBcryptHashesWrittenByHtpasswd() throws Exception {
        PasswordFile pf = PasswordFile.load(write("# users", ALICE, "", BOB, CAROL));
        assertThat(pf.hasUsers()).isTrue();
        assertThat(pf.verify("alice@example.org", "correct horse".getBytes(UTF_8))).isTrue();
        assertThat(pf.verify("alice@example.org", "correct horsE".getBytes(UTF_8))).isFalse();
        assertThat(pf.verify("Alice@example.org", "correct horse".getBytes(UTF_8))).isFalse(); // exact names
        assertThat(pf.verify("bob", "pässwörd".getBytes(UTF_8))).isTrue();
        assertThat(pf.verify("bob", "pässwörd".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))).isFalse();
        assertThat(pf.verify("carol", "x".repeat(80).getBytes(UTF_8))).isTrue();
        assertThat(pf.verify("carol", "x".repeat(72).getBytes(UTF_8))).isTrue();
        assertThat(pf.verify("carol", "x".repeat(71).getBytes(UTF_8))).isFalse();
    }

    @Test
    void verifiesArgon2idReferenceVectors() throws Exception {
        PasswordFile pf = PasswordFile.load(write("ref1:" + REF_ID_P1, "ref2:" + REF_ID_P2));
        assertThat(pf.verify("ref1", "password".getBytes(UTF_8))).isTrue();
        assertThat(pf.verify("ref2", "password".getBytes(UTF_8))).isTrue();
        assertThat(pf.verify("ref1", "passwore".getBytes(UTF_8))).isFalse();
        assertThat(pf.verify("ref2", "".getBytes(UTF_8))).isFalse();
        // the same hash bytes under other parameters must not verify: parameters are really used
        String otherT = REF_ID_P1.replace("t=2", "t=3");
        assertThat(PasswordFile.load(write("ref1:" + otherT)).verify("ref1", "password".getBytes(UTF_8))).isFalse();
    }

    @Test
    void unknownUserIsFalseAndCostsAboutWhatAKnownUserCosts() throws Exception {
        Path f = dir.resolve("sasl_passwd");
        PasswordFile.set(f, "known", "pw".toCharArray());
        PasswordFile pf = PasswordFile.load(f);
        long known = Long.MAX_VALUE;
        long unknown = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            assertThat(pf.verify("known", "wrong".getBytes(UTF_8))).isFalse();
            long t1 = System.nanoTime();
            assertThat(pf.verify("nobody", "wrong".getBytes(UTF_8))).isFalse();
            long t2 = System.nanoTime();
            known = Math.min(known, t1 - t0);
            unknown = Math.min(unknown, t2 - t1);
        }
        // without the dummy hash an unknown user answers in microseconds; an argon2id check takes ms
        assertThat(unknown).as("unknown %d ns vs known %d ns", unknown, known).isGreaterThan(known / 3);
    }

    @Test
    void missingFileIsEmpty() throws Exception {
        PasswordFile pf = PasswordFile.load(dir.resolve("absent"));
        assertThat(pf.hasUsers()).isFalse();
        assertThat(pf.verify("alice", "x".getBytes(UTF_8))).isFalse();
        assertThat(PasswordFile.load(write("# only a comment", "   ")).hasUsers()).isFalse();
    }

    @Test
    void acceptsCrlfLinesAndIndentedComments() throws Exception {
        Path f = dir.resolve("sasl_passwd");
        Files.writeString(f, "  # comment\r\n" + BOB + "\r\n\r\n", UTF_8);
        assertThat(PasswordFile.load(f).verify("bob", "pässwörd".getBytes(UTF_8))).isTrue();
    }

    @Test
    void setCreatesFileWithMode0600AndAnArgon2idHash() throws Exception {
        Path f = dir.resolve("sasl_passwd");
        PasswordFile.set(f, "mallory@example.org", "s3cret pässword".toCharArray());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        List<String> lines = Files.readAllLines(f);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).matches(
                "mallory@example\\.org:\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        PasswordFile pf = PasswordFile.load(f);
        assertThat(pf.verify("mallory@example.org", "s3cret pässword".getBytes(UTF_8))).isTrue();
        assertThat(pf.verify("mallory@example.org", "s3cret password".getBytes(UTF_8))).isFalse();
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(f); // no temporary file left behind
        }
    }

    @Test
    void setReplacesInPlaceKeepingCommentsOrderAndMode() throws Exception {
        Path f = write("# header comment", ALICE, "", "# bob's entry", BOB, CAROL, "bob:" + REF_ID_P1);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        PasswordFile.set(f, "bob", "new one".toCharArray());
        List<String> lines = Files.readAllLines(f);
        assertThat(lines).hasSize(6); // the later duplicate of bob is gone
        assertThat(lines.subList(0, 4)).containsExactly("# header comment", ALICE, "", "# bob's entry");
        assertThat(lines.get(4)).startsWith("bob:$argon2id$v=19$");
        assertThat(lines.get(5)).isEqualTo(CAROL);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r-----");
        PasswordFile pf = PasswordFile.load(f);
        assertThat(pf.verify("bob", "new one".getBytes(UTF_8))).isTrue();
        assertThat(pf.verify("bob", "pässwörd".getBytes(UTF_8))).isFalse();
        assertThat(pf.verify("alice@example.org", "correct horse".getBytes(UTF_8))).isTrue();

        PasswordFile.set(f, "dave", "pw".toCharArray());
        lines = Files.readAllLines(f);
        assertThat(lines).hasSize(7);
        assertThat(lines.get(5)).isEqualTo(CAROL);
        assertThat(lines.get(6)).startsWith("dave:$argon2id$");
    }

    @Test
    void removeKeepsTheRest() throws Exception {
        Path f = write("# c1", ALICE, "# c2", BOB, CAROL);
        assertThat(PasswordFile.remove(f, "bob")).isTrue();
        assertThat(Files.readAllLines(f)).containsExactly("# c1", ALICE, "# c2", CAROL);
        String before = Files.readString(f);
        assertThat(PasswordFile.remove(f, "bob")).isFalse();
        assertThat(PasswordFile.remove(f, "# c1")).isFalse(); // comments are not users
        assertThat(Files.readString(f)).isEqualTo(before);
        assertThat(PasswordFile.remove(dir.resolve("absent"), "bob")).isFalse();
        assertThat(Files.exists(dir.resolve("absent"))).isFalse();
    }

    @Test
    void rewriteFollowsASymlink() throws Exception {
        Path real = write(BOB);
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, real.getFileName());
        PasswordFile.set(link, "dave", "pw".toCharArray());
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readAllLines(real)).hasSize(2).first().isEqualTo(BOB);
    }

    @Test
    void setRefusesBadUserNames() {
        Path f = dir.resolve("sasl_passwd");
        for (String bad : List.of("", "a:b", "a b", "a\tb", "a\nb", "#x", "a\u0000b", "x".repeat(256))) {
            assertThatThrownBy(() -> PasswordFile.set(f, bad, "pw".toCharArray()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Files.exists(f)).isFalse();
    }

    @Test
    void malformedLinesNameFileLineAndToken() throws Exception {
        assertError(write("# c", "bob " + BOB.substring(4)), 2, "no ':'", null);
        assertError(write(ALICE, "", "bad user:" + REF_ID_P1), 3, "invalid user name \"bad user\": contains whitespace", null);
        assertError(write("ctl\u0001:" + REF_ID_P1), 1, "invalid user name \"ctl\\x01\": contains a control character", null);
        assertError(write(":" + REF_ID_P1), 1, "invalid user name \"\": empty", null);
        String sha512 = "$6$rounds=5000$saltsalt$Z4Yd3yPqP8Q1Xq0bT.N3b6hSjv8wAW6WlC8Qxy4NU/";
        assertError(write("eve:" + sha512), 1, "unknown hash scheme \"$6$\"", sha512.substring(3));
        assertError(write("eve:{SSHA}abcdefgh"), 1, "unknown hash scheme \"{SSHA}\"", "abcdefgh");
        assertError(write("eve:hunter2"), 1, "not a recognised password hash", "hunter2");
        assertError(write("eve:$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$abcdefghijklmnopqrstuv"), 1,
                "unknown hash scheme \"$argon2i$\"", "abcdefghijklmnopqrstuv");
        assertError(write("eve:" + REF_ID_P1.replace("v=19", "v=16")), 1, "unsupported version", "nf65EOgL");
        assertError(write("eve:" + REF_ID_P1.replace("m=256", "m=99999999")), 1, "out of range", "nf65EOgL");
        assertError(write("eve:" + REF_ID_P1.replace("c29tZXNhbHQ", "c29t!XNhbHQ")), 1, "salt is not valid base64", "nf65EOgL");
        assertError(write("eve:" + REF_ID_P1 + "$x"), 1, "malformed argon2id hash", "nf65EOgL");
        assertError(write("eve:" + BOB.substring(4, 40)), 1, "malformed bcrypt hash", BOB.substring(12, 40));
        assertError(write("eve:" + BOB.substring(4).replace("$04$", "$99$")), 1, "malformed bcrypt hash", "I1pKTMiq");
        assertError(write(BOB, "# again", BOB), 3, "duplicate user \"bob\" (first defined at line 1)", null);
    }

    @Test
    void invalidUtf8IsAnErrorWithItsLine() throws Exception {
        Path f = dir.resolve("sasl_passwd");
        Files.write(f, ("# ok\n" + ALICE + "\n# caf").getBytes(UTF_8));
        Files.write(f, new byte[] {(byte) 0xe9, '\n'}, java.nio.file.StandardOpenOption.APPEND);
        assertError(f, 3, "not valid UTF-8", null);
    }

    private static void assertError(Path f, int line, String fragment, String secret) {
        assertThatThrownBy(() -> PasswordFile.load(f))
                .isInstanceOfSatisfying(PasswordFileException.class, e -> {
                    assertThat(e.getMessage()).startsWith(f + ":" + line + ": ").contains(fragment);
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.file()).isEqualTo(f);
                    if (secret != null) assertThat(e.getMessage()).doesNotContain(secret);
                });
    }
}
