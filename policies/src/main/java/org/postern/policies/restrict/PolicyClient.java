// PolicyClient: the client side of Postfix's policy delegation protocol for one check_policy_service
// target: name=value lines and an empty line out, the same back; connections reused within
// smtpd_policy_service_max_idle / max_ttl / request_limit; timeout and try_limit per request.
package org.postern.policies.restrict;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Thread-safe. Socket I/O is blocking but runs only on {@link RestrictionServices#blockingIo()}
 * (UNIX-domain sockets have no asynchronous channel in the JDK); a timer closes the socket when an
 * exchange outlives the timeout. Requests never complete exceptionally: failures are a {@link Reply}
 * with a problem, after which the caller uses the default action.
 */
final class PolicyClient implements AutoCloseable {
    private static final int MAX_REPLY = 64 * 1024;

    /** The server's attributes (action=... among them), or the problem that prevented an answer. */
    record Reply(Map<String, String> attributes, String problem) {
        boolean ok() {
            return problem == null;
        }
    }

    private static final class Conn {
        final SocketChannel channel;
        final Instant created;
        Instant lastUsed;
        int requests;

        Conn(SocketChannel channel, Instant created) {
            this.channel = channel;
            this.created = created;
            this.lastUsed = created;
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: nothing left to do
            }
        }
    }

    private final PolicySettings settings;
    private final RestrictionServices services;
    private final Deque<Conn> idle = new ArrayDeque<>();
    private boolean closed;

    PolicyClient(PolicySettings settings, RestrictionServices services) {
        this.settings = settings;
        this.services = services;
    }

    PolicySettings settings() {
        return settings;
    }

    /** Sends {@code request} (attribute lines ending in an empty line), with retries up to try_limit. */
    CompletionStage<Reply> request(String request) {
        return attempt(request, 1);
    }

    private CompletionStage<Reply> attempt(String request, int n) {
        CompletableFuture<Reply> result = new CompletableFuture<>();
        try {
            services.blockingIo().execute(() -> {
                try {
                    result.complete(exchange(request));
                } catch (RuntimeException e) {
                    result.complete(new Reply(Map.of(), e.toString()));
                }
            });
        } catch (RejectedExecutionException e) {
            result.complete(new Reply(Map.of(), "policy I/O workers are not running"));
        }
        return result.thenCompose(r -> {
            if (r.ok() || (settings.tryLimit() > 0 && n >= settings.tryLimit())) return CompletableFuture.completedFuture(r);
            return services.delay().after(settings.retryDelay()).thenCompose(x -> attempt(request, n + 1))
                    .thenApply(next -> next.ok() ? next : new Reply(Map.of(), r.problem() + "; then " + next.problem()));
        });
    }

    /** One request/response on a reused or new connection; blocking, on an I/O worker. */
    private Reply exchange(String request) {
        Conn c = borrow();
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> alarm = null;
        try {
            if (c == null) {
                SocketChannel ch = settings.unixPath() != null ? SocketChannel.open(StandardProtocolFamily.UNIX)
                        : SocketChannel.open();
                c = new Conn(ch, services.clock().instant());
            }
            Conn current = c;
            alarm = services.timer().schedule(() -> {
                timedOut.set(true);
                current.close();
            }, settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!c.channel.isConnected()) {
                c.channel.connect(settings.unixPath() != null ? settings.address()
                        : new InetSocketAddress(settings.host(), settings.port())); // resolves: on this worker only
            }
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) c.channel.write(out);
            Map<String, String> attributes = read(c.channel);
            c.requests++;
            c.lastUsed = services.clock().instant();
            if (!alarm.cancel(false) || timedOut.get()) return failed(c, "timeout after " + settings.timeout().toMillis() + " ms");
            giveBack(c);
            if (!attributes.containsKey("action")) return new Reply(attributes, "policy server reply without action=");
            return new Reply(attributes, null);
        } catch (IOException | UnresolvedAddressException e) {
            String why = timedOut.get() ? "timeout after " + settings.timeout().toMillis() + " ms" : e.toString();
            return failed(c, why);
        } finally {
            if (alarm != null) alarm.cancel(false);
        }
    }

    private static Reply failed(Conn c, String why) {
        if (c != null) c.close();
        return new Reply(Map.of(), why);
    }

    /** Attribute lines up to the empty line that ends the reply. */
    private static Map<String, String> read(SocketChannel ch) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        Map<String, String> attrs = new LinkedHashMap<>();
        ByteBuffer buf = ByteBuffer.allocate(1);
        int total = 0;
        while (true) {
            buf.clear();
            if (ch.read(buf) < 0) throw new IOException("connection closed by the policy server");
            byte b = buf.get(0);
            if (++total > MAX_REPLY) throw new IOException("policy server reply longer than " + MAX_REPLY + " bytes");
            if (b != '\n') {
                line.write(b);
                continue;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
            line.reset();
            if (text.isEmpty()) return attrs;
            int eq = text.indexOf('=');
            if (eq <= 0) throw new IOException("malformed policy server reply line: \"" + text + "\"");
            attrs.putIfAbsent(text.substring(0, eq), text.substring(eq + 1));
        }
    }

    /** An idle connection within max_idle and max_ttl whose peer has not hung up, or null. */
    private synchronized Conn borrow() {
        Instant now = services.clock().instant();
        while (!idle.isEmpty()) {
            Conn c = idle.pollFirst();
            if (expired(c, now) || !alive(c)) {
                c.close();
                continue;
            }
            return c;
        }
        return null;
    }

    private synchronized void giveBack(Conn c) {
        if (closed || (settings.requestLimit() > 0 && c.requests >= settings.requestLimit())
                || expired(c, services.clock().instant())) {
            c.close();
            return;
        }
        idle.addFirst(c);
        try {
            services.timer().schedule(this::sweep, settings.maxIdle().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // timer stopped: connections are checked again when borrowed
        }
    }

    private boolean expired(Conn c, Instant now) {
        return !now.isBefore(c.lastUsed.plus(settings.maxIdle())) || !now.isBefore(c.created.plus(settings.maxTtl()));
    }

    /** A non-blocking peek: an idle connection must have nothing to read and no EOF. */
    private static boolean alive(Conn c) {
        try {
            c.channel.configureBlocking(false);
            int n = c.channel.read(ByteBuffer.allocate(1));
            c.channel.configureBlocking(true);
            return n == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Closes idle connections past max_idle or max_ttl. */
    synchronized void sweep() {
        Instant now = services.clock().instant();
        idle.removeIf(c -> {
            if (!expired(c, now)) return false;
            c.close();
            return true;
        });
    }

    /** Idle connections now (for tests). */
    synchronized int idleConnections() {
        return idle.size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        idle.forEach(Conn::close);
        idle.clear();
    }
}
