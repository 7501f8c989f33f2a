// ScanFixture: one Vert.x instance, worker pool and configuration directory shared by the attachment
// filter tests, plus the helpers that build an AttachmentFilter from main.cf overrides and run the
// blocking walk directly. Test support only.
package org.postern.filters.mime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.postern.filters.FilterResult;
import org.postern.policies.conf.Config;
import org.postern.policies.table.Tables;

final class ScanFixture {
    static final Vertx VERTX = Vertx.vertx();
    static final WorkerExecutor WORKERS = VERTX.createSharedWorkerExecutor("attachment-test", 2);
    static final Path DIR = tempDir();

    private ScanFixture() {}

    /** A filter with the built-in defaults plus {@code overrides} (as main.cf lines). */
    static AttachmentFilter filter(Map<String, String> overrides) throws Exception {
        Config config = Config.defaults(DIR).withOverrides(overrides);
        return new AttachmentFilter(WORKERS, AttachmentPolicy.fromConfig(config, new Tables(DIR)), Clock.systemUTC());
    }

    static FilterResult scan(byte[] message) throws Exception {
        return scan(filter(Map.of()), message);
    }

    /** The blocking walk, on the calling (test) thread. */
    static FilterResult scan(AttachmentFilter f, byte[] message) {
        return f.scan(new ByteArrayInputStream(message), Instant.now());
    }

    static void assertBanned(FilterResult r, String detail) {
        assertThat(r.kind()).as(r.toString()).isEqualTo(FilterResult.Kind.BANNED);
        assertThat(r.detail()).isEqualTo(detail);
        assertThat(r.filter()).isEqualTo("attachments");
    }

    private static Path tempDir() {
        try {
            Path d = Files.createTempDirectory("postern-attachments");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.walk(d)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // a leftover temp directory is harmless
                }
            }));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
