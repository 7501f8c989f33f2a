// ScriptedPeer: a tiny SMTP/LMTP server for client tests whose every reply a test scripts, line by line
// (vertx-mail-client's TestSmtpServer habit), on 127.0.0.1 or a UNIX-domain socket. Plain blocking I/O
// on its own threads; records what the client sent, so tests can check pipelining and dot-stuffing.
package org.postern.gateway.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

final class ScriptedPeer implements AutoCloseable {
    /** What the server does on one connection. */
    interface Script {
        void run(Session s) throws Exception;
    }

    private final ServerSocketChannel server;
    private final Script script;
    private final Thread acceptor;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Object> finished = new LinkedBlockingQueue<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private ScriptedPeer(ServerSocketChannel server, Script script) {
        this.server = server;
        this.script = script;
        this.acceptor = new Thread(this::accept, "scripted-peer");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static ScriptedPeer tcp(Script script) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return new ScriptedPeer(s, script);
    }

    /** As {@link #tcp}, with a fixed 64 KiB receive buffer (no kernel autotuning): tests of backpressure. */
    static ScriptedPeer tcpSmallWindow(Script script) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return new ScriptedPeer(s, script);
    }

    static ScriptedPeer unix(Path path, Script script) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        return new ScriptedPeer(s, script);
    }

    int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    List<Session> sessions() {
        return sessions;
    }

    /** Waits until {@code n} sessions have ended their script; rethrows a script failure. */
    void awaitSessions(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            Object o = finished.poll(60, TimeUnit.SECONDS);
            if (o == null) throw new AssertionError("scripted peer: session " + (i + 1) + " did not end in time");
        }
        if (!failures.isEmpty()) throw new AssertionError("scripted peer failed", failures.get(0));
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Session s = new Session(ch);
                sessions.add(s);
                Thread t = new Thread(() -> {
                    try {
                        script.run(s);
                    } catch (Throwable e) {
                        failures.add(e);
                    } finally {
                        s.close();
                        finished.add(s);
                    }
                }, "scripted-peer-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Session s : sessions) s.close();
    }

    /** One accepted connection. */
    static final class Session {
        private final SocketChannel ch;
        private InputStream in;
        private OutputStream out;
        /** Everything in order: "C: line" for client lines, "S: line" for ours. */
        final List<String> transcript = new CopyOnWriteArrayList<>();
        /** Contents received by {@link #serve}. */
        final List<byte[]> messages = new CopyOnWriteArrayList<>();

        private long consumed;

        Session(SocketChannel ch) {
            this.ch = ch;
            this.in = counting(Channels.newInputStream(ch));
            this.out = Channels.newOutputStream(ch);
        }

        /** Server side of STARTTLS: from here on, lines go through TLS. */
        void startTls(javax.net.ssl.SSLContext context) throws IOException {
            javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                    .createSocket(ch.socket(), null, ch.socket().getPort(), false);
            ssl.setUseClientMode(false);
            ssl.startHandshake();
            transcript.add("S: <TLS " + ssl.getSession().getProtocol() + ">");
            in = counting(ssl.getInputStream());
            out = ssl.getOutputStream();
        }

        private InputStream counting(InputStream raw) {
            return new BufferedInputStream(raw) {
                @Override
                public synchronized int read() throws IOException {
                    int c = super.read();
                    if (c >= 0) consumed++;
                    return c;
                }

                @Override
                public synchronized int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) consumed += n;
                    return n;
                }
            };
        }

        /** Sends lines, each with CRLF appended, in one write. */
        void send(String... lines) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (String l : lines) {
                sb.append(l).append("\r\n");
                transcript.add("S: " + l);
            }
            sendRaw(sb.toString());
        }

        void sendRaw(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** The next line without its CRLF (a bare LF is kept in it), or null at EOF. */
        String readLine() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int prev = -1, c;
            while ((c = in.read()) >= 0) {
                if (c == '\n' && prev == '\r') {
                    byte[] l = b.toByteArray();
                    String line = new String(l, 0, l.length - 1, StandardCharsets.UTF_8);
                    transcript.add("C: " + line);
                    return line;
                }
                b.write(c);
                prev = c;
            }
            return null;
        }

        /** Reads a line and checks it starts with {@code prefix} (case-insensitive). */
        String expect(String prefix) throws IOException {
            String l = readLine();
            if (l == null || !l.regionMatches(true, 0, prefix, 0, prefix.length())) {
                throw new AssertionError("expected " + prefix + "... but got " + l + "; transcript " + transcript);
            }
            return l;
        }

        /** The usual start: greeting, EHLO answered with {@code extensions}. */
        void greetAndEhlo(String... extensions) throws IOException {
            send("220 peer.test ESMTP");
            expect("EHLO ");
            String[] lines = new String[extensions.length + 1];
            lines[0] = (extensions.length == 0 ? "250 " : "250-") + "peer.test";
            for (int i = 0; i < extensions.length; i++) {
                lines[i + 1] = (i == extensions.length - 1 ? "250 " : "250-") + extensions[i];
            }
            send(lines);
        }

        /**
         * DATA content up to CRLF.CRLF, dot-unstuffed, CRLFs kept (the final CRLF belongs to the content).
         * Counts into {@code sink} when not null instead of keeping the bytes (big messages).
         */
        /** Bytes this session has taken from the connection so far. */
        long bytesRead() {
            return consumed;
        }

        /** DATA content without keeping it: {@code progress} gets each byte count read; returns the content size. */
        long readDataWith(java.util.function.LongConsumer progress) throws IOException {
            long[] n = {0};
            readData(n, progress);
            return n[0];
        }

        byte[] readData(long[] sink) throws IOException {
            return readData(sink, null);
        }

        private byte[] readData(long[] sink, java.util.function.LongConsumer progress) throws IOException {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            boolean lineStart = true;
            int state = 0; // 1: line start + '.'; 2: + CR
            int prev = -1, c;
            long count = 0;
            while ((c = in.read()) >= 0) {
                if (state == 1) {
                    if (c == '\r') { state = 2; continue; }
                    state = 0; // a stuffed dot: drop it, keep c
                } else if (state == 2) {
                    if (c == '\n') break;
                    throw new AssertionError("'.' CR without LF in DATA");
                } else if (lineStart && c == '.') {
                    state = 1;
                    lineStart = false;
                    continue;
                }
                if (sink == null) data.write(c);
                count++;
                if (progress != null) progress.accept(1);
                lineStart = c == '\n' && prev == '\r';
                if (c == '\n' && prev != '\r') throw new AssertionError("bare LF in DATA content");
                prev = c;
            }
            if (c < 0) throw new IOException("EOF in DATA");
            transcript.add("C: <" + count + " bytes>");
            transcript.add("C: .");
            if (sink != null) sink[0] = count;
            return data.toByteArray();
        }

        /** Exactly {@code n} bytes (BDAT). */
        byte[] readBytes(long n) throws IOException {
            byte[] b = in.readNBytes((int) n);
            transcript.add("C: <" + b.length + " bytes>");
            return b;
        }

        /**
         * A permissive server after the greeting: EHLO/LHLO get {@code extensions}, MAIL/RCPT/RSET/NOOP 250,
         * DATA 354 then 250 (LMTP: one 250 per accepted RCPT), QUIT 221. Returns at QUIT or EOF.
         */
        void serve(String... extensions) throws IOException {
            send("220 peer.test ESMTP");
            loop(extensions);
        }

        /** As {@link #serve} after a scripted start (greeting, EHLO and more already done). */
        void serveRest() throws IOException {
            loop();
        }

        private void loop(String... extensions) throws IOException {
            int rcpts = 0;
            boolean lmtp = false;
            String line;
            while ((line = readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
                switch (verb) {
                    case "EHLO", "LHLO" -> {
                        lmtp = verb.equals("LHLO");
                        String[] lines = new String[extensions.length + 1];
                        lines[0] = (extensions.length == 0 ? "250 " : "250-") + "peer.test";
                        for (int i = 0; i < extensions.length; i++) {
                            lines[i + 1] = (i == extensions.length - 1 ? "250 " : "250-") + extensions[i];
                        }
                        send(lines);
                    }
                    case "HELO" -> send("250 peer.test");
                    case "MAIL" -> {
                        rcpts = 0;
                        send("250 2.1.0 Ok");
                    }
                    case "RCPT" -> {
                        rcpts++;
                        send("250 2.1.5 Ok");
                    }
                    case "DATA" -> {
                        send("354 End data with <CR><LF>.<CR><LF>");
                        messages.add(readData(null));
                        for (int i = 0; i < (lmtp ? rcpts : 1); i++) send("250 2.0.0 Ok: queued as M" + messages.size());
                    }
                    case "RSET", "NOOP" -> send("250 2.0.0 Ok");
                    case "QUIT" -> {
                        send("221 2.0.0 Bye");
                        return;
                    }
                    default -> send("502 5.5.2 Error: command not recognized");
                }
            }
        }

        /** True when the client closed the connection (EOF) before sending anything more. */
        boolean awaitEof() throws IOException {
            return in.read() < 0;
        }

        void close() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
