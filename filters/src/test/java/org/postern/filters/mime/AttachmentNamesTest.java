// AttachmentNamesTest: how the attachments filter reads file names -- header parameters (quoted, bare,
// RFC 2231 extended and continued, RFC 2047 words), the Windows view of a name (trailing dots and
// spaces, ::$DATA, last extension) and the vscan_banned_extensions / vscan_banned_file_maps decision.
package org.postern.filters.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.core.Origin;
import org.postern.policies.table.Tables;

class AttachmentNamesTest {

    private static List<String> names(String header, String param) {
        return MimeParams.values(MimeParams.parse(header), param);
    }

    @Test
    void quotedAndBareValues() {
        assertThat(names("attachment; filename=\"a b.pdf\"", "filename")).containsExactly("a b.pdf");
        assertThat(names("attachment; filename=plain.txt ; size=3", "filename")).containsExactly("plain.txt");
        assertThat(names("attachment; FILENAME=\"x\\\"y.txt\"", "filename")).containsExactly("x\"y.txt");
        assertThat(names("application/pdf; name=\"semi;colon.pdf\"", "name")).containsExactly("semi;colon.pdf");
    }

    @Test
    void malformedParametersAreReadLeniently() {
        assertThat(names("attachment; filename=\"unclosed.exe", "filename")).containsExactly("unclosed.exe");
        assertThat(names("attachment;; ;filename=a.js;", "filename")).containsExactly("a.js");
        assertThat(names("attachment; (comment) filename=a.js", "filename")).containsExactly("a.js");
        assertThat(names("attachment; filename", "filename")).isEmpty();
        assertThat(names("", "filename")).isEmpty();
        assertThat(names("attachment; filename=\"\"", "filename")).isEmpty();
        assertThat(names(" attachment filename=\"no-semicolon.exe\"", "filename")).containsExactly("no-semicolon.exe");
        assertThat(names("text/plain (plain text) ; name=t.txt", "name")).containsExactly("t.txt");
    }

    @Test
    void rfc2231Values() {
        assertThat(names("attachment; filename*=UTF-8''%E2%82%AC%20rates.xls", "filename"))
                .containsExactly("€ rates.xls");
        assertThat(names("attachment; filename*=iso-8859-1'de'Gr%FC%DFe.txt", "filename")).containsExactly("Grüße.txt");
        assertThat(names("attachment; filename*=no-such-charset''a%2Eexe", "filename")).containsExactly("a.exe");
        assertThat(names("attachment; filename*=a+b%zz.exe", "filename")).containsExactly("a+b%zz.exe");
    }

    @Test
    void rfc2231ContinuationsInAnyOrder() {
        assertThat(names("attachment; filename*1=\"part.e\"; filename*0=\"first\"; filename*2=xe", "filename"))
                .containsExactly("firstpart.exe");
        assertThat(names("attachment; filename*0*=utf-8''%C3%A9t%C3%A9; filename*1*=%2Ejs", "filename"))
                .containsExactly("été.js");
    }

    @Test
    void plainAndExtendedValuesAreBothKept() {
        assertThat(names("attachment; filename=\"a.pdf\"; filename*=utf-8''a.exe", "filename"))
                .containsExactly("a.pdf", "a.exe");
    }

    @Test
    void encodedWords() {
        assertThat(MimeParams.decodeWords("=?UTF-8?Q?Rechnung=5F2026=2Evbs?=")).isEqualTo("Rechnung_2026.vbs");
        assertThat(MimeParams.decodeWords("=?bogus?X?abc?=")).isEqualTo("=?bogus?X?abc?=");
        assertThat(MimeParams.decodeWords("no words")).isEqualTo("no words");
    }

    @Test
    void windowsViewOfAName() {
        assertThat(FileNames.normalize("a.exe.")).isEqualTo("a.exe");
        assertThat(FileNames.normalize("a.exe . .\t")).isEqualTo("a.exe");
        assertThat(FileNames.normalize("a.exe::$DATA")).isEqualTo("a.exe");
        assertThat(FileNames.normalize("a.exe\u00a0")).isEqualTo("a.exe");
        assertThat(FileNames.lastExtension("invoice.pdf.EXE")).contains("exe");
        assertThat(FileNames.lastExtension("dir.exe/readme")).isEmpty();
        assertThat(FileNames.lastExtension("C:\\temp\\x.js")).contains("js");
        assertThat(FileNames.lastExtension("noext")).isEmpty();
        assertThat(FileNames.lastExtension(".")).isEmpty();
        assertThat(FileNames.printable("a\r\nb\0.exe")).isEqualTo("a\\x0d\\x0ab\\x00.exe");
    }

    @Test
    void nulTruncatedNameIsCheckedToo() throws Exception {
        NameRules rules = new NameRules(new AttachmentPolicy(Set.of("exe"), Set.of(), List.of(), true, 3, 1000));
        assertThat(rules.check("evil.exe\0.txt").decision()).isEqualTo(NameRules.Decision.BAN);
        assertThat(rules.check("fine.txt").decision()).isEqualTo(NameRules.Decision.NONE);
    }

    @Test
    void fileMapValues() throws Exception {
        Path file = ScanFixture.DIR.resolve("names.map");
        Files.writeString(file, "a.docm REJECT\nb.exe OK\nc.exe DUNNO\nd.txt 554 5.7.1 no text files\n"
                + "e.txt HOLD\nf.exe 123\n");
        var table = Tables.open("texthash:" + file, ScanFixture.DIR, Origin.builtin("test"));
        NameRules rules = new NameRules(new AttachmentPolicy(Set.of(".EXE"), Set.of(), List.of(table), true, 3, 1000));
        assertThat(rules.check("A.DOCM")).satisfies(r -> {
            assertThat(r.decision()).isEqualTo(NameRules.Decision.BAN);
            assertThat(r.reason()).startsWith("banned by ");
        });
        assertThat(rules.check("b.exe").decision()).isEqualTo(NameRules.Decision.ALLOW);
        assertThat(rules.check("b.exe.").decision()).as("the key is the normalized name").isEqualTo(NameRules.Decision.ALLOW);
        assertThat(rules.check("c.exe").reason()).isEqualTo("banned extension .exe");
        assertThat(rules.check("d.txt").reason()).endsWith(": no text files");
        assertThat(rules.check("e.txt").reason()).endsWith(": HOLD");
        assertThat(rules.check("f.exe").decision()).isEqualTo(NameRules.Decision.ALLOW);
        assertThat(rules.check("g.txt")).isEqualTo(NameRules.Result.NONE);
    }

    @Test
    void policyNormalizesItsLists() {
        AttachmentPolicy p = new AttachmentPolicy(Set.of(".EXE", "js", " "), Set.of("Application/X-DosExec"), List.of(),
                true, 99, 5);
        assertThat(p.bannedExtensions()).containsExactlyInAnyOrder("exe", "js");
        assertThat(p.bannedTypes()).containsExactly("application/x-dosexec");
        assertThat(p.archiveNestingLimit()).isEqualTo(AttachmentPolicy.MAX_NESTING);
        assertThat(p.fileMaps()).isEmpty();
    }

    @Test
    void negativeLimitsAreRefused() {
        assertThatThrownBy(() -> new AttachmentPolicy(Set.of(), Set.of(), List.of(), true, -1, 5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AttachmentPolicy(Set.of(), Set.of(), List.of(), true, 1, -5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
