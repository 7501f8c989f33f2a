// FilterChainTest: the chain's two ways to run a member -- here and now on the worker that read the
// message (inspectOnWorker), or through inspect under its time limit -- and that a member done on the
// worker is not run again, and counts as TEMPFAIL when it throws or overruns its limit.
package org.postern.filters;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.testkit.MutableClock;
import org.postern.testkit.SharedVertx;

class FilterChainTest {
    @RegisterExtension
    static final SharedVertx VERTX = new SharedVertx();
    private static final Duration LIMIT = Duration.ofSeconds(5);

    /** Counts its calls; answers {@code onWorker} from inspectOnWorker (null: not a worker filter). */
    private static final class Counting implements Filter {
        final String name;
        final Supplier<FilterResult> onWorker;
        final AtomicInteger inspected = new AtomicInteger();
        final AtomicInteger onWorkerCalls = new AtomicInteger();

        Counting(String name, Supplier<FilterResult> onWorker) {
            this.name = name;
            this.onWorker = onWorker;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Future<FilterResult> inspect(ScanMessage message) {
            inspected.incrementAndGet();
            return Future.succeededFuture(FilterResult.clean(name, Duration.ZERO));
        }

        @Override
        public FilterResult inspectOnWorker(ScanMessage message) {
            onWorkerCalls.incrementAndGet();
            return onWorker == null ? null : onWorker.get();
        }
    }

    private static ScanMessage message() {
        Envelope env = new Envelope(new QueueId("ABCDEF12345"), Instant.EPOCH,
                new ClientInfo("c.test", "192.0.2.7", 5000, "c.test", "ESMTP", null, null, null, null), "s@example.test",
                List.of(Recipient.of("r@example.test")), -1, Envelope.BodyType.SEVEN_BIT, false, null, null);
        byte[] content = "Subject: x\r\n\r\nbody\r\n".getBytes();
        return new ScanMessage(env, Path.of("/nonexistent"), 0, content.length, Buffer.buffer(content));
    }

    private static List<FilterResult> await(Future<List<FilterResult>> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aMemberDoneOnTheWorkerIsNotRunAgain() throws Exception {
        Counting network = new Counting("clamav", null);
        Counting walk = new Counting("attachments", () -> FilterResult.of("attachments", FilterResult.Kind.BANNED, "x.exe", Duration.ZERO));
        FilterChain chain = new FilterChain(VERTX.get(), List.of(new FilterChain.Member(network, LIMIT, false),
                new FilterChain.Member(walk, LIMIT, false)), Clock.systemUTC());
        ScanMessage m = message();

        List<FilterResult> early = chain.inspectOnWorker(m);
        assertThat(early).hasSize(2);
        assertThat(early.get(0)).isNull();
        assertThat(early.get(1).kind()).isEqualTo(FilterResult.Kind.BANNED);

        List<FilterResult> all = await(chain.inspect(m, early));
        assertThat(all).extracting(FilterResult::filter).containsExactly("clamav", "attachments");
        assertThat(all.get(1).kind()).isEqualTo(FilterResult.Kind.BANNED);
        assertThat(network.inspected).hasValue(1);
        assertThat(walk.inspected).as("not run a second time").hasValue(0);

        List<FilterResult> plain = await(chain.inspect(m));
        assertThat(plain.get(1).kind()).as("without early results every member runs as before").isEqualTo(FilterResult.Kind.CLEAN);
        assertThat(walk.inspected).hasValue(1);
    }

    @Test
    void aMemberThatThrowsOrOverrunsOnTheWorkerIsTempfail() {
        MutableClock clock = new MutableClock();
        Counting throwing = new Counting("a", () -> {
            throw new IllegalStateException("parser defect");
        });
        Counting slow = new Counting("b", () -> {
            clock.advance(LIMIT.plusMillis(1));
            return FilterResult.clean("b", Duration.ZERO);
        });
        Counting quick = new Counting("c", () -> {
            clock.advance(LIMIT);
            return FilterResult.clean("c", Duration.ZERO);
        });
        FilterChain chain = new FilterChain(VERTX.get(), List.of(new FilterChain.Member(throwing, LIMIT, false),
                new FilterChain.Member(slow, LIMIT, false), new FilterChain.Member(quick, LIMIT, false)), clock);

        List<FilterResult> early = chain.inspectOnWorker(message());
        assertThat(early.get(0).kind()).isEqualTo(FilterResult.Kind.TEMPFAIL);
        assertThat(early.get(0).detail()).contains("filter failed", "parser defect");
        assertThat(early.get(1).kind()).isEqualTo(FilterResult.Kind.TEMPFAIL);
        assertThat(early.get(1).detail()).isEqualTo("timed out after 5000 ms");
        assertThat(early.get(2).kind()).as("exactly at its limit").isEqualTo(FilterResult.Kind.CLEAN);
    }
}
