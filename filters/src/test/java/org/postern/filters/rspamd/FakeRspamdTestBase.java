// FakeRspamdTestBase: what the RspamdFilter unit tests share -- one Vert.x, a scripted rspamd reply,
// FakeRspamds and RspamdFilters that are closed after each test, and a bounded wait for futures.
// Test support only.
package org.postern.filters.rspamd;

import io.vertx.core.Future;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.MutableClock;
import org.postern.testkit.SharedVertx;

abstract class FakeRspamdTestBase {
    static final String REPLY = """
            {"is_skipped":false,"score":6.2,"required_score":15.0,"action":"add header",
             "symbols":{"R_A":{"name":"R_A","score":0.5,"metric_score":0.5,"description":"a"},
                        "R_B":{"name":"R_B","score":5.7,"options":["x","y"]}},
             "messages":{"smtp_message":"hello"},"message-id":"1@example.org","time_real":0.05,
             "milter":{"add_headers":{"X-Spam-Status":{"value":"Yes, score=6.2","order":0}},
                       "remove_headers":{"X-Spam":0}}}""";

    @RegisterExtension
    static final SharedVertx VERTX = new SharedVertx();
    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock();
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) c.close();
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }

    FakeRspamd fake() {
        FakeRspamd f = FakeRspamd.start(VERTX.get());
        toClose.add(f);
        return f;
    }

    RspamdFilter filter(String url, Duration timeout, String password) {
        RspamdFilter f = new RspamdFilter(VERTX.get(), URI.create(url), timeout, password, clock);
        toClose.add(() -> await(f.close()));
        return f;
    }

    RspamdFilter filter(FakeRspamd fake) {
        return filter(fake.url(), Duration.ofSeconds(10), "");
    }
}
