// AttachmentFuzzTest: random and mutated MIME and zip input for the attachments filter -- whatever a
// sender puts in a message, the walk ends with CLEAN, BANNED or UNSCANNABLE and never throws, hangs or
// overflows the stack. Seeded, so a failure is reproducible from the printed seed and round.
package org.postern.filters.mime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.postern.filters.mime.MimeFixtures.attachment;
import static org.postern.filters.mime.MimeFixtures.entries;
import static org.postern.filters.mime.MimeFixtures.exe;
import static org.postern.filters.mime.MimeFixtures.flagEncrypted;
import static org.postern.filters.mime.MimeFixtures.mixed;
import static org.postern.filters.mime.MimeFixtures.mixedWith;
import static org.postern.filters.mime.MimeFixtures.part;
import static org.postern.filters.mime.MimeFixtures.pdf;
import static org.postern.filters.mime.MimeFixtures.zip;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.filters.FilterResult;
import org.postern.filters.FilterResult.Kind;

class AttachmentFuzzTest {
    /** -Dattachments.fuzz.seed=N and -Dattachments.fuzz.rounds=N explore further than the default run. */
    private static final long SEED = Long.getLong("attachments.fuzz.seed", 20261122L);
    private static final int ROUNDS = Integer.getInteger("attachments.fuzz.rounds", 3000);
    private static final Set<Kind> ANSWERS = Set.of(Kind.CLEAN, Kind.BANNED, Kind.UNSCANNABLE);
    private static final String[] SNIPPETS = {
        "--b0\r\n", "--b0--\r\n", "--inner\r\n", "\r\n\r\n", "Content-Type: multipart/mixed; boundary=\"b0\"\r\n",
        "Content-Type: message/rfc822\r\n\r\n", "Content-Transfer-Encoding: base64\r\n",
        "Content-Transfer-Encoding: quoted-printable\r\n", "filename*0*=utf-8''%", "filename*99=\"", "=?utf-8?B?",
        "=?x?Q?=", "name=\"a.exe", "PK\u0003\u0004", "PK\u0001\u0002", "begin 644 ", "\0", "\r", "\n", "=\r\n", ";;;",
    };

    private static List<byte[]> seeds() throws Exception {
        byte[] inner = zip(entries("deep/x.txt", "x", "deep/y.zip", zip(entries("z.vbs", "z"))));
        return List.of(
                mixed(attachment("application/pdf", "report.pdf", pdf())),
                mixed(attachment("application/zip", "a.zip", zip(entries("a.txt", "a", "in.zip", inner)))),
                mixed(attachment("application/zip", "s.zip", zip(entries("a.txt", "a", "b.txt", "b"), true))),
                mixed(attachment("application/zip", "e.zip", flagEncrypted(zip(entries("a.txt", "a"), true)))),
                mixed("Content-Type: message/rfc822\r\n\r\n"
                        + new String(mixedWith("inner", attachment("application/pdf", "r.pdf", exe())), UTF_8)),
                mixed(part("Content-Type: application/octet-stream\r\nContent-Disposition: attachment;"
                        + " filename*0*=utf-8''a%20; filename*1=\"b.pdf\"\r\n", pdf())),
                MimeFixtures.mail("Content-Type: text/plain\r\n", "begin 644 x.txt\r\nM\r\nend\r\n"));
    }

    @Test
    void mutatedMessagesNeverThrow() throws Exception {
        AttachmentFilter filter = ScanFixture.filter(Map.of());
        Random random = new Random(SEED);
        List<byte[]> seeds = seeds();
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random);
            check(filter, input, round);
        }
    }

    @Test
    void mutatedZipsNeverThrow() throws Exception {
        AttachmentFilter filter = ScanFixture.filter(Map.of("vscan_ban_encrypted_archives", "no"));
        Random random = new Random(SEED + 1);
        byte[] inner = zip(entries("i.txt", "i", "i2.txt", "j"));
        List<byte[]> zips = List.of(zip(entries("a.txt", "aaaa", "in.zip", inner, "b.txt", "b")),
                zip(entries("a.txt", "aaaa", "in.zip", inner), true),
                flagEncrypted(zip(entries("a.txt", "aaaa", "b.txt", "b"), true)),
                java.util.Base64.getDecoder().decode(MimeFixtures.INFOZIP_ENCRYPTED));
        for (int round = 0; round < ROUNDS; round++) {
            byte[] z = zips.get(random.nextInt(zips.size())).clone();
            int flips = 1 + random.nextInt(6);
            for (int i = 0; i < flips; i++) z[random.nextInt(z.length)] = (byte) random.nextInt(256);
            if (random.nextInt(5) == 0) z = java.util.Arrays.copyOf(z, random.nextInt(z.length + 1));
            check(filter, mixed(attachment("application/zip", "f.zip", z)), round);
        }
    }

    @Test
    void randomBytesNeverThrow() throws Exception {
        AttachmentFilter filter = ScanFixture.filter(Map.of());
        Random random = new Random(SEED + 2);
        for (int round = 0; round < ROUNDS / 6; round++) {
            byte[] junk = new byte[random.nextInt(20_000)];
            random.nextBytes(junk);
            check(filter, junk, round);
        }
    }

    /**
     * Runs the MIME walk directly, so that a defect (a RuntimeException the filter would turn into
     * UNSCANNABLE) fails the test, then through the filter.
     */
    private static void check(AttachmentFilter filter, byte[] input, int round) {
        try {
            Findings findings = new Findings();
            MimeScan.scan(new ByteArrayInputStream(input), filter.policy(), new NameRules(filter.policy()), findings, "", 0);
            assertThat(findings.outcome().kind()).isIn(ANSWERS);
        } catch (Exception | StackOverflowError e) {
            fail("round " + round + " (seed " + SEED + "): " + e + "\n--- input ---\n"
                    + new String(input, 0, Math.min(input.length, 3000), UTF_8), e);
        }
        FilterResult r = filter.scan(new ByteArrayInputStream(input), Instant.now());
        assertThat(r.kind()).as("round %d", round).isIn(ANSWERS);
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        int ops = 1 + random.nextInt(4);
        for (int op = 0; op < ops && b.length > 0; op++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] = (byte) random.nextInt(256);
                case 1 -> b = java.util.Arrays.copyOf(b, at); // truncate
                case 2 -> b = splice(b, at, Math.min(b.length, at + random.nextInt(200)), new byte[0]); // delete
                case 3 -> b = splice(b, at, at, SNIPPETS[random.nextInt(SNIPPETS.length)].getBytes(UTF_8));
                case 4 -> { // duplicate a range
                    int end = Math.min(b.length, at + random.nextInt(500));
                    b = splice(b, at, at, java.util.Arrays.copyOfRange(b, at, end));
                }
                default -> { // swap line ends
                    for (int i = 0; i < b.length; i++) if (b[i] == '\r' && random.nextInt(3) == 0) b[i] = '\n';
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + insert.length);
        out.write(b, 0, from);
        out.writeBytes(insert);
        out.write(b, to, b.length - to);
        return out.toByteArray();
    }
}
