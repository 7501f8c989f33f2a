// AttachmentZipTest: zip attachments in the vscan stage's "attachments" filter -- entry names, zips in
// zips up to vscan_archive_nesting_limit, encrypted entries (vscan_ban_encrypted_archives), the size
// limit (vscan_archive_size_limit), central directory names, damaged and prefixed archives.
package org.postern.filters.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.filters.mime.MimeFixtures.attachment;
import static org.postern.filters.mime.MimeFixtures.concat;
import static org.postern.filters.mime.MimeFixtures.entries;
import static org.postern.filters.mime.MimeFixtures.exe;
import static org.postern.filters.mime.MimeFixtures.flagEncrypted;
import static org.postern.filters.mime.MimeFixtures.mixed;
import static org.postern.filters.mime.MimeFixtures.pdf;
import static org.postern.filters.mime.MimeFixtures.renameInCentralDirectory;
import static org.postern.filters.mime.MimeFixtures.zip;
import static org.postern.filters.mime.ScanFixture.assertBanned;
import static org.postern.filters.mime.ScanFixture.filter;
import static org.postern.filters.mime.ScanFixture.scan;

import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postern.filters.FilterResult;
import org.postern.filters.FilterResult.Kind;

class AttachmentZipTest {

    static byte[] withZip(String name, byte[] zip) {
        return mixed(attachment("application/zip", name, zip));
    }

    @Test
    void cleanZipIsClean() throws Exception {
        byte[] z = zip(entries("docs/report.pdf", pdf(), "docs/readme.txt", "hello", "docs/", ""));
        assertThat(scan(withZip("x.zip", z)).kind()).isEqualTo(Kind.CLEAN);
    }

    @Test
    void bannedEntryNameInZip() throws Exception {
        byte[] z = zip(entries("a/readme.txt", "hi", "a/b.js", "WScript.Echo(1)"));
        assertBanned(scan(withZip("x.zip", z)), "x.zip/a/b.js: banned extension .js (in archive)");
        assertBanned(scan(withZip("x.zip", zip(entries("a/b.js", "x"), true))),
                "x.zip/a/b.js: banned extension .js (in archive)");
    }

    @Test
    void zipIsRecognisedByContentWhateverItsName() throws Exception {
        byte[] z = zip(entries("invoice.pdf.lnk", "x"));
        assertBanned(scan(mixed(attachment("application/pdf", "invoice.pdf", z))),
                "invoice.pdf/invoice.pdf.lnk: banned extension .lnk (in archive)");
    }

    @Test
    void executableInsideZipIsSniffed() throws Exception {
        assertBanned(scan(withZip("x.zip", zip(entries("readme.txt", exe())))),
                "x.zip/readme.txt: sniffed application/x-dosexec (in archive)");
    }

    @Test
    void zipInZipIsOpened() throws Exception {
        byte[] inner = zip(entries("tools/run.vbs", "x"));
        byte[] outer = zip(entries("notes.txt", "n", "inner.zip", inner));
        assertBanned(scan(withZip("outer.zip", outer)),
                "outer.zip/inner.zip/tools/run.vbs: banned extension .vbs (in archive)");
        byte[] storedOuter = zip(entries("inner.zip", inner), true);
        assertBanned(scan(withZip("outer.zip", storedOuter)),
                "outer.zip/inner.zip/tools/run.vbs: banned extension .vbs (in archive)");
    }

    @Test
    void nestingUpToTheLimitIsOpenedDeeperIsUnscannable() throws Exception {
        byte[] z = zip(entries("clean.txt", "x"));
        for (int level = 1; level <= 3; level++) z = zip(entries("l" + level + ".zip", z));
        // attachment (0) > l3 (1) > l2 (2) > l1 (3): within the default limit of 3
        assertThat(scan(withZip("top.zip", z)).kind()).isEqualTo(Kind.CLEAN);
        byte[] deeper = zip(entries("l4.zip", z));
        FilterResult r = scan(withZip("top.zip", deeper));
        assertThat(r.kind()).isEqualTo(Kind.UNSCANNABLE);
        assertThat(r.detail()).isEqualTo("top.zip/l4.zip/l3.zip/l2.zip/l1.zip: archives nested deeper than "
                + "vscan_archive_nesting_limit (3)");
        AttachmentFilter none = filter(Map.of("vscan_archive_nesting_limit", "0"));
        assertThat(scan(none, withZip("top.zip", zip(entries("in.zip", zip(entries("a.txt", "a"))))))
                .kind()).isEqualTo(Kind.UNSCANNABLE);
    }

    @Test
    void aBanDeeperDownWinsOverUnscannable() throws Exception {
        byte[] tooDeep = zip(entries("a.zip", zip(entries("b.zip", zip(entries("c.zip", zip(entries("d.zip",
                zip(entries("x.txt", "x"))))))))));
        byte[] z = zip(entries("deep.zip", tooDeep, "later.exe", "x"));
        assertBanned(scan(withZip("top.zip", z)), "top.zip/later.exe: banned extension .exe (in archive)");
    }

    @Test
    void encryptedEntryBansWhenConfigured() throws Exception {
        byte[] z = flagEncrypted(zip(entries("secret.txt", "x"), true));
        assertBanned(scan(withZip("secret.zip", z)), "secret.zip: encrypted archive");
        AttachmentFilter allow = filter(Map.of("vscan_ban_encrypted_archives", "no"));
        assertThat(scan(allow, withZip("secret.zip", z)).kind()).isEqualTo(Kind.CLEAN);
    }

