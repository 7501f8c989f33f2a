// SpawnServer: what Postfix's spawn(8) does for stdin/stdout policy programs such as policyd-spf --
// listens on 127.0.0.1 (TCP) or a UNIX-domain socket and runs one program per connection with the
// socket as its stdin and stdout. Test support for PolicyServiceIT.
package org.postern.policies.restrict;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

final class SpawnServer implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path socketPath;
    private final List<String> command;
    private final List<Process> children = new CopyOnWriteArrayList<>();
    private final StringBuffer stderr = new StringBuffer();

    private SpawnServer(ServerSocketChannel server, Path socketPath, List<String> command) {
        this.server = server;
        this.socketPath = socketPath;
        this.command = List.copyOf(command);
        Thread t = new Thread(this::accept, "spawn-" + command.get(0));
        t.setDaemon(true);
        t.start();
    }

    static SpawnServer inet(List<String> command) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new SpawnServer(s, null, command);
    }

    static SpawnServer unix(Path path, List<String> command) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        return new SpawnServer(s, path, command);
    }

    String endpoint() throws IOException {
        if (socketPath != null) return "unix:" + socketPath;
        return "inet:127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    int spawned() {
        return children.size();
    }

    /** What the programs wrote to stderr, for failure messages. */
    String stderr() {
        return stderr.toString();
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Process p = new ProcessBuilder(command).start();
                children.add(p);
                // the channel itself, not Channels.newInputStream/newOutputStream: those streams share
                // the channel's blocking lock, so a pending read would stall every write
                thread(() -> socketToProcess(c, p));
                thread(() -> processToSocket(p, c));
                thread(() -> drainStderr(p));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void thread(Runnable r) {
        Thread t = new Thread(r, "spawn-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void socketToProcess(SocketChannel c, Process p) {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try (OutputStream out = p.getOutputStream()) {
            while (c.read(buf) > 0) {
                out.write(buf.array(), 0, buf.position());
                out.flush();
                buf.clear();
            }
        } catch (IOException ignored) {
            // either side closed
        }
    }

    private static void processToSocket(Process p, SocketChannel c) {
        byte[] buf = new byte[4096];
        try (InputStream in = p.getInputStream(); c) {
            int n;
            while ((n = in.read(buf)) > 0) {
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) c.write(b);
            }
        } catch (IOException ignored) {
            // either side closed
        }
    }

    private void drainStderr(Process p) {
        byte[] buf = new byte[4096];
        try (InputStream in = p.getErrorStream()) {
            int n;
            while ((n = in.read(buf)) > 0) stderr.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // process ended
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Process p : children) p.destroy();
        if (socketPath != null) Files.deleteIfExists(socketPath);
    }
}
