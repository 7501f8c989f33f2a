// SqliteQuarantineProcessTest: the quarantine shared by separate processes, as the gateway and the
// `postern quarantine` CLI share it -- child JVMs (QuarantineChild) migrate one new database at once,
// write to it concurrently and race to release the same messages: each message is claimed exactly once.
package org.postern.quarantine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.quarantine.store.QuarantineFixtures.LIFETIME;
import static org.postern.quarantine.store.QuarantineFixtures.await;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.MutableClock;

class SqliteQuarantineProcessTest {
    static final int PROCESSES = 2;
    static final int EACH = 25;

    @TempDir
    Path root;

    @Test
    void processesSharingOneDatabaseClaimEachMessageExactlyOnce() throws Exception {
        Path directory = root.resolve("quarantine");
        Path database = root.resolve("quarantine.db");
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            children.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-cp", System.getProperty("java.class.path"), QuarantineChild.class.getName(),
                    directory.toString(), database.toString(), String.valueOf(EACH), String.valueOf(PROCESSES * EACH), i % 2 == 0 ? "oldest" : "reverse")
                    .redirectErrorStream(true).redirectOutput(root.resolve("child" + i + ".out").toFile()).start());
        }
        List<Integer> wins = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            Process child = children.get(i);
            if (!child.waitFor(120, TimeUnit.SECONDS)) child.destroyForcibly();
            String out = Files.readString(root.resolve("child" + i + ".out"), StandardCharsets.UTF_8);
            assertThat(child.exitValue()).as(out).isZero();
            String line = out.lines().filter(l -> l.startsWith(QuarantineChild.WINS)).findFirst().orElseThrow();
            wins.add(Integer.parseInt(line.substring(QuarantineChild.WINS.length()).trim()));
        }

        System.out.println("claims won per process: " + wins);
        assertThat(wins.stream().mapToInt(Integer::intValue).sum()).isEqualTo(PROCESSES * EACH);
        Vertx vertx = Vertx.vertx();
        try {
            SqliteQuarantine store = await(SqliteQuarantine.open(vertx, directory, database, LIFETIME, new MutableClock()));
            List<Entry> all = await(store.list(Query.all()));
            assertThat(all).hasSize(PROCESSES * EACH);
            assertThat(all).allSatisfy(e -> assertThat(e.recipients().get(0).state()).isEqualTo(RecipientState.RELEASING));
            await(store.close());
        } finally {
            await(vertx.close());
        }
    }
}