    @Test
    void encryptedEntryNameIsStillChecked() throws Exception {
        AttachmentFilter allow = filter(Map.of("vscan_ban_encrypted_archives", "no"));
        byte[] z = flagEncrypted(zip(entries("a.txt", "a", "payload.exe", "x"), true));
        assertBanned(scan(allow, withZip("secret.zip", z)), "secret.zip/payload.exe: banned extension .exe (in archive)");
    }

    @Test
    void zipStreamNamesTheEntryItRefuses() throws Exception {
        byte[] z = flagEncrypted(zip(entries("evil.exe", "x"), true));
        ZipStream s = new ZipStream(new java.io.ByteArrayInputStream(z));
        org.assertj.core.api.Assertions.assertThatThrownBy(s::next).isInstanceOf(java.util.zip.ZipException.class);
        assertThat(s.refusedName()).isEqualTo("evil.exe");
        assertThat(s.refusedEncrypted()).isTrue();
        assertThat(s.unused()).as("the header after its signature, given back for the resync")
                .startsWith(java.util.Arrays.copyOfRange(z, 4, 30));
        s.release();
    }

    @Test
    void realInfoZipEncryptedArchive() throws Exception {
        byte[] z = Base64.getDecoder().decode(MimeFixtures.INFOZIP_ENCRYPTED);
        assertBanned(scan(withZip("enc.zip", z)), "enc.zip: encrypted archive");
        // Not banning encrypted archives, the walk still gets past the first entry to run.js.
        AttachmentFilter allow = filter(Map.of("vscan_ban_encrypted_archives", "no"));
        assertBanned(scan(allow, withZip("enc.zip", z)), "enc.zip/run.js: banned extension .js (in archive)");
    }

    @Test
    void encryptedZipInsideZip() throws Exception {
        byte[] inner = flagEncrypted(zip(entries("s.txt", "x"), true));
        assertBanned(scan(withZip("outer.zip", zip(entries("secret.zip", inner)))),
                "outer.zip/secret.zip: encrypted archive");
    }

    @Test
    void overTheSizeLimitIsUnscannable() throws Exception {
        AttachmentFilter small = filter(Map.of("vscan_archive_size_limit", "100000"));
        byte[] z = zip(entries("zeros.bin", new byte[200_000]));
        FilterResult r = scan(small, withZip("bomb.zip", z));
        assertThat(r.kind()).isEqualTo(Kind.UNSCANNABLE);
        assertThat(r.detail()).isEqualTo("bomb.zip: archive larger than vscan_archive_size_limit (100000 bytes uncompressed)");
        // The budget covers the nested archives too.
        byte[] nested = zip(entries("a.zip", zip(entries("z1", new byte[60_000])), "b.zip",
                zip(entries("z2", new byte[60_000]))));
        assertThat(scan(small, withZip("n.zip", nested)).kind()).isEqualTo(Kind.UNSCANNABLE);
        assertThat(scan(withZip("bomb.zip", z)).kind()).isEqualTo(Kind.CLEAN);
    }

    @Test
    void nameOnlyInCentralDirectoryIsChecked() throws Exception {
        byte[] z = renameInCentralDirectory(zip(entries("readme.txt", "x")), "readme.txt", "readme.exe");
        assertBanned(scan(withZip("x.zip", z)), "x.zip/readme.exe: banned extension .exe (in archive)");
    }

    @Test
    void dataBeforeTheZipAndAppendedZipsAreRead() throws Exception {
        byte[] junk = new byte[3000];
        new Random(1).nextBytes(junk);
        byte[] prefixed = concat(junk, zip(entries("a/evil.scr", "x")));
        assertBanned(scan(withZip("x.zip", prefixed)), "x.zip/a/evil.scr: banned extension .scr (in archive)");
        byte[] appended = concat(zip(entries("a.txt", "a")), zip(entries("b.hta", "b")));
        assertBanned(scan(withZip("x.zip", appended)), "x.zip/b.hta: banned extension .hta (in archive)");
    }

    @Test
    void damagedEntryDoesNotHideTheNextOne() throws Exception {
        byte[] z = zip(entries("a.txt", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "b.exe", "b"), true);
        z[30 + 5 + 3] ^= 0x55; // a byte of a.txt's stored data: its CRC no longer matches
        assertBanned(scan(withZip("x.zip", z)), "x.zip/b.exe: banned extension .exe (in archive)");
    }

    @Test
    void notAZipAtAllIsClean() throws Exception {
        assertThat(scan(withZip("x.zip", "just text, not an archive".getBytes())).kind()).isEqualTo(Kind.CLEAN);
        assertThat(scan(withZip("x.zip", new byte[] {'P', 'K', 3, 4, 1})).kind()).isEqualTo(Kind.CLEAN);
    }

    @Test
    void otherArchivesAreCheckedByNameOnly() throws Exception {
        byte[] rar = {'R', 'a', 'r', '!', 0x1a, 0x07, 0x01, 0x00, 'e', 'v', 'i', 'l', '.', 'e', 'x', 'e'};
        assertThat(scan(mixed(attachment("application/x-rar", "files.rar", rar))).kind()).isEqualTo(Kind.CLEAN);
        assertBanned(scan(mixed(attachment("application/x-rar", "files.exe.rar.exe", rar))),
                "files.exe.rar.exe: banned extension .exe");
    }
}
