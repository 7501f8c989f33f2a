// SmtpdVerticle: binds every smtpd listener on one event loop (the gateway deploys one instance;
// see Gateway for why not one per core). Stopping it shuts
// the servers down gracefully (sessions get smtpd_shutdown_timeout to finish).
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

public final class SmtpdVerticle extends VerticleBase {
    private final List<SmtpdListener> listeners;
    private final List<NetServer> servers = new ArrayList<>();
    private volatile Duration grace = Duration.ofSeconds(30);

    public SmtpdVerticle(List<SmtpdListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public Future<?> start() {
        List<Future<NetServer>> bound = new ArrayList<>();
        for (SmtpdListener l : listeners) {
            NetServer server = vertx.createNetServer(l.serverOptions()).connectHandler(l::accept);
            servers.add(server);
            bound.add(server.listen().recover(e -> Future.failedFuture(
                    new java.io.IOException("cannot listen on " + l.host() + ":" + l.port()
                            + " (service " + l.serviceName() + "): " + e.getMessage(), e))));
        }
        return Future.all(bound);
    }

    /** The grace period the next stop gives to sessions in progress. */
    public void grace(Duration grace) {
        this.grace = grace;
    }

    public List<SocketAddress> boundAddresses() {
        List<SocketAddress> out = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            out.add(SocketAddress.inetSocketAddress(servers.get(i).actualPort(), listeners.get(i).host()));
        }
        return out;
    }

    @Override
    public Future<?> stop() {
        List<Future<Void>> closing = new ArrayList<>();
        for (NetServer s : servers) closing.add(s.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS));
        return Future.join(closing);
    }
}
