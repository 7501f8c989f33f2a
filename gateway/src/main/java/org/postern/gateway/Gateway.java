// Gateway: the running mail path of one Postern instance -- every smtpd listener declared in
// master.cf, the incoming queue behind them. Started and stopped by the appliance's postern command.
// Governed by master.cf services and main.cf (queue_directory, smtpd_*).
package org.postern.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import org.postern.policies.conf.Config;

/** A started gateway. Obtain one with {@link #start}; end it with {@link #stop}. */
public final class Gateway {
    private Gateway() {}

    /**
     * Opens the spool and binds every smtpd listener of {@code config.services()}. The future
     * completes once all listeners accept connections, or fails (nothing left bound) if any cannot.
     */
    public static Future<Gateway> start(Vertx vertx, Config config) {
        return Future.failedFuture(new UnsupportedOperationException("not built yet"));
    }

    /** Addresses actually bound (port 0 in master.cf becomes the real port). */
    public List<SocketAddress> listening() {
        return List.of();
    }

    /** Stops accepting; sessions in progress may finish until {@code grace} runs out, then are closed with 421. */
    public Future<Void> stop(Duration grace) {
        return Future.succeededFuture();
    }
}
