// MemoryBoundsIT: the memory promises of the front smtpd, checked on the real postern.jar run with
// a small heap: a 50 MB message streams through -Xmx64m into the queue (invariant 3), and 1,000
// concurrent idle SMTP sessions fit in -Xmx256m. Failsafe; needs the jar from `package`.
package org.postern.appliance;

import org.postern.testkit.Await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.FreePort;
import org.postern.testkit.RawSmtpClient;

class MemoryBoundsIT {
    @TempDir Path dir;
    Process postern;
    int port;

    private void run(String heap) throws Exception {
        port = FreePort.next();
        Files.writeString(dir.resolve("main.cf"), String.join("\n",
                "queue_directory = $config_directory/spool", "data_directory = $config_directory/data",
                "maillog_file = $config_directory/maillog", "myhostname = mem.example.test",
                "mynetworks = 127.0.0.0/8", "relay_domains = example.test", "smtpd_pregreet_wait = 0",
                "message_size_limit = 0", ""));
        // maxproc 0: no session limit (the default_process_limit of 100 would refuse the idle sessions test)
        Files.writeString(dir.resolve("master.cf"), "127.0.0.1:" + port + " inet n - n - 0 smtpd\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        postern = new ProcessBuilder(java, heap, "-XX:+ExitOnOutOfMemoryError", "-jar", System.getProperty("postern.jar"),
                "-c", dir.toString(), "run")
                .redirectErrorStream(true).redirectOutput(dir.resolve("run.out").toFile()).start();
        Await.until("postern to listen on port " + port, Duration.ofSeconds(60), () -> {
            assertThat(postern.isAlive()).as("postern run exited: " + Files.readString(dir.resolve("run.out"))).isTrue();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        if (postern != null) {
            postern.destroy();
            if (!postern.waitFor(30, TimeUnit.SECONDS)) postern.destroyForcibly();
        }
    }

    @Test
    void fiftyMegabyteMessageStreamsThroughASixtyFourMegabyteHeap() throws Exception {
        run("-Xmx64m");
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(120))) {
            assertThat(c.readReply().code()).isEqualTo(220);
            c.command("EHLO big.test");
            c.command("MAIL FROM:<a@sender.test>");
            c.command("RCPT TO:<user@example.test>");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: fifty megabytes\r\n\r\n");
            byte[] line = ("x".repeat(98) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] block = new byte[line.length * 1000];
            for (int i = 0; i < 1000; i++) System.arraycopy(line, 0, block, i * line.length, line.length);
            for (int i = 0; i < 530; i++) c.send(block); // 53,000,000 bytes: over 50 MiB
            c.send(".\r\n");
            RawSmtpClient.Reply r = c.readReply();
            assertThat(r.code()).as(r.toString()).isEqualTo(250);
        }
        assertThat(postern.isAlive()).isTrue();
        try (Stream<Path> files = Files.list(dir.resolve("spool/incoming"))) {
            List<Path> queued = files.toList();
            assertThat(queued).hasSize(1);
            assertThat(Files.size(queued.get(0))).isGreaterThan(50L * 1024 * 1024);
        }
    }

    @Test
    void thousandIdleSessionsFitInTwoHundredFiftySixMegabytes() throws Exception {
        run("-Xmx256m");
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(20_000);
                sockets.add(s);
            }
            for (Socket s : sockets) assertThat(readLine(s.getInputStream())).startsWith("220 ");
            for (Socket s : sockets) {
                OutputStream out = s.getOutputStream();
                out.write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            for (Socket s : sockets) assertThat(readLine(s.getInputStream())).startsWith("250 ");
            assertThat(postern.isAlive()).isTrue();
        } finally {
            for (Socket s : sockets) s.close();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') sb.append((char) b);
        return sb.toString();
    }
}
