// StartTls: the server side of SMTP STARTTLS (RFC 3207) on a Vert.x 5.0.8 NetSocket: sends the 220,
// upgrades, and makes sure no plaintext the client (or a man in the middle) sent after STARTTLS is
// ever taken as TLS-protected input (CVE-2011-0411). Used by smtpd; main.cf smtpd_tls_security_level.
package org.postern.gateway.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * STARTTLS without plaintext injection. Vert.x 5.0.8's {@code upgradeToSsl} resolves the SSL context
 * asynchronously and meanwhile parks whatever the socket reads in the connection's pending queue;
 * after the handshake those plaintext bytes are delivered as if they had been decrypted (fixed
 * upstream after 5.0.8: eclipse-vertx/vert.x PR 6186/6187). The same happens to bytes that sat in
 * Vert.x's queues while the session had paused the socket. This class therefore
 * <ol>
 *   <li>puts a Netty handler in front of the pipeline that drops every read until the TLS handler
 *       sits before it (this needs Vert.x's internal {@link NetSocketInternal});</li>
 *   <li>resumes the socket and lets one event-loop turn pass, so all input already queued is
 *       delivered -- and dropped -- before the upgrade begins; after that, input can only have come
 *       through the guard, i.e. from the TLS handler;</li>
 *   <li>sends {@code ready} with the upgrade itself ({@code upgradeToSsl(options, ready)}), so the
 *       TLS handler is in place before the client can see the 220;</li>
 *   <li>passes decrypted input to {@code afterTls} only after the returned future has completed
 *       (5.0.8 already completes it first; the hold is there so a later Vert.x cannot reorder).</li>
 * </ol>
 * The caller still discards whatever its own line parser holds after the STARTTLS line.
 */
public final class StartTls {
    private static final String GUARD = "postern-starttls-guard";

    private StartTls() {}

    /** The TLS session and how many plaintext bytes sent after STARTTLS were thrown away. */
    public record Result(TlsSessionInfo session, long discardedBytes) {}

    /**
     * Upgrades {@code so} and from then on hands decrypted input to {@code afterTls}. Must be called
     * on the socket's context (from its handler or a future chained on it). Replaces the socket's
     * handler and resumes the socket. The returned future completes -- and its listeners run --
     * before {@code afterTls} receives its first byte; it fails when the handshake fails (the caller
     * closes the connection).
     */
    public static Future<Result> upgrade(NetSocket so, ServerSSLOptions options, Buffer ready, Handler<Buffer> afterTls) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(afterTls, "afterTls");
        Context context = Vertx.currentContext();
        if (context == null) throw new IllegalStateException("StartTls.upgrade must run on the socket's context");
        ChannelPipeline pipeline = ((NetSocketInternal) so).channelHandlerContext().pipeline();
        PlaintextGuard guard = new PlaintextGuard();
        pipeline.addFirst(GUARD, guard);

        Promise<Result> promise = Promise.promise(); // no context: listeners run when it completes
        Interim interim = new Interim(so, afterTls);
        so.handler(interim);
        so.resume();
        context.runOnContext(v -> {
          interim.upgrading = true; // from here on, input reaching the socket has passed the guard
          so.upgradeToSsl(options, ready).onComplete(ar -> {
            if (pipeline.get(GUARD) != null) pipeline.remove(GUARD);
            if (ar.failed()) {
                promise.fail(ar.cause());
                return;
            }
            long discarded = guard.dropped + interim.dropped;
            promise.complete(new Result(TlsSessionInfo.of(so.sslSession()), discarded));
            interim.open();
          });
        });
        return promise.future();
    }

    /** First in the pipeline: drops raw reads until the SslHandler sits before it. Event loop only. */
    private static final class PlaintextGuard extends ChannelInboundHandlerAdapter {
        long dropped;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ctx.pipeline().get(SslHandler.class) != null) {
                ctx.fireChannelRead(msg); // we are behind the TLS handler: this is decrypted input
                return;
            }
            if (msg instanceof ByteBuf b) dropped += b.readableBytes();
            ReferenceCountUtil.release(msg);
        }
    }

    /** The socket handler during the upgrade: drops plaintext, holds decrypted input until open. */
    private static final class Interim implements Handler<Buffer> {
        private final NetSocket so;
        private final Handler<Buffer> afterTls;
        private List<Buffer> held = new ArrayList<>();
        long dropped;
        /** Set when the upgrade starts; before that, input is plaintext drained from Vert.x's queues. */
        boolean upgrading;

        Interim(NetSocket so, Handler<Buffer> afterTls) {
            this.so = so;
            this.afterTls = afterTls;
        }

        @Override
        public void handle(Buffer buf) {
            if (!upgrading) {
                // Queued in Vert.x before the upgrade: plaintext. (Not so.isSsl(): a TLS 1.3 client's
                // Finished and first command can arrive together, before isSsl() turns true.)
                dropped += buf.length();
            } else if (held != null) {
                held.add(buf);
            } else {
                afterTls.handle(buf);
            }
        }

        void open() {
            List<Buffer> early = held;
            held = null;
            so.handler(afterTls);
            for (Buffer b : early) afterTls.handle(b);
        }
    }
}
