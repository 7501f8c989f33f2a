// QuarantineChild: a second process on the same quarantine, for SqliteQuarantineProcessTest -- opens (and
// so migrates) the store, quarantines its share of messages, waits until the other processes' are there
// too, then tries to release every message (from the newest or the oldest, so processes meet midway) and
// prints how many claims it won.
package org.postern.quarantine.store;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

final class QuarantineChild {
    static final String WINS = "WINS ";

    private QuarantineChild() {}

    /** Arguments: directory, database, messages to quarantine, messages expected in all, "reverse" to claim newest first. */
    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        Path database = Path.of(args[1]);
        int mine = Integer.parseInt(args[2]);
        int all = Integer.parseInt(args[3]);
        Vertx vertx = Vertx.vertx();
        int wins = 0;
        try {
            SqliteQuarantine store = get(SqliteQuarantine.open(vertx, directory, database, Duration.ofDays(1), Clock.systemUTC()));
            for (int i = 0; i < mine; i++) {
                get(store.quarantine(QuarantineFixtures.infected("p" + ProcessHandle.current().pid() + "." + i + "@example.org"),
                        QuarantineFixtures.bytes(new byte[] {(byte) i})));
            }
            // the other process cannot tell us when it has written its share: wait, bounded, for the count
            org.postern.testkit.Await.until(all + " messages from both processes", Duration.ofSeconds(60),
                    () -> get(store.list(Query.all().withPage(Query.MAX_LIMIT, 0))).size() >= all);
            List<Entry> entries = get(store.list(Query.all().withPage(Query.MAX_LIMIT, 0)));
            if (args.length > 4 && args[4].equals("reverse")) {
                entries = new java.util.ArrayList<>(entries);
                java.util.Collections.reverse(entries);
            }
            for (Entry e : entries) {
                try {
                    get(store.beginRelease(e.id(), Optional.empty(), QuarantineFixtures.copy(), "admin"));
                    wins++;
                } catch (ExecutionException lost) {
                    if (!(lost.getCause() instanceof QuarantineRefusal)) throw lost;
                }
            }
            get(store.close());
        } finally {
            get(vertx.close());
        }
        System.out.println(WINS + wins);
        System.exit(0);
    }

    private static <T> T get(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
