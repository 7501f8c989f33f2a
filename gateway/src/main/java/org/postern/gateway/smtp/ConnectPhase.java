// ConnectPhase: first phase of a session -- resolves the next-hop host, connects (trying its addresses
// in turn, smtp_connect_timeout each), and reads the server greeting (smtp_helo_timeout). A UNIX-domain
// socket is connected directly (lmtp:unix:/path). Yields the SmtpConnection the later phases use.
package org.postern.gateway.smtp;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/** One Promise: the greeted connection, or a {@link SessionFailure} (4.4.1 connect, 4.4.3 name, greeting). */
final class ConnectPhase {
    static final String GREETING = "receiving the initial server greeting";

    private final Vertx vertx;
    private final NetClient client;
    private final WorkerExecutor workers;
    private final SmtpSettings settings;
    private final Destination destination;
    private final Clock clock;
    private final Promise<SmtpConnection> promise = Promise.promise();

    ConnectPhase(Vertx vertx, NetClient client, WorkerExecutor workers, SmtpSettings settings,
                 Destination destination, Clock clock) {
        this.vertx = vertx;
        this.client = client;
        this.workers = workers;
        this.settings = settings;
        this.destination = destination;
        this.clock = clock;
    }

    Future<SmtpConnection> run() {
        Future<SmtpConnection> connected;
        if (destination.isUnix()) {
            String path = destination.unixSocket().toString();
            connected = connect(SocketAddress.domainSocketAddress(path), "localhost", path, 0);
        } else {
            connected = addresses().compose(list -> connectFirst(list, 0, null));
        }
        connected.compose(this::greeting).onComplete(promise);
        return promise.future();
    }

    /**
     * The host's addresses. Blocking call, so on a worker: the JDK resolver (hosts file, then DNS) is the
     * one way to honour /etc/hosts, and next-hop names are few and cached by the JDK.
     */
    private Future<List<InetAddress>> addresses() {
        String host = destination.host();
        return workers.<List<InetAddress>>executeBlocking(() -> {
            List<InetAddress> all = Arrays.asList(InetAddress.getAllByName(host));
            return all.subList(0, Math.min(all.size(), settings.addressLimit()));
        }, false).recover(e -> Future.failedFuture(e instanceof UnknownHostException
                ? SessionFailure.hostNotFound(host, "Host not found")
                : SessionFailure.hostNotFound(host, String.valueOf(e.getMessage()))));
    }

    /** Tries each address in turn; the last failure is the one reported (as Postfix logs each). */
    private Future<SmtpConnection> connectFirst(List<InetAddress> list, int i, SessionFailure last) {
        if (i >= list.size()) return Future.failedFuture(last);
        InetAddress a = list.get(i);
        String ip = a.getHostAddress();
        return connect(SocketAddress.inetSocketAddress(destination.port(), ip), destination.host(), ip, destination.port())
                .recover(e -> connectFirst(list, i + 1, (SessionFailure) e));
    }

    private Future<SmtpConnection> connect(SocketAddress to, String name, String addr, int port) {
        ConnectOptions o = new ConnectOptions().setRemoteAddress(to)
                .setTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
        String where = name + "[" + addr + "]" + (port > 0 ? ":" + port : "");
        return client.connect(o)
                .map(so -> new SmtpConnection(vertx, so, name, addr, port, settings.replyLimit(), clock.instant()))
                .recover(e -> Future.failedFuture(SessionFailure.connect(where, reason(e))));
    }

    private static String reason(Throwable e) {
        if (e instanceof ConnectTimeoutException) return "Connection timed out";
        if (e instanceof ConnectException) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("refused")) return "Connection refused";
            if (m.contains("No such file")) return "No such file or directory";
            return m;
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** The greeting must be 2xx; a 5xx one counts as temporary (smtp_skip_5xx_greeting = yes). */
    private Future<SmtpConnection> greeting(SmtpConnection c) {
        return c.read(settings.heloTimeout(), GREETING).transform(ar -> {
            if (ar.failed()) {
                c.close();
                return Future.failedFuture(ar.cause());
            }
            if (ar.result().code() / 100 == 2) return Future.succeededFuture(c);
            c.close();
            SessionFailure f = SessionFailure.refusedToTalk(c.peer(), ar.result());
            return Future.failedFuture(f.reply.isPermanent() ? f.asTransient() : f);
        });
    }
}
