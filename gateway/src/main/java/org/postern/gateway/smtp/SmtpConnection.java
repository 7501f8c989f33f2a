// SmtpConnection: one client connection to a next hop on a Vert.x NetSocket -- writes command lines and
// content, hands out the peer's replies in order (so pipelined replies are never lost), enforces the
// per-read timeout of the current phase, and notices a lost connection. Used by every client phase.
package org.postern.gateway.smtp;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.postern.core.SmtpReply;
import org.postern.gateway.tls.TlsSessionInfo;

/**
 * All state is touched on the socket's context only; {@link #onContext} hops there. A read that times
 * out or meets a malformed line closes the connection (it is out of step), as Postfix does.
 */
final class SmtpConnection {
    /** Bytes Vert.x may queue for the peer before ContentPhase waits for drain. */
    static final int WRITE_QUEUE_LIMIT = 256 * 1024;

    private final Vertx vertx;
    private final Context context;
    private final NetSocket socket;
    private final int replyLimit;
    private ReplyParser parser;
    private final ArrayDeque<ReplyParser.Parsed> ready = new ArrayDeque<>();
    private final Promise<Void> closed = Promise.promise();
    private Promise<SmtpReply> waiting;
    private String waitingStage;
    private long timer = -1;
    private int generation; // bumped by discardInput: input parsed before it must not be queued after it

    final String hostName;
    final String address;
    final int port;
    final Instant createdAt;
    /** What the last EHLO/LHLO announced. */
    EhloCapabilities capabilities = EhloCapabilities.NONE;
    /** The TLS session after STARTTLS, or null. */
    TlsSessionInfo tls;
    /** Messages started on this connection (Postfix's conn_use). */
    int uses;

    SmtpConnection(Vertx vertx, NetSocket socket, String hostName, String address, int port, int replyLimit,
                   Instant createdAt) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.socket = socket;
        this.hostName = hostName;
        this.address = address;
        this.port = port;
        this.replyLimit = replyLimit;
        this.parser = new ReplyParser(replyLimit);
        this.createdAt = createdAt;
        socket.setWriteQueueMaxSize(WRITE_QUEUE_LIMIT);
        socket.handler(this::received);
        socket.closeHandler(v -> onClosed());
        socket.exceptionHandler(e -> socket.close());
    }

    /** {@code host[address]}, as Postfix names a peer in "host ... said:". */
    String peer() {
        return hostName + "[" + address + "]";
    }

    /** {@code host[address]:port} for relay=; for a UNIX socket {@code host[path]}. */
    String relay() {
        return port > 0 ? peer() + ":" + port : peer();
    }

    NetSocket socket() {
        return socket;
    }

    /** Runs {@code action} on this connection's context (at once when already there). */
    <T> Future<T> onContext(Supplier<Future<T>> action) {
        if (Vertx.currentContext() == context) return action.get();
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> {
            try {
                action.get().onComplete(p);
            } catch (RuntimeException e) {
                p.fail(e);
            }
        });
        return p.future();
    }

    /** Sends one command line; CRLF is appended. */
    Future<Void> send(String line) {
        return socket.write(Buffer.buffer(line + "\r\n", StandardCharsets.UTF_8.name()));
    }

    Future<Void> write(Buffer bytes) {
        return socket.write(bytes);
    }

    boolean writeQueueFull() {
        return socket.writeQueueFull();
    }

    void drainHandler(Handler<Void> handler) {
        socket.drainHandler(handler);
    }

    /**
     * The next reply, waiting at most {@code timeout}. Fails with a {@link SessionFailure}: lost
     * connection or timeout "while {@code stage}", or a malformed reply.
     */
    Future<SmtpReply> read(Duration timeout, String stage) {
        return onContext(() -> {
            if (waiting != null) return Future.failedFuture(new IllegalStateException("two reads at once"));
            ReplyParser.Parsed p = ready.poll();
            if (p != null) return deliver(p, stage);
            if (isClosed()) return Future.failedFuture(SessionFailure.lost(peer(), stage));
            waiting = Promise.promise();
            waitingStage = stage;
            long id = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> onContext(() -> {
                timedOut(t);
                return Future.succeededFuture();
            }));
            timer = id;
            return waiting.future();
        });
    }

    /** True when a reply (or part of one) arrived that nobody has read yet. */
    boolean hasUnreadInput() {
        return !ready.isEmpty() || !parser.idle();
    }

    /** True when a complete reply is waiting to be read. */
    boolean hasReplyWaiting() {
        return !ready.isEmpty();
    }

    /** Forgets every byte received so far (after a STARTTLS 220: nothing sent in the clear may count). */
    void discardInput() {
        ready.clear();
        parser = new ReplyParser(replyLimit);
        generation++;
    }

    boolean isClosed() {
        return closed.future().isComplete();
    }

    /** Completes when the connection is closed, by either side. */
    Future<Void> closed() {
        return closed.future();
    }

    Future<Void> close() {
        return socket.close().recover(e -> Future.succeededFuture());
    }

    private void received(Buffer bytes) {
        int gen = generation;
        for (ReplyParser.Parsed p : parser.feed(bytes)) {
            if (gen != generation) return; // a reader discarded the input (STARTTLS): drop the rest too
            if (waiting != null) {
                Promise<SmtpReply> w = waiting;
                String stage = waitingStage;
                clearWaiting();
                deliver(p, stage).onComplete(w);
            } else {
                ready.add(p);
            }
        }
    }

    private Future<SmtpReply> deliver(ReplyParser.Parsed p, String stage) {
        if (p instanceof ReplyParser.Reply r) return Future.succeededFuture(r.reply());
        ReplyParser.Malformed m = (ReplyParser.Malformed) p;
        close();
        return Future.failedFuture(SessionFailure.malformed(peer(), stage, m.line()));
    }

    private void timedOut(long id) {
        if (waiting == null || timer != id) return;
        Promise<SmtpReply> w = waiting;
        String stage = waitingStage;
        clearWaiting();
        close();
        w.fail(SessionFailure.timeout(peer(), stage));
    }

    private void onClosed() {
        closed.tryComplete();
        if (waiting != null) {
            Promise<SmtpReply> w = waiting;
            String stage = waitingStage;
            clearWaiting();
            w.fail(SessionFailure.lost(peer(), stage));
        }
    }

    private void clearWaiting() {
        if (timer >= 0) vertx.cancelTimer(timer);
        timer = -1;
        waiting = null;
        waitingStage = null;
    }

    @Override
    public String toString() {
        return "SmtpConnection[" + relay() + (tls != null ? ", TLS" : "") + ", uses=" + uses + "]";
    }
}
