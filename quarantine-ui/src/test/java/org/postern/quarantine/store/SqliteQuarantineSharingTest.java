// SqliteQuarantineSharingTest: one quarantine opened twice, as by the running gateway and the `postern
// quarantine` CLI -- both migrate a new database at once, write concurrently (WAL, busy_timeout, one
// writer) and see each other's changes; reopening runs the migrations again without losing entries.
package org.postern.quarantine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.quarantine.store.QuarantineFixtures.LIFETIME;
import static org.postern.quarantine.store.QuarantineFixtures.await;
import static org.postern.quarantine.store.QuarantineFixtures.bytes;
import static org.postern.quarantine.store.QuarantineFixtures.infected;
import static org.postern.quarantine.store.QuarantineFixtures.spam;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.MutableClock;

class SqliteQuarantineSharingTest {
    @TempDir
    Path root;
    Path directory;
    Path database;
    Vertx gatewayVertx;
    Vertx cliVertx;
    MutableClock clock = new MutableClock();

    @BeforeEach
    void setUp() {
        directory = root.resolve("quarantine");
        database = root.resolve("quarantine.db");
        gatewayVertx = Vertx.vertx();
        cliVertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        await(gatewayVertx.close());
        await(cliVertx.close());
    }

    @Test
    void twoStoresOnTheSameFilesMigrateWriteAndSeeEachOther() throws Exception {
        Future<SqliteQuarantine> g = SqliteQuarantine.open(gatewayVertx, directory, database, LIFETIME, clock);
        Future<SqliteQuarantine> c = SqliteQuarantine.open(cliVertx, directory, database, LIFETIME, clock);
        SqliteQuarantine gateway = await(g);
        SqliteQuarantine cli = await(c);
        try {
            assertThat(pragma("journal_mode")).isEqualTo("wal");
            List<Future<String>> writes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                writes.add(gateway.quarantine(infected("g" + i + "@example.org"), bytes(new byte[] {(byte) i})));
                writes.add(cli.quarantine(spam(i, "c" + i + "@example.org"), bytes(new byte[] {(byte) i})));
            }
            Set<String> ids = new HashSet<>();
            for (Future<String> w : writes) ids.add(await(w));
            assertThat(ids).hasSize(40);
            assertThat(await(cli.list(Query.all()))).hasSize(40);
            assertThat(await(gateway.list(Query.all()))).hasSize(40);

            String id = await(gateway.quarantine(infected("a@example.org"), bytes(new byte[] {1})));
            Release r = await(cli.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"));
            await(cli.completeRelease(id, r.copy()));
            await(cli.releaseSent(id, r.copy()));
            assertThat(await(gateway.find(id)).orElseThrow().recipients().get(0).state()).isEqualTo(RecipientState.RELEASED);
            assertThat(await(gateway.delete(id, Optional.empty()))).isTrue();
            assertThat(await(cli.find(id))).isEmpty();
        } finally {
            await(gateway.close());
            await(cli.close());
        }
    }

    @Test
    void storesOpeningANewDatabaseAtOnceAllSucceed() throws Exception {
        Vertx[] vertxes = {gatewayVertx, cliVertx, Vertx.vertx(), Vertx.vertx()};
        try {
            for (int round = 0; round < 10; round++) {
                Path dir = root.resolve("round" + round);
                List<Future<SqliteQuarantine>> opens = new ArrayList<>();
                for (Vertx v : vertxes) {
                    opens.add(SqliteQuarantine.open(v, dir.resolve("quarantine"), dir.resolve("quarantine.db"), LIFETIME, clock));
                }
                for (Future<SqliteQuarantine> open : opens) await(await(open).close());
            }
        } finally {
            await(vertxes[2].close());
            await(vertxes[3].close());
        }
    }

    @Test
    void aStoreOpenedInOneVertxTwiceSharesItsWorkersSafely() throws Exception {
        SqliteQuarantine one = await(SqliteQuarantine.open(gatewayVertx, directory, database, LIFETIME, clock));
        SqliteQuarantine two = await(SqliteQuarantine.open(gatewayVertx, directory, database, LIFETIME, clock));
        String id = await(one.quarantine(infected("a@example.org"), bytes(new byte[] {1})));
        await(one.close());
        assertThat(await(two.find(id))).isPresent(); // closing one did not stop the other's workers
        await(two.close());
    }

    @Test
    void reopeningAnExistingDatabaseKeepsItsEntries() throws Exception {
        SqliteQuarantine first = await(SqliteQuarantine.open(gatewayVertx, directory, database, LIFETIME, clock));
        String id = await(first.quarantine(infected("a@example.org", "b@example.org"), bytes(new byte[] {1, 2, 3})));
        await(first.delete(id, Optional.of("b@example.org"), "admin"));
        Entry before = await(first.find(id)).orElseThrow();
        await(first.close());

        SqliteQuarantine second = await(SqliteQuarantine.open(gatewayVertx, directory, database, LIFETIME, clock));
        try {
            assertThat(await(second.find(id))).contains(before);
            assertThat(Files.readAllBytes(directory.resolve(id))).containsExactly(1, 2, 3);
            assertThat(query("SELECT count(*) FROM flyway_schema_history WHERE success = 1 AND version IS NOT NULL"))
                    .isEqualTo("2"); // V1 and V2, each applied once
        } finally {
            await(second.close());
        }
    }

    private String pragma(String name) throws Exception {
        return query("PRAGMA " + name);
    }

    private String query(String sql) throws Exception {
        try (Connection c = IndexDatabase.dataSource(database).getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
