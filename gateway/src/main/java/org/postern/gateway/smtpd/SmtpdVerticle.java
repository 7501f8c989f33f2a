// SmtpdVerticle: binds every smtpd listener on one event loop (the gateway deploys one instance;
// see Gateway for why not one per core). On reload it swaps each port's listener (new frozen
// settings for new sessions), binds new ports and gracefully closes removed ones.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public final class SmtpdVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger("postern.master");

    /** A bound port and the listener its new connections go to (swapped on reload). */
    private record Bound(NetServer server, AtomicReference<SmtpdListener> listener) {}

    private final List<SmtpdListener> initial;
    private final Map<String, Bound> bound = new LinkedHashMap<>();
    private volatile Duration grace = Duration.ofSeconds(30);

    public SmtpdVerticle(List<SmtpdListener> listeners) {
        this.initial = List.copyOf(listeners);
    }

    @Override
    public Future<?> start() {
        return apply(initial);
    }

    /** Makes {@code listeners} current; runs on this verticle's event loop. */
    public Future<Void> reload(List<SmtpdListener> listeners) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> apply(listeners).onComplete(done));
        return done.future();
    }

    private static String key(SmtpdListener l) {
        return l.host() + ":" + l.port();
    }

    private Future<Void> apply(List<SmtpdListener> listeners) {
        Map<String, SmtpdListener> wanted = new LinkedHashMap<>();
        for (SmtpdListener l : listeners) wanted.put(key(l), l);
        List<Future<Void>> closing = new ArrayList<>();
        for (Map.Entry<String, Bound> e : new ArrayList<>(bound.entrySet())) {
            SmtpdListener next = wanted.get(e.getKey());
            SmtpdListener now = e.getValue().listener().get();
            if (next == null) {
                LOG.info("closing listener {} (service {}): gone from master.cf", e.getKey(), now.serviceName());
                bound.remove(e.getKey());
                e.getValue().server().shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
                retire(now);
            } else if (next.settings().wrapperMode() != now.settings().wrapperMode()) {
                bound.remove(e.getKey()); // TLS from connect switched: the port is bound anew
                closing.add(e.getValue().server().close());
            }
        }
        return Future.all(closing).compose(v -> {
            List<Future<?>> work = new ArrayList<>();
            for (SmtpdListener l : listeners) {
                Bound b = bound.get(key(l));
                if (b != null) {
                    SmtpdListener old = b.listener().getAndSet(l);
                    if (old != l) retire(old);
                    if (l.settings().wrapperMode()) work.add(b.server().updateSSLOptions(l.tls().sslOptions()));
                } else {
                    work.add(bind(l));
                }
            }
            return Future.all(work).mapEmpty();
        });
    }

    private Future<NetServer> bind(SmtpdListener l) {
        AtomicReference<SmtpdListener> current = new AtomicReference<>(l);
        NetServer server = vertx.createNetServer(l.serverOptions()).connectHandler(so -> current.get().accept(so));
        return server.listen()
                .onSuccess(s -> bound.put(key(l), new Bound(s, current)))
                .recover(e -> Future.failedFuture(new java.io.IOException("cannot listen on " + l.host() + ":"
                        + l.port() + " (service " + l.serviceName() + "): " + e.getMessage(), e)));
    }

    /**
     * A listener replaced by a reload: sessions in progress still use its snapshot, so its
     * restriction lists (idle policy-service connections) close only after the shutdown grace.
     */
    private void retire(SmtpdListener old) {
        vertx.setTimer(Math.max(1, grace.toMillis()), t -> vertx.executeBlocking(() -> {
            old.restrictions().close();
            return null;
        }, false));
    }

    /** The grace period the next stop gives to sessions in progress. */
    public void grace(Duration grace) {
        this.grace = grace;
    }

    public List<SocketAddress> boundAddresses() {
        List<SocketAddress> out = new ArrayList<>();
        for (Bound b : bound.values()) {
            out.add(SocketAddress.inetSocketAddress(b.server().actualPort(), b.listener().get().host()));
        }
        return out;
    }

    @Override
    public Future<?> stop() {
        List<Future<Void>> closing = new ArrayList<>();
        for (Bound b : bound.values()) closing.add(b.server().shutdown(grace.toMillis(), TimeUnit.MILLISECONDS));
        return Future.join(closing);
    }
}
