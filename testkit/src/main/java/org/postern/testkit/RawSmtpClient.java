// RawSmtpClient: a plain blocking socket client for SMTP hardening tests: sends exactly the bytes it
// is given (bare LF, bare CR, NUL, pipelined batches), reads replies with deadlines, and tells
// whether the server closed the connection. Test support only; exercises smtpd input handling.
package org.postern.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * <pre>{@code
 * try (RawSmtpClient c = RawSmtpClient.connect(port)) {
 *     assertThat(c.readReply().code()).isEqualTo(220);
 *     c.send("EHLO x\r\nMAIL FROM:<a@b>\n");           // bytes as given, nothing added
 *     RawSmtpClient.Reply r = c.readReply(Duration.ofSeconds(2));
 *     assertThat(c.awaitClose(Duration.ofSeconds(5))).isTrue();
 * }}</pre>
 * Not thread-safe. Reads never block longer than the given (or default) timeout.
 */
public final class RawSmtpClient implements AutoCloseable {
    /** One SMTP reply: its code, the text of each line (after "NNN-" / "NNN "), and the raw bytes as text. */
    public record Reply(int code, List<String> lines, String raw) {
        public Reply {
            lines = List.copyOf(lines);
        }

        public String text() { return String.join("\n", lines); }
        public boolean isPositive() { return code >= 200 && code < 400; }
        public boolean isTransient() { return code >= 400 && code < 500; }
        public boolean isPermanent() { return code >= 500 && code < 600; }
        public boolean isMultiline() { return lines.size() > 1; }

        /** The enhanced status code at the start of the first line ("5.7.1"), or "" when there is none. */
        public String enhancedStatus() {
            String first = lines.isEmpty() ? "" : lines.get(0);
            return first.matches("[245]\\.\\d{1,3}\\.\\d{1,3}( .*)?") ? first.split(" ", 2)[0] : "";
        }

        @Override
        public String toString() { return raw.strip().replace("\r\n", " | "); }
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Duration defaultTimeout;
    /** Bytes received but not yet returned to the caller: q[qStart, qEnd). */
    private byte[] q = new byte[8192];
    private int qStart;
    private int qEnd;
    private boolean eof;

    private RawSmtpClient(Socket socket, Duration defaultTimeout) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.defaultTimeout = defaultTimeout;
    }

    /** Connects to 127.0.0.1:{@code port}; reads time out after 10 s. */
    public static RawSmtpClient connect(int port) throws IOException {
        return connect("127.0.0.1", port, DEFAULT_TIMEOUT);
    }

    public static RawSmtpClient connect(String host, int port, Duration readTimeout) throws IOException {
        return connect(host, port, readTimeout, null);
    }

