// FilterChain: runs the configured filters (clamav, rspamd, attachments) on one message concurrently,
// each under its own time limit (vscan_clamd_timeout, vscan_rspamd_timeout); a filter that fails or
// overruns counts as TEMPFAIL, never as clean. First step of the vscan stage.
package org.postern.filters;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Immutable; safe to share. */
public final class FilterChain {
    /** One filter with its time limit and whether its outage lets mail through (vscan_*_fail_open). */
    public record Member(Filter filter, Duration timeout, boolean failOpen) {
        public Member {
            Objects.requireNonNull(filter, "filter");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    private final Vertx vertx;
    private final List<Member> members;
    private final Clock clock;

    public FilterChain(Vertx vertx, List<Member> members, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.members = List.copyOf(members);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Closes every member's filter (after a reload, once inspections in flight have had their time). */
    public Future<Void> close() {
        return Future.join(members.stream().map(m -> m.filter().close()).toList()).mapEmpty();
    }

    /** The longest time limit of a member: how long an inspection in flight may still use the filters. */
    public java.time.Duration longestTimeout() {
        return members.stream().map(Member::timeout).max(java.time.Duration::compareTo).orElse(java.time.Duration.ZERO);
    }

    public List<Member> members() {
        return members;
    }

    /** Every filter's result, in member order; the future always succeeds. */
    public Future<List<FilterResult>> inspect(ScanMessage message) {
        return inspect(message, null);
    }

    /**
     * On the worker thread that read {@code message}: the results of the members that work here and now
     * ({@link Filter#inspectOnWorker}), in member order, null for the others. A member over its time limit
     * here counts as TEMPFAIL, as it would through {@link #inspect}. Blocking.
     */
    public List<FilterResult> inspectOnWorker(ScanMessage message) {
        List<FilterResult> out = new ArrayList<>(members.size());
        for (Member m : members) {
            Instant start = clock.instant();
            FilterResult r;
            try {
                r = m.filter().inspectOnWorker(message);
            } catch (RuntimeException e) {
                r = failed(m, e, start);
            }
            if (r != null && elapsed(start).compareTo(m.timeout()) > 0) r = timedOut(m, start);
            out.add(r);
        }
        return out;
    }

    /**
     * As {@link #inspect(ScanMessage)}, taking the results {@link #inspectOnWorker} already has (null: none)
     * instead of running those members again.
     */
    public Future<List<FilterResult>> inspect(ScanMessage message, List<FilterResult> early) {
        if (early != null && early.size() != members.size()) {
            throw new IllegalArgumentException(early.size() + " early results for " + members.size() + " filters");
        }
        List<Future<FilterResult>> all = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            FilterResult done = early == null ? null : early.get(i);
            all.add(done != null ? Future.succeededFuture(done) : limited(members.get(i), message));
        }
        return Future.join(all).transform(ar -> {
            List<FilterResult> out = new ArrayList<>();
            for (Future<FilterResult> f : all) out.add(f.result());
            return Future.succeededFuture(out);
        });
    }

    private Future<FilterResult> limited(Member m, ScanMessage message) {
        Instant start = clock.instant();
        Promise<FilterResult> p = Promise.promise();
        long timer = vertx.setTimer(Math.max(1, m.timeout().toMillis()), t -> p.tryComplete(timedOut(m, start)));
        Future<FilterResult> f;
        try {
            f = m.filter().inspect(message);
        } catch (RuntimeException e) {
            f = Future.failedFuture(e);
        }
        f.onComplete(ar -> {
            vertx.cancelTimer(timer);
            p.tryComplete(ar.succeeded() && ar.result() != null ? ar.result()
                    : failed(m, ar.failed() ? ar.cause() : "no result", start));
        });
        return p.future();
    }

    /** A member that threw or gave no result counts as TEMPFAIL, never as clean. */
    private FilterResult failed(Member m, Object why, Instant start) {
        return FilterResult.tempfail(m.filter().name(), "filter failed: " + why, elapsed(start));
    }

    private FilterResult timedOut(Member m, Instant start) {
        return FilterResult.tempfail(m.filter().name(), "timed out after " + m.timeout().toMillis() + " ms", elapsed(start));
    }

    private Duration elapsed(Instant start) {
        return Duration.between(start, clock.instant());
    }
}
