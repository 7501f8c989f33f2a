// RestrictionServices: what restrictions need besides DNS to stay off the event loop -- a named
// worker pool for policy-server socket I/O (check_policy_service), a timer for I/O time limits and
// "sleep N", and the Clock for connection idle/TTL limits. Injected so tests control time.
package org.postern.policies.restrict;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The executors and time sources of one SmtpdRestrictions; {@link #close()} stops those it created. */
public final class RestrictionServices implements AutoCloseable {

    /** A non-blocking pause: "sleep N" and the policy retry delay. */
    @FunctionalInterface
    public interface Delay {
        CompletionStage<Void> after(Duration d);
    }

    private final ExecutorService blockingIo;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Delay delay;
    private final boolean owned;

    /**
     * @param blockingIo where blocking socket I/O with policy servers runs (never an event loop)
     * @param timer      fires I/O time limits
     * @param clock      policy connection idle and TTL limits
     * @param delay      pauses; null: {@code timer}-based
     */
    public RestrictionServices(ExecutorService blockingIo, ScheduledExecutorService timer, Clock clock, Delay delay) {
        this(blockingIo, timer, clock, delay, false);
    }

    private RestrictionServices(ExecutorService blockingIo, ScheduledExecutorService timer, Clock clock, Delay delay,
                                boolean owned) {
        this.blockingIo = Objects.requireNonNull(blockingIo, "blockingIo");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.delay = delay != null ? delay : d -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            timer.schedule(() -> f.complete(null), Math.max(0, d.toMillis()), TimeUnit.MILLISECONDS);
            return f;
        };
        this.owned = owned;
    }

    /**
     * Daemon threads "postern-policy-io-N" (at most {@code ioThreads}, idle ones exit after 60 s) and
     * one "postern-restrict-timer"; the system clock.
     */
    public static RestrictionServices create(int ioThreads) {
        ThreadPoolExecutor io = new ThreadPoolExecutor(ioThreads, ioThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), named("postern-policy-io-"));
        io.allowCoreThreadTimeOut(true);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(named("postern-restrict-timer-"));
        return new RestrictionServices(io, timer, Clock.systemUTC(), null, true);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    ExecutorService blockingIo() {
        return blockingIo;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    Clock clock() {
        return clock;
    }

    Delay delay() {
        return delay;
    }

    /** Stops the executors made by {@link #create}; injected ones are the caller's to stop. */
    @Override
    public void close() {
        if (!owned) return;
        blockingIo.shutdownNow();
        timer.shutdownNow();
    }
}
