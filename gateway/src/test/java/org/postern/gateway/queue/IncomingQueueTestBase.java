// IncomingQueueTestBase: what the IncomingQueue tests share -- a spool in a temporary directory, the
// queue over it with hooks that record, fail or block on request, and the check after each test that
// no file I/O ran on an event loop. Test support only.
package org.postern.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.gateway.queue.QueueFixtures.await;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.QueueId;

abstract class IncomingQueueTestBase {
    @TempDir
    Path root;
    Vertx vertx;
    Spool spool;
    IncomingQueue queue;
    final TestHooks hooks = new TestHooks();

    /** Hooks that record, fail or block on request, and check they never run on an event loop. */
    static final class TestHooks implements IncomingQueue.Hooks {
        final List<Integer> writes = new CopyOnWriteArrayList<>();
        final AtomicBoolean onEventLoop = new AtomicBoolean();
        volatile IOException failWrite, failFileSync, failDirectorySync;
        volatile CountDownLatch dirSyncEntered, dirSyncRelease;

        @Override
        public void beforeWrite(QueueId id, int length) throws IOException {
            check();
            writes.add(length);
            if (failWrite != null) throw failWrite;
        }

        @Override
        public void beforeFileSync(QueueId id) throws IOException {
            check();
            if (failFileSync != null) throw failFileSync;
        }

        @Override
        public void beforeDirectorySync(List<QueueId> batch) throws IOException {
            check();
            if (dirSyncEntered != null) dirSyncEntered.countDown();
            if (dirSyncRelease != null) {
                try {
                    if (!dirSyncRelease.await(60, TimeUnit.SECONDS)) throw new IOException("test never released");
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            if (failDirectorySync != null) throw failDirectorySync;
        }

        private void check() {
            if (Context.isOnEventLoopThread()) onEventLoop.set(true);
        }
    }

    @BeforeEach
    void open() throws IOException {
        vertx = Vertx.vertx();
        spool = Spool.open(root);
        queue = new IncomingQueue(vertx, spool, Clock.systemUTC(), hooks);
    }

    @AfterEach
    void close() throws Exception {
        await(queue.close());
        await(vertx.close());
        assertThat(hooks.onEventLoop).as("file I/O on an event loop").isFalse();
    }

    QueueWriter writer() throws Exception {
        return await(queue.create(queue.newQueueId()));
    }
}
