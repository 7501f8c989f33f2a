// QueueSpaceTest: smtpd's queue_minfree check with an injected free-space source and clock -- Postfix's rules
// (queue_minfree, 1.5 x message_size_limit, a declared SIZE=), the measurement on a worker thread, reused for a
// second (moved by the clock, never by sleeping), shared by concurrent callers, and never cached when it failed.
package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postern.testkit.MutableClock;
import org.postern.testkit.SharedVertx;

class QueueSpaceTest {
    @RegisterExtension
    static final SharedVertx VERTX = new SharedVertx();

    private final MutableClock clock = new MutableClock();
    private final AtomicLong free = new AtomicLong(5_000_000);
    private final AtomicInteger measurements = new AtomicInteger();
    private final List<Boolean> onEventLoop = new CopyOnWriteArrayList<>();

    private QueueSpace space(QueueSpace.Source source) {
        return new QueueSpace(VERTX.get(), clock, source);
    }

    private QueueSpace space() {
        return space(() -> {
            measurements.incrementAndGet();
            onEventLoop.add(Context.isOnEventLoopThread());
            return free.get();
        });
    }

    private static long await(Future<Long> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void refusedAsPostfixDoes() {
        // nothing configured (queue_minfree 0, no size limit): only a full file system
        assertThat(QueueSpace.shortage(0, 0, 0, -1)).isEqualTo("not enough free space in mail queue: 0 bytes < 1.5*message size limit");
        assertThat(QueueSpace.shortage(1, 0, 0, -1)).isNull();
        // queue_minfree: more than it must be free
        assertThat(QueueSpace.shortage(1_000_000, 1_000_000, 0, -1))
                .isEqualTo("not enough free space in mail queue: 1000000 bytes, queue_minfree = 1000000");
        assertThat(QueueSpace.shortage(1_000_001, 1_000_000, 0, -1)).isNull();
        // 1.5 x message_size_limit, whichever is larger
        assertThat(QueueSpace.shortage(1_500_000, 0, 1_000_000, -1))
                .isEqualTo("not enough free space in mail queue: 1500000 bytes < 1.5*message size limit");
        assertThat(QueueSpace.shortage(1_500_001, 0, 1_000_000, -1)).isNull();
        assertThat(QueueSpace.shortage(1_500_001, 2_000_000, 1_000_000, -1)).contains("queue_minfree = 2000000");
        // a declared SIZE must leave more than queue_minfree
        assertThat(QueueSpace.shortage(10_000, 2_000, 0, 8_000))
                .isEqualTo("not enough free space in mail queue: 10000 bytes, queue_minfree = 2000, SIZE=8000");
        assertThat(QueueSpace.shortage(10_000, 2_000, 0, 7_999)).isNull();
        assertThat(QueueSpace.shortage(10_000, 0, 0, 0)).isNull(); // SIZE=0: unknown, as Postfix
        assertThat(QueueSpace.shortage(Long.MAX_VALUE, 0, Long.MAX_VALUE / 2, Long.MAX_VALUE / 2)).isNull();
    }

    @Test
    void measuredOnAWorkerAndReusedForASecond() throws Exception {
        QueueSpace q = space();
        assertThat(await(q.usable())).isEqualTo(5_000_000);
        free.set(10);
        assertThat(await(q.usable())).isEqualTo(5_000_000);
        clock.advance(Duration.ofMillis(999));
        assertThat(await(q.usable())).isEqualTo(5_000_000);
        assertThat(measurements).hasValue(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(await(q.usable())).isEqualTo(10);
        clock.advance(Duration.ofSeconds(-5)); // the clock stepped back: measure again, never trust the old answer longer
        free.set(20);
        assertThat(await(q.usable())).isEqualTo(20);
        assertThat(measurements).hasValue(3);
        assertThat(onEventLoop).containsOnly(false); // statvfs blocks: never on an event loop (invariant 4)
    }

    @Test
    void concurrentCallersShareOneMeasurement() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        QueueSpace q = space(() -> {
            measurements.incrementAndGet();
            try {
                if (!release.await(10, TimeUnit.SECONDS)) throw new IOException("not released");
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            return 42L;
        });
        Future<Long> first = q.usable();
        Future<Long> second = q.usable();
        release.countDown();
        assertThat(await(first)).isEqualTo(42);
        assertThat(await(second)).isEqualTo(42);
        assertThat(measurements).hasValue(1);
    }

    @Test
    void aFailedMeasurementIsNotKept() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        QueueSpace q = space(() -> {
            if (calls.incrementAndGet() == 1) throw new IOException("statvfs: No such file or directory");
            return 7L;
        });
        assertThatThrownBy(() -> await(q.usable())).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("No such file or directory");
        assertThat(await(q.usable())).isEqualTo(7); // at once, not a second later
        assertThat(calls).hasValue(2);
    }
}
