// SharedVertx: one Vert.x instance for all tests of a class, started before the first and closed after
// the last (a JUnit 5 extension: @RegisterExtension static final SharedVertx VERTX = new SharedVertx()).
// Test support only.
package org.postern.testkit;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

public final class SharedVertx implements BeforeAllCallback, AfterAllCallback {
    private volatile Vertx vertx;

    /** The running instance; only between the class's first and last test. */
    public Vertx get() {
        Vertx v = vertx;
        if (v == null) throw new IllegalStateException("Vert.x is not running (register SharedVertx as a static extension)");
        return v;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        vertx = Vertx.vertx();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Vertx v = vertx;
        vertx = null;
        if (v != null) v.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
