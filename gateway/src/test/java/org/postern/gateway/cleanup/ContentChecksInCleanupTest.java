package org.postern.gateway.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Recipient;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueFile;
import org.postern.testkit.RawSmtpClient;

/** header_checks and body_checks applied by cleanup while the message streams into the queue. */
class ContentChecksInCleanupTest {
    @TempDir Path dir;
    GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(dir.resolve("header_checks"), String.join("\n",
                "/^Subject:.*viagra/          REJECT Spam subject refused",
                "/^Subject:.*please hold/     HOLD",
                "/^Subject:.*throw away/      DISCARD",
                "/^Subject:.*forward me/      REDIRECT audit@example.test",
                "/^Subject:.*to the scanner/  FILTER smtp:[127.0.0.1]:10026",
                "/^X-Internal:/               IGNORE",
                "/^Subject: (.*tagged.*)/     REPLACE Subject: [checked] $1",
                "/^Content-Disposition:.*filename=\"?[^\"]*\\.exe/ REJECT executable attachment refused",
                ""));
        Files.writeString(dir.resolve("body_checks"), "/^BAD-BODY-LINE$/ REJECT body refused\n"
                + "/^LATE-IN-A-LONG-LINE/ REJECT long line refused\n");
        gw = GatewayHarness.start(dir, "header_checks = regexp:" + dir.resolve("header_checks") + "\n"
                + "body_checks = regexp:" + dir.resolve("body_checks") + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    private RawSmtpClient.Reply send(String message) throws Exception {
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10))) {
            c.readReply();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@sender.test>");
            c.command("RCPT TO:<u@example.test>");
            c.command("DATA");
            c.send(message + ".\r\n");
            return c.readReply();
        }
    }

    private long filesIn(String queue) throws Exception {
        try (Stream<Path> s = Files.list(gw.spool().resolve(queue))) {
            return s.count();
        }
    }

    @Test
    void rejectByHeader() throws Exception {
        RawSmtpClient.Reply r = send("Subject: cheap viagra\r\n\r\nbody\r\n");
        assertThat(r.code()).isEqualTo(550);
        assertThat(r.text()).isEqualTo("5.7.1 Spam subject refused");
        assertThat(filesIn("incoming")).isZero();
    }

    @Test
    void rejectByBody() throws Exception {
        assertThat(send("Subject: fine\r\n\r\nline\r\nBAD-BODY-LINE\r\nmore\r\n").code()).isEqualTo(550);
        assertThat(filesIn("incoming")).isZero();
    }

    @Test
    void holdGoesToTheHoldQueue() throws Exception {
        assertThat(send("Subject: please hold this\r\n\r\nbody\r\n").code()).isEqualTo(250);
        assertThat(filesIn("hold")).isEqualTo(1);
        assertThat(filesIn("incoming")).isZero();
    }

    @Test
    void discardClaimsSuccessAndKeepsNothing() throws Exception {
        assertThat(send("Subject: throw away\r\n\r\nbody\r\n").code()).isEqualTo(250);
        assertThat(filesIn("incoming") + filesIn("hold")).isZero();
    }

    @Test
    void redirectReplacesTheRecipients() throws Exception {
        assertThat(send("Subject: forward me\r\n\r\nbody\r\n").code()).isEqualTo(250);
        assertThat(gw.incomingMessages().get(0).envelope().recipients()).extracting(Recipient::address)
                .containsExactly("audit@example.test");
    }

    @Test
    void filterIsKeptInTheQueueFileForTheDeliveryStage() throws Exception {
        assertThat(send("Subject: to the scanner\r\n\r\nbody\r\n").code()).isEqualTo(250);
        assertThat(gw.incomingMessages().get(0).envelope().filter()).isEqualTo("smtp:[127.0.0.1]:10026");
    }

    @Test
    void ignoreAndReplaceEditTheHeadersAndLeaveTheBodyAlone() throws Exception {
        assertThat(send("Subject: tagged mail\r\nX-Internal: secret\r\nFrom: a@sender.test\r\n\r\n..dots stay\r\nend\r\n")
                .code()).isEqualTo(250);
        QueueFile q = gw.incomingMessages().get(0);
        String content = GatewayHarness.content(q);
        assertThat(content).contains("\r\nSubject: [checked] tagged mail\r\nFrom: a@sender.test\r\n\r\n.dots stay\r\nend\r\n")
                .doesNotContain("X-Internal");
        assertThat(content).startsWith("Received: from client.test");
    }

    @Test
    void longLinesAreStoredWholeAndTheBodyChecksSeeThemInPieces() throws Exception {
        String longHeader = "X-Long: " + "h".repeat(3000); // over line_length_limit, under header_size_limit
        String longBody = "b".repeat(5000) + "c".repeat(1000);
        assertThat(send("Subject: fine\r\n" + longHeader + "\r\n\r\nstart\r\n" + longBody + "\r\nend\r\n").code())
                .isEqualTo(250);
        String content = GatewayHarness.content(gw.incomingMessages().get(0));
        assertThat(content).endsWith("\r\nSubject: fine\r\n" + longHeader + "\r\n\r\nstart\r\n" + longBody + "\r\nend\r\n");

        // a line is checked in line_length_limit (2048) pieces, as Postfix's body_checks see it
        String hidden = "x".repeat(4096) + "LATE-IN-A-LONG-LINE" + "y".repeat(100);
        RawSmtpClient.Reply r = send("Subject: fine\r\n\r\n" + hidden + "\r\n");
        assertThat(r.code()).isEqualTo(550);
        assertThat(r.text()).isEqualTo("5.7.1 long line refused");
        assertThat(send("Subject: fine\r\n\r\n" + "x".repeat(4000) + "LATE-IN-A-LONG-LINE\r\n").code())
                .as("the match starts inside a piece: not seen, as in Postfix").isEqualTo(250);
    }

    /**
     * A long line inside a MIME part's headers is stored as it came (no line end added between its pieces, the
     * header before it keeps its own); a long body line whose later piece starts like a boundary does not end
     * the multipart for the checks (Postfix skips boundaries on continued records), so the real part's headers
     * after it are still checked.
     */
    @Test
    void longLinesInsideMimePartsNeitherChangeTheMessageNorHideParts() throws Exception {
        String part = "Content-Type: text/plain\r\nX-Long-Part-Header: " + "p".repeat(3000) + "\r\nX-After: 1\r\n\r\nhi\r\n";
        String message = "Subject: fine\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\n" + part + "--b1--\r\n";
        assertThat(send(message).code()).isEqualTo(250);
        assertThat(GatewayHarness.content(gw.incomingMessages().get(0))).endsWith("\r\n" + message);

        String evasion = "Subject: fine\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\n" + "f".repeat(2048) + "--b1--\r\n"
                + "--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"x.exe\"\r\n\r\n"
                + "TVqQ\r\n--b1--\r\n";
        RawSmtpClient.Reply r = send(evasion);
        assertThat(r.code()).as("the part after the long line is still seen by mime_header_checks").isEqualTo(550);
        assertThat(r.text()).isEqualTo("5.7.1 executable attachment refused");
    }
}
