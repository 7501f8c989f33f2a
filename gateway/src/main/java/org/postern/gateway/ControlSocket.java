// ControlSocket: how `postern queue`, `postern flush` reach the running gateway -- a UNIX-domain socket
// at queue_directory/private/control (directory mode 0700: root and the mail owner only), one request
// line in, result lines out, like Postfix's public/qmgr. Serves QueueCommands; never on an event loop.
package org.postern.gateway;

import io.vertx.core.Future;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.postern.gateway.qmgr.QueueCommands;
import org.postern.gateway.queue.QueueName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests: {@code queue delete|hold|release|requeue ID|ALL [QUEUE]} and {@code flush}. The answer is
 * the output lines, then {@code status 0} (done) or {@code status 1} (refused, with the reason above).
 */
public final class ControlSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("postern.control");
    private static final int MAX_REQUEST = 1024;

    private final Path path;
    private final ServerSocketChannel server;
    private final QueueCommands commands;
    private final Supplier<Future<Void>> flush;
    private final Thread thread;

    private ControlSocket(Path path, ServerSocketChannel server, QueueCommands commands, Supplier<Future<Void>> flush) {
        this.path = path;
        this.server = server;
        this.commands = commands;
        this.flush = flush;
        this.thread = new Thread(this::serve, "postern-control");
        this.thread.setDaemon(true);
    }

    /** The socket of the gateway whose spool is at {@code queueDirectory}. */
    public static Path path(Path queueDirectory) {
        return queueDirectory.resolve("private").resolve("control");
    }

    /**
     * Binds the socket (replacing a stale one) and starts serving. Blocking: call on a worker.
     *
     * @param flush retries now what waits for a retry: vscan's and qmgr's deferred mail
     */
    static ControlSocket open(Path queueDirectory, QueueCommands commands, Supplier<Future<Void>> flush) throws IOException {
        Path dir = queueDirectory.resolve("private");
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to tighten
        }
        Path path = path(queueDirectory);
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        ControlSocket c = new ControlSocket(path, server, commands, flush);
        c.thread.start();
        return c;
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                String request = readLine(ch);
                List<String> out = answer(request);
                ch.write(ByteBuffer.wrap((String.join("\n", out) + "\n").getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                if (server.isOpen()) LOG.warn("control socket: {}", e.toString());
            }
        }
    }

    private List<String> answer(String request) {
        String[] w = request.strip().split("\\s+");
        List<String> out = new ArrayList<>();
        try {
            Future<List<String>> f;
            if (w.length == 1 && w[0].equals("flush")) {
                f = flush.get().map(v -> List.<String>of());
            } else if ((w.length == 3 || w.length == 4) && w[0].equals("queue")) {
                QueueName q = w.length == 4 ? queueName(w[3]) : null;
                f = commands.run(QueueCommands.Op.of(w[1]), w[2], q);
            } else {
                throw new IllegalArgumentException("unknown request \"" + request + "\"");
            }
            out.addAll(f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
            LOG.info("control: {}: {}", request.strip(), out.isEmpty() ? "done" : out.get(out.size() - 1));
            out.add("status 0");
        } catch (Exception e) {
            Throwable c = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            out.add(String.valueOf(c.getMessage()));
            out.add("status 1");
        }
        return out;
    }

    static QueueName queueName(String s) {
        for (QueueName q : QueueName.values()) {
            if (q.dirName().equals(s.toLowerCase(Locale.ROOT))) return q;
        }
        throw new IllegalArgumentException("unknown queue \"" + s + "\" (incoming, active, deferred, hold)");
    }

    private static String readLine(SocketChannel ch) throws IOException {
        var in = Channels.newInputStream(ch);
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (sb.length() >= MAX_REQUEST) throw new IOException("request too long");
            sb.append((char) b);
        }
        return sb.toString();
    }

    /** Stops serving and removes the socket file. */
    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("control socket close: {}", e.toString());
        }
    }
}
