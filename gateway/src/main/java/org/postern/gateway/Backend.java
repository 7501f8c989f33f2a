// Backend: the stages behind the incoming queue -- vscan (incoming -> active), qmgr (active/deferred ->
// delivery) with its transport, router and bounce sink -- built from main.cf and started when master.cf
// lists the qmgr service (as Postfix's master runs qmgr). Governed by relayhost, transport_maps, vscan_*.
package org.postern.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import org.postern.gateway.qmgr.BounceSink;
import org.postern.gateway.qmgr.Qmgr;
import org.postern.gateway.qmgr.QmgrSettings;
import org.postern.gateway.qmgr.QueueCommands;
import org.postern.gateway.qmgr.Router;
import org.postern.gateway.qmgr.StaticRouter;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.Destination;
import org.postern.gateway.smtp.SmtpSettings;
import org.postern.gateway.smtp.SmtpTransport;
import org.postern.gateway.vscan.VscanStage;
import org.postern.policies.conf.Config;

/** The started backend; {@link #stop} ends vscan first, then the deliveries in flight. */
final class Backend {
    private final SmtpTransport transport;
    private final Qmgr qmgr;
    private final VscanStage vscan;
    private final ControlSocket control;

    private Backend(SmtpTransport transport, Qmgr qmgr, VscanStage vscan, ControlSocket control) {
        this.transport = transport;
        this.qmgr = qmgr;
        this.vscan = vscan;
        this.control = control;
    }

    /** Builds and starts the stages, and has {@code queue} tell them of each commit. Blocking parts run on workers. */
    static Future<Backend> start(Vertx vertx, Config config, Spool spool, IncomingQueue queue, Clock clock) {
        SmtpTransport transport = new SmtpTransport(vertx, SmtpSettings.fromConfig(config), clock);
        Router router = router(config);
        Qmgr qmgr = new Qmgr(vertx, spool, transport, router, BounceSink.NONE, QmgrSettings.fromConfig(config), clock);
        VscanStage vscan = new VscanStage(vertx, spool, VscanStage.Inspector.PASS, qmgr::wakeup,
                config.getInt("vscan_concurrency"), clock);
        queue.onCommit((id, q) -> {
            if (q == QueueName.INCOMING) vscan.wakeup();
            else if (q == QueueName.ACTIVE) qmgr.wakeup();
        });
        return qmgr.start().compose(v -> vscan.start())
                .compose(v -> vertx.executeBlocking(() -> ControlSocket.open(spool.root(), new QueueCommands(spool, qmgr), qmgr), false))
                .map(control -> new Backend(transport, qmgr, vscan, control));
    }

    private static Router router(Config config) {
        String relayhost = config.get("relayhost").strip();
        return new StaticRouter(relayhost.isEmpty() ? null : Destination.parse("smtp", relayhost), java.util.Map.of());
    }

    Future<Void> stop() {
        control.close();
        return vscan.stop().eventually(qmgr::stop).eventually(transport::close);
    }
}
