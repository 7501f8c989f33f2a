// FakeClamdTestBase: what the ClamdFilter unit tests share -- one Vert.x, a FakeClamd on a free port,
// ClamdFilters aimed at it (with or without the session cache), everything closed after each test.
// Test support only.
package org.postern.filters.clamav;

import static org.postern.filters.clamav.ScanMessages.await;

import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.FreePort;
import org.postern.testkit.MutableClock;
import org.postern.testkit.SharedVertx;

abstract class FakeClamdTestBase {
    @RegisterExtension
    static final SharedVertx VERTX = new SharedVertx();
    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    /** Where {@link #filter} connects: the last fake's port, or a port nothing listens on. */
    int fakePort;


    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) c.close();
    }

    FakeClamd fake(FakeClamd.Script script) throws Exception {
        int port = FreePort.next();
        FakeClamd f = FakeClamd.start(VERTX.get(), SocketAddress.inetSocketAddress(port, "127.0.0.1"), script);
        toClose.add(f);
        fakePort = port;
        return f;
    }

    /** A filter at the fake, closed after the test; {@code cacheTimeLimit} zero: a connection per message. */
    ClamdFilter filter(Duration timeout, Duration cacheTimeLimit) {
        ClamdFilter f = new ClamdFilter(VERTX.get(), ClamdAddress.inet("127.0.0.1", fakePort), timeout, cacheTimeLimit, clock);
        closeAfter(() -> await(f.close()));
        return f;
    }

    void closeAfter(AutoCloseable c) {
        toClose.add(c);
    }
}