    /** Connects from {@code bindAddress} (e.g. "127.0.0.2", to be a client outside mynetworks); null = any. */
    public static RawSmtpClient connect(String host, int port, Duration readTimeout, String bindAddress)
            throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            if (bindAddress != null) s.bind(new InetSocketAddress(bindAddress, 0));
            s.connect(new InetSocketAddress(host, port), (int) Math.min(readTimeout.toMillis(), 10_000));
            return new RawSmtpClient(s, readTimeout);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Sends exactly these bytes (nothing appended) and flushes. */
    public RawSmtpClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends the UTF-8 bytes of {@code text} exactly (no CRLF appended). */
    public RawSmtpClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code line} + CRLF. */
    public RawSmtpClient sendLine(String line) throws IOException {
        return send(line + "\r\n");
    }

    /** Sends {@code line} + CRLF and reads one reply. */
    public Reply command(String line) throws IOException {
        sendLine(line);
        return readReply();
    }

    public Reply readReply() throws IOException {
        return readReply(defaultTimeout);
    }

    /**
     * Reads one reply, multi-line aware ("250-..." lines until "250 ..."). Line ends may be CRLF or
     * LF (raw keeps what arrived). Throws SocketTimeoutException or EOFException, both quoting the
     * bytes received so far, and IOException for a line that is not an SMTP reply.
     */
    public Reply readReply(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> lines = new ArrayList<>();
        StringBuilder raw = new StringBuilder();
        int code = -1;
        while (true) {
            String line = readLine(deadline, timeout, raw);
            if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)
                    || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new IOException("not an SMTP reply line: " + escape(line) + " (received: " + escape(raw) + ")");
            }
            int c = Integer.parseInt(line.substring(0, 3));
            if (code >= 0 && c != code) {
                throw new IOException("reply code changed within a multi-line reply: " + escape(raw));
            }
            code = c;
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') return new Reply(code, lines, raw.toString());
        }
    }

    private String readLine(long deadline, Duration timeout, StringBuilder raw) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = readByte(deadline);
            if (b == -2) {
                throw new SocketTimeoutException("no complete SMTP reply within " + timeout.toMillis()
                        + " ms; received: " + escape(raw.toString() + line.toString(StandardCharsets.UTF_8)));
            }
            if (b == -1) {
                throw new EOFException("server closed the connection; received: "
                        + escape(raw.toString() + line.toString(StandardCharsets.UTF_8)));
            }
            line.write(b);
            if (b == '\n') {
                String s = line.toString(StandardCharsets.UTF_8);
                raw.append(s);
                return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.substring(0, s.length() - 1);
            }
        }
    }

    /** Next byte, -1 on end of stream (or reset), -2 when the deadline passed. */
    private int readByte(long deadline) throws IOException {
        if (qStart == qEnd) {
            if (eof) return -1;
            byte[] buf = new byte[8192];
            int n = fill(buf, deadline);
            if (n < 0) return n;
            queue(buf, n);
        }
        return q[qStart++] & 0xff;
    }

    private void queue(byte[] buf, int n) {
        if (qStart == qEnd) qStart = qEnd = 0;
        if (qEnd + n > q.length) {
            int used = qEnd - qStart;
            byte[] nq = used + n > q.length ? new byte[Math.max(q.length * 2, used + n)] : q;
            System.arraycopy(q, qStart, nq, 0, used);
            q = nq;
            qStart = 0;
            qEnd = used;
        }
        System.arraycopy(buf, 0, q, qEnd, n);
        qEnd += n;
    }

    /** One read into buf: count, -1 at end of stream / reset, -2 at the deadline. */
    private int fill(byte[] buf, long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) return -2;
        socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
        try {
            int n = in.read(buf);
            if (n < 0) {
                eof = true;
                return -1;
            }
            return n;
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (SocketException e) {   // connection reset by the server counts as closed
            eof = true;
            return -1;
        }
    }

    /**
     * Reads everything until the server closes the connection or {@code timeout} runs out; returns
     * what arrived (including anything not yet consumed). {@link #serverClosed()} tells which.
     */
    public byte[] readUntilClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(q, qStart, qEnd - qStart);
        qStart = qEnd = 0;
        byte[] buf = new byte[8192];
        while (!eof) {
            int n = fill(buf, deadline);
            if (n == -2) break;
            if (n > 0) all.write(buf, 0, n);
        }
        return all.toByteArray();
    }

    /**
     * Waits up to {@code timeout} for the server to close; bytes arriving meanwhile stay available
     * to {@link #readReply()}. True when the server closed (or reset) the connection.
     */
    public boolean awaitClose(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[8192];
        while (!eof) {
            int n = fill(buf, deadline);
            if (n == -2) return false;
            if (n > 0) queue(buf, n);
        }
        return true;
    }

    /** True once a read saw the end of the stream or a reset from the server. */
    public boolean serverClosed() {
        return eof;
    }

    /**
     * Convenience for tests that need mail in place: MAIL, RCPT (each must get 2xx), DATA (354), then
     * the message dot-stuffed and terminated ({@link Mails#dataSection}); returns the final reply.
     * Throws AssertionError quoting the unexpected reply.
     */
    public Reply sendMessage(String from, List<String> to, byte[] message) throws IOException {
        expect(command("MAIL FROM:<" + from + ">"), 2);
        for (String r : to) expect(command("RCPT TO:<" + r + ">"), 2);
        expect(command("DATA"), 3);
        send(Mails.dataSection(message));
        return readReply();
    }

    private static void expect(Reply r, int firstDigit) {
        if (r.code() / 100 != firstDigit) throw new AssertionError("expected " + firstDigit + "xx, got: " + r);
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    /** Half-close: no more bytes from us, the server sees end of input. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Bytes as readable text: CR, LF, tab and other controls escaped. */
    static String escape(CharSequence s) {
        StringBuilder sb = new StringBuilder("\"");
        s.chars().forEach(c -> {
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", c));
                    else sb.append((char) c);
                }
            }
        });
        return sb.append('"').toString();
    }

    @Override
    public String toString() {
        return "RawSmtpClient[" + socket + (eof ? ", closed by server" : "") + ", " + (qEnd - qStart)
                + " bytes unread]";
    }
}
