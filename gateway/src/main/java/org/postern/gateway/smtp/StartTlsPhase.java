// StartTlsPhase: STARTTLS (RFC 3207) by smtp_tls_security_level -- none: never; may: when offered, else
// plaintext; encrypt: required, any certificate; verify: required, certificate chain (smtp_tls_CAfile
// or the JDK's) and host name checked. Then EHLO again. Runs between HelloPhase and AuthPhase.
package org.postern.gateway.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.postern.core.SmtpReply;
import org.postern.gateway.smtp.Destination.TlsPolicy;
import org.postern.gateway.tls.TlsSessionInfo;

/**
 * One Promise: done (TLS on, or plaintext allowed by "may"), or a {@link SessionFailure} (4.7.4 TLS
 * not offered, 4.7.5 handshake or certificate failure). Nothing the server sent in the clear after
 * asking for STARTTLS is ever read as a TLS-protected reply (CVE-2011-0411, client side): input is
 * discarded at the 220, and a Netty guard drops raw reads until the TLS handler is in place (Vert.x
 * 5.0.8 would otherwise replay bytes parked during the upgrade as if they had been decrypted).
 */
final class StartTlsPhase {
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    private static final String GUARD = "postern-smtp-starttls-guard";

    private final SmtpConnection conn;
    private final SmtpSettings settings;
    private final Destination destination;
    private final Promise<Void> promise = Promise.promise();

    StartTlsPhase(SmtpConnection conn, SmtpSettings settings, Destination destination) {
        this.conn = conn;
        this.settings = settings;
        this.destination = destination;
    }

    Future<Void> run() {
        TlsPolicy policy = destination.tls();
        if (policy == TlsPolicy.NONE || (policy == TlsPolicy.MAY && !conn.capabilities.startTls())) {
            return Future.succeededFuture();
        }
        if (!conn.capabilities.startTls()) {
            return Future.failedFuture(SessionFailure.local(SmtpReply.of(421, "4.7.4",
                    "TLS is required, but was not offered by host " + conn.peer()), false));
        }
        conn.send("STARTTLS").transform(ar -> conn.read(settings.starttlsTimeout(), "receiving the STARTTLS response"))
                .<Void>compose(reply -> {
                    if (reply.code() == 220) return upgrade();
                    if (policy == TlsPolicy.MAY) return Future.succeededFuture(); // go on in plaintext
                    return Future.failedFuture(SessionFailure.local(SmtpReply.of(421, "4.7.4",
                            "TLS is required, but host " + conn.peer() + " refused to start TLS: " + reply.oneLine()), true));
                })
                .compose(v -> conn.tls == null ? Future.<Void>succeededFuture()
                        : new HelloPhase(conn, settings, destination.protocol()).run().<Void>mapEmpty())
                .onComplete(promise);
        return promise.future();
    }

    private Future<Void> upgrade() {
        conn.discardInput();
        ChannelPipeline pipeline = ((NetSocketInternal) conn.socket()).channelHandlerContext().pipeline();
        pipeline.addFirst(GUARD, new PlaintextGuard());
        String serverName = conn.hostName; // the MX host actually connected to (the destination host for [host])
        return conn.socket().upgradeToSsl(sslOptions(), serverName).transform(ar -> {
            if (pipeline.get(GUARD) != null) pipeline.remove(GUARD);
            if (ar.failed()) {
                conn.close();
                return Future.failedFuture(SessionFailure.tlsHandshake(conn.peer(), describe(ar.cause())));
            }
            conn.tls = TlsSessionInfo.of(conn.socket().sslSession());
            return Future.succeededFuture();
        });
    }

    /** encrypt: any certificate (Postfix does not check it either); verify: chain and host name. */
    ClientSSLOptions sslOptions() {
        ClientSSLOptions o = new ClientSSLOptions().setEnabledSecureTransportProtocols(PROTOCOLS)
                .setSslHandshakeTimeout(settings.starttlsTimeout().toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        if (destination.tls() != TlsPolicy.VERIFY) return o.setTrustAll(true).setHostnameVerificationAlgorithm("");
        o.setTrustAll(false).setHostnameVerificationAlgorithm("HTTPS");
        if (settings.tlsCaFile() != null) o.setTrustOptions(new PemTrustOptions().addCertPath(settings.tlsCaFile().toString()));
        return o;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }

    /** First in the pipeline: drops raw reads until the SslHandler sits before it. Event loop only. */
    private static final class PlaintextGuard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ctx.pipeline().get(SslHandler.class) != null) {
                ctx.fireChannelRead(msg);
            } else if (msg instanceof ByteBuf) {
                ReferenceCountUtil.release(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
        }
    }
}
