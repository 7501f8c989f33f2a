// FakePolicyServer: a scripted policy server on 127.0.0.1 (TCP) or a UNIX-domain socket: reads
// requests (name=value lines up to an empty line), records them, and answers with what the test's
// script says -- or stays silent, or hangs up. Test support for org.postern.policies.restrict.
package org.postern.policies.restrict;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

final class FakePolicyServer implements AutoCloseable {
    /** Script answer: the lines to send (without the final empty line); SILENT: never answer; HANGUP: close. */
    static final String SILENT = "\u0000silent";
    static final String HANGUP = "\u0000hangup";

    private final ServerSocketChannel server;
    private final Function<Map<String, String>, String> script;
    private final Path socketPath;
    final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    final List<String> rawRequests = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();

    private FakePolicyServer(ServerSocketChannel server, Path socketPath, Function<Map<String, String>, String> script) {
        this.server = server;
        this.socketPath = socketPath;
        this.script = script;
        Thread t = new Thread(this::accept, "fake-policy-server");
        t.setDaemon(true);
        t.start();
    }

    static FakePolicyServer inet(Function<Map<String, String>, String> script) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FakePolicyServer(s, null, script);
    }

    static FakePolicyServer unix(Path path, Function<Map<String, String>, String> script) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        return new FakePolicyServer(s, path, script);
    }

    /** "inet:127.0.0.1:PORT" or "unix:/path". */
    String endpoint() throws IOException {
        if (socketPath != null) return "unix:" + socketPath;
        return "inet:127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                connections.incrementAndGet();
                open.add(c);
                Thread t = new Thread(() -> serve(c), "fake-policy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c; InputStream in = Channels.newInputStream(c); OutputStream out = Channels.newOutputStream(c)) {
            while (true) {
                Map<String, String> req = new LinkedHashMap<>();
                StringBuilder raw = new StringBuilder();
                while (true) {
                    String line = readLine(in);
                    if (line == null) return;
                    raw.append(line).append('\n');
                    if (line.isEmpty()) break;
                    int eq = line.indexOf('=');
                    req.put(line.substring(0, eq), line.substring(eq + 1));
                }
                requests.add(req);
                rawRequests.add(raw.toString());
                String answer = script.apply(req);
                if (answer == SILENT) continue;
                if (answer == HANGUP) return;
                out.write((answer + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // client went away
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') b.write(c);
        if (c < 0 && b.size() == 0) return null;
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel c : open) c.close();
        if (socketPath != null) Files.deleteIfExists(socketPath);
    }

    static List<String> keys(String raw) {
        List<String> out = new ArrayList<>();
        for (String l : raw.split("\n")) if (!l.isEmpty()) out.add(l.substring(0, l.indexOf('=')));
        return out;
    }
}
