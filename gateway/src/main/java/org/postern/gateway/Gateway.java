// Gateway: the running mail path of one Postern instance -- the spool, every smtpd listener that
// master.cf declares (served by one SmtpdVerticle) and, when master.cf lists qmgr, the Backend (vscan,
// qmgr, delivery). Started and stopped by the postern command. Governed by master.cf and main.cf.
package org.postern.gateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.postern.core.QuarantineStore;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtpd.SmtpdListener;
import org.postern.gateway.smtpd.SmtpdListeners;
import org.postern.gateway.smtpd.SmtpdVerticle;
import org.postern.gateway.vscan.VscanStage;
import org.postern.policies.conf.Config;
import org.postern.policies.dns.DnsResolver;
import org.postern.policies.restrict.RestrictionServices;

/** A started gateway. Obtain one with {@link #start}; end it with {@link #stop}. */
public final class Gateway {
    private final Vertx vertx;
    private final Clock clock;
    private final RestrictionServices services;
    private final IncomingQueue queue;
    private final List<SmtpdVerticle> verticles;
    private final String deploymentId;
    private final Backend backend;
    /** The backend's vscan stage, for before-queue and content-filter listeners; empty without a backend. */
    private final AtomicReference<VscanStage> vscan;
    private Future<Void> stopped;

    private Gateway(Vertx vertx, Clock clock, IncomingQueue queue, RestrictionServices services,
                    List<SmtpdVerticle> verticles, String deploymentId, Backend backend,
                    AtomicReference<VscanStage> vscan) {
        this.backend = backend;
        this.vscan = vscan;
        this.services = services;
        this.vertx = vertx;
        this.clock = clock;
        this.queue = queue;
        this.verticles = verticles;
        this.deploymentId = deploymentId;
    }

    /**
     * Opens the spool and binds every smtpd listener of {@code config.services()}. The future
     * completes once all listeners accept connections, or fails (nothing left bound) if any cannot.
     */
    public static Future<Gateway> start(Vertx vertx, Config config) {
        return start(vertx, config, Clock.systemDefaultZone());
    }

    public static Future<Gateway> start(Vertx vertx, Config config, Clock clock) {
        return start(vertx, config, clock, null);
    }

    /**
     * As {@link #start(Vertx, Config, Clock)}, with the quarantine the vscan stage puts mail into (the
     * appliance passes the SQLite store); null: mail that policy quarantines waits in incoming/.
     */
    public static Future<Gateway> start(Vertx vertx, Config config, Clock clock, QuarantineStore quarantine) {
        // Listeners are built before the backend starts; they reach its vscan stage through this reference,
        // set before any port is bound.
        AtomicReference<VscanStage> vscan = new AtomicReference<>();
        return vertx.executeBlocking(() -> {
            Spool spool = Spool.open(config.configDir().resolve(config.get("queue_directory")));
            IncomingQueue queue = new IncomingQueue(vertx, spool, clock);
            DnsResolver dns = Resolvers.fromConfig(config, clock);
            RestrictionServices services = RestrictionServices.create(16);
            return new Prepared(spool, queue, services,
                    SmtpdListeners.build(vertx, config, queue, clock, dns, services, vscan::get), vscan);
        }, false).compose(p -> (config.lists("qmgr")
                ? Backend.start(vertx, config, p.spool(), p.queue(), quarantine, clock) : Future.<Backend>succeededFuture(null))
                .compose(backend -> {
                    if (backend != null) vscan.set(backend.vscan());
                    return listen(vertx, clock, p, backend);
                }));
    }

    private static Future<Gateway> listen(Vertx vertx, Clock clock, Prepared p, Backend backend) {
        List<SmtpdVerticle> verticles = new CopyOnWriteArrayList<>();
        // One instance: Vert.x 5.0.8 gives sockets accepted by the other instances of a shared-port
        // NetServer no SSL context manager, so STARTTLS fails there (NullPointerException in
        // NetSocketImpl.sslUpgrade). Disk, fsync and password hashing already run on workers.
        int instances = 1;
        return vertx.deployVerticle(() -> {
            SmtpdVerticle v = new SmtpdVerticle(p.listeners());
            verticles.add(v);
            return v;
        }, new DeploymentOptions().setInstances(instances))
                .map(id -> new Gateway(vertx, clock, p.queue(), p.services(), verticles, id, backend, p.vscan()))
                .recover(e -> (backend == null ? Future.<Void>succeededFuture() : backend.stop())
                        .eventually(() -> p.queue().close()).transform(x -> Future.failedFuture(e)));
    }

    private record Prepared(Spool spool, IncomingQueue queue, RestrictionServices services,
                            List<SmtpdListener> listeners, AtomicReference<VscanStage> vscan) {}

    /**
     * Makes a new configuration snapshot current (postern reload, SIGHUP): listener settings, TLS
     * material and password files are read anew; sessions in progress finish on the old snapshot;
     * new master.cf ports are bound, removed ones closed gracefully; the backend routes and scans by the
     * new snapshot (Backend.reload). If anything fails (a TLS file, a table, a port), the future fails and
     * the old snapshot stays in force. queue_directory and the qmgr line are read only at start.
     */
    public Future<Void> reload(Config config) {
        return vertx.executeBlocking(() -> {
                    return SmtpdListeners.build(vertx, config, queue, clock, Resolvers.fromConfig(config, clock), services,
                            vscan::get);
                }, false)
                .compose(listeners -> (backend == null ? Future.<Void>succeededFuture() : backend.reload(vertx, config, queue))
                        .compose(v -> Future.all(verticles.stream().map(vt -> vt.reload(listeners)).toList())))
                .mapEmpty();
    }

    /**
     * postern check for the backend (when master.cf lists qmgr): routing tables, delivery and content-filter
     * settings and their tables, each problem naming file:line. Blocking; starts nothing.
     */
    public static List<String> checkBackend(Config config) {
        return config.lists("qmgr") ? Backend.check(config) : List.of();
    }

    /** Addresses actually bound (port 0 in master.cf becomes the real port). */
    public List<SocketAddress> listening() {
        return verticles.isEmpty() ? List.of() : new ArrayList<>(verticles.get(0).boundAddresses());
    }

    /** Stops accepting; sessions in progress may finish until {@code grace} runs out, then are closed. */
    public synchronized Future<Void> stop(Duration grace) {
        if (stopped == null) {
            verticles.forEach(v -> v.grace(grace));
            stopped = vertx.undeploy(deploymentId)
                    .eventually(() -> backend == null ? Future.succeededFuture() : backend.stop())
                    .eventually(() -> queue.close())
                    .eventually(() -> vertx.executeBlocking(() -> {
                        services.close(); // policy-service connections and their threads
                        return null;
                    }, false)).mapEmpty();
        }
        return stopped;
    }
}
