// QuarantineSetup: opens the quarantine store main.cf describes (quarantine_directory, quarantine_database,
// quarantine_lifetime; relative paths from the configuration directory) for the gateway and for the
// `postern quarantine` command; every hour while the gateway runs, settles interrupted releases and purges.
package org.postern.appliance;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import org.postern.gateway.queue.Spool;
import org.postern.policies.conf.Config;
import org.postern.quarantine.store.SqliteQuarantine;
import org.slf4j.Logger;

final class QuarantineSetup {
    static final long PURGE_INTERVAL_MS = 3_600_000;

    private QuarantineSetup() {}

    static Future<SqliteQuarantine> open(Vertx vertx, Config config) {
        Path dir = config.configDir().toAbsolutePath().normalize();
        return SqliteQuarantine.open(vertx, dir.resolve(config.get("quarantine_directory").strip()).normalize(),
                dir.resolve(config.get("quarantine_database").strip()).normalize(), config.getTime("quarantine_lifetime"),
                Clock.systemUTC());
    }

    /** The spool of queue_directory, attached (a gateway may run): where releases stage and send their copies. */
    static Spool spool(Config config) throws java.io.IOException {
        return Spool.attach(config.configDir().toAbsolutePath().resolve(config.get("queue_directory").strip()).normalize());
    }

    /**
     * One purge: settles what interrupted releases left (StagedReleases), then removes what is older than
     * quarantine_lifetime. Completes with the number of messages removed.
     */
    static Future<Integer> purge(Vertx vertx, SqliteQuarantine store, Spool spool, Clock clock) {
        return new StagedReleases(vertx, store, spool, clock).settle().compose(settled -> store.purge());
    }

    /** Purges now and every hour; each purge that removed something is logged. */
    static void schedulePurge(Vertx vertx, SqliteQuarantine store, Config config, Logger log) {
        Future<Spool> spool = vertx.executeBlocking(() -> spool(config), false);
        Runnable purge = () -> spool.compose(s -> purge(vertx, store, s, Clock.systemUTC())).onComplete(ar -> {
            if (ar.failed()) log.warn("quarantine purge failed: {}", ar.cause().toString());
            else if (ar.result() > 0) log.info("quarantine: purged {} expired message(s)", ar.result());
        });
        purge.run();
        vertx.setPeriodic(PURGE_INTERVAL_MS, t -> purge.run());
    }
}
