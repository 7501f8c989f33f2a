// RspamdFilter: the vscan stage's spam filter -- streams each message with its envelope to rspamd's
// normal worker (POST /checkv2 over TCP or a UNIX socket, one shared Vert.x WebClient) and maps the JSON
// reply to a SCORED result or TEMPFAIL. main.cf: vscan_rspamd_url (http://host:port, unix:/path; empty:
// no spam filter), vscan_rspamd_timeout, vscan_rspamd_password.
package org.postern.filters.rspamd;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.postern.filters.Filter;
import org.postern.filters.FilterResult;
import org.postern.filters.ScanMessage;
import org.postern.policies.conf.Config;

/**
 * {@code RspamdFilter.fromConfig(vertx, config).ifPresent(chain::add)}. Thread-safe; one instance
 * serves every message. The body is the message file streamed with backpressure and a Content-Length
 * (never held in memory, no chunked encoding), or the content the vscan stage already read for a small message. The result is SCORED only for an HTTP 200 reply that
 * holds a numeric score and an action; a refused connection, another status, garbage, or no reply
 * within the timeout (for the whole exchange) gives TEMPFAIL with the reason.
 */
public final class RspamdFilter implements Filter {
    public static final String NAME = "rspamd";
    static final String URL_PARAMETER = "vscan_rspamd_url";
    static final String TIMEOUT_PARAMETER = "vscan_rspamd_timeout";
    static final String PASSWORD_PARAMETER = "vscan_rspamd_password";
    /**
     * Connections at once. rspamd 3.4 ends every connection after its reply ("Connection: close"), and
     * Vert.x 5.0.8 may hand a request waiting for a pooled connection one that is closing, which then
     * fails with "Stream reset". The vscan stage bounds concurrency (vscan_concurrency), so a pool this
     * size never makes a request wait.
     */
    static final int POOL_SIZE = 1024;

    private final Vertx vertx;
    private final URI url;
    /** rspamd's UNIX socket for a unix: URL; null for http(s). */
    private final SocketAddress socket;
    private final String checkUri;
    private final Duration timeout;
    private final String password;
    private final Clock clock;
    private final WebClient client;

    /**
     * @param url      rspamd's normal worker, e.g. http://127.0.0.1:11333 (a path, if any, is kept:
     *                 checks go to {@code path/checkv2}), or unix:/run/rspamd/normal.sock for a worker
     *                 with that {@code bind_socket}
     * @param timeout  limit for one whole exchange (connect, send, reply)
     * @param password sent as the Password header when not empty
     * @param clock    measures {@link FilterResult#elapsed()} only; the timeout runs on a Vert.x timer
     * @throws IllegalArgumentException when {@code url} is neither an absolute http(s) URL with a host nor
     *         unix: with an absolute path, or {@code timeout} is not positive
     */
    public RspamdFilter(Vertx vertx, URI url, Duration timeout, String password, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.url = checkUrl(Objects.requireNonNull(url, "url"));
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.password = password == null ? "" : password;
        this.clock = Objects.requireNonNull(clock, "clock");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("rspamd timeout " + timeout);
        if (isUnix(url)) {
            this.socket = SocketAddress.domainSocketAddress(url.getPath());
            this.checkUri = "/checkv2";
        } else {
            String path = url.getRawPath() == null ? "" : url.getRawPath();
            while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
            this.socket = null;
            this.checkUri = url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getRawAuthority() + path + "/checkv2";
        }
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setUserAgent("postern")
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())))
                .setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(POOL_SIZE));
    }

    /** As {@link #fromConfig(Vertx, Config, Clock)} with the system clock. */
    public static Optional<RspamdFilter> fromConfig(Vertx vertx, Config config) {
        return fromConfig(vertx, config, Clock.systemUTC());
    }

    /**
     * The filter main.cf asks for, or empty when vscan_rspamd_url is empty (no spam filter).
     *
     * @throws IllegalArgumentException naming main.cf (file:line when set there), the parameter and its
     *         value, when vscan_rspamd_url is malformed or vscan_rspamd_timeout is not positive
     */
    public static Optional<RspamdFilter> fromConfig(Vertx vertx, Config config, Clock clock) {
        String value = config.get(URL_PARAMETER).strip();
        if (value.isEmpty()) return Optional.empty();
        URI url;
        try {
            url = checkUrl(new URI(value));
        } catch (URISyntaxException | IllegalArgumentException e) {
            String why = e instanceof URISyntaxException u ? u.getReason() + " at index " + u.getIndex() : e.getMessage();
            throw new IllegalArgumentException(config.where(URL_PARAMETER) + ": " + URL_PARAMETER + " = " + value
                    + ": " + why, e);
        }
        Duration timeout = config.getTime(TIMEOUT_PARAMETER);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(config.where(TIMEOUT_PARAMETER) + ": " + TIMEOUT_PARAMETER + " = "
                    + config.raw(TIMEOUT_PARAMETER) + ": must be longer than 0s");
        }
        return Optional.of(new RspamdFilter(vertx, url, timeout, config.get(PASSWORD_PARAMETER), clock));
    }

    /** {@code url} when it is usable; else IllegalArgumentException saying why. */
    private static URI checkUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("unix")) {
            if (url.isOpaque() || url.getPath() == null || !url.getPath().startsWith("/") || url.getRawAuthority() != null) {
                throw new IllegalArgumentException("not unix: with an absolute socket path (e.g. unix:/run/rspamd/normal.sock)");
            }
            if (url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new IllegalArgumentException("a query or fragment is not allowed");
            }
            return url;
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("not an http:// URL (e.g. http://127.0.0.1:11333) or unix:/path");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) throw new IllegalArgumentException("no host name");
        if (url.getRawUserInfo() != null) throw new IllegalArgumentException("user info is not allowed; "
                + "set " + PASSWORD_PARAMETER + " instead");
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("a query or fragment is not allowed");
        }
        return url;
    }

    private static boolean isUnix(URI url) {
        return "unix".equalsIgnoreCase(url.getScheme());
    }

    @Override
    public String name() {
        return NAME;
    }

    public URI url() {
        return url;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Sends {@code message} to rspamd; always succeeds with a result (see {@link Filter}). */
    @Override
    public Future<FilterResult> inspect(ScanMessage message) {
        Instant start = clock.instant();
        // one context for the file, the request and the timer, so the exchange's callbacks never race
        Context context = vertx.getOrCreateContext();
        Promise<FilterResult> result = Promise.promise();
        context.runOnContext(v -> new Exchange(message, start, result).run());
        return result.future();
    }

    /** Closes the shared client; scans still running end with TEMPFAIL. A Future, like ClamdFilter's close. */
    @Override
    public Future<Void> close() {
        client.close();
        return Future.succeededFuture();
    }

    @Override
    public String toString() {
        return "RspamdFilter[" + where() + ", timeout " + timeout.toMillis() + "ms]";
    }

    /** Where checks go, for log lines and TEMPFAIL reasons: the /checkv2 URL or unix:/path. */
    private String where() {
        return socket == null ? checkUri : url.toString();
    }

    /** A POST to /checkv2 with the envelope headers, over TCP or the UNIX socket. */
    private HttpRequest<Buffer> post(ScanMessage message, long limitMillis) {
        HttpRequest<Buffer> request = socket == null ? client.postAbs(checkUri)
                : client.request(HttpMethod.POST, socket, "localhost", checkUri);
        return request.putHeaders(RspamdHeaders.of(message.envelope(), password))
                .connectTimeout(limitMillis)
                .idleTimeout(limitMillis);
    }

    /** One message's round trip; all callbacks on one context. */
    private final class Exchange {
        private final ScanMessage message;
        private final Instant start;
        private final Promise<FilterResult> result;
        private AsyncFile file;
        private long timer;

        Exchange(ScanMessage message, Instant start, Promise<FilterResult> result) {
            this.message = message;
            this.start = start;
            this.result = result;
        }

        void run() {
            timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
                finish(tempfail("no reply within " + timeout.toMillis() + "ms"));
                if (file != null) file.close(); // aborts an upload still running; the request then fails
            });
            Future<HttpResponse<Buffer>> sent = message.content() != null ? send(message.content())
                    : message.open(vertx)
                    .recover(e -> Future.failedFuture(new IllegalStateException("cannot open " + message.file()
                            + ": " + describe(e))))
                    .compose(this::send);
            sent.onComplete(ar -> {
                        vertx.cancelTimer(timer);
                        try {
                            finish(ar.succeeded() ? interpret(ar.result()) : tempfail(describe(ar.cause())));
                        } catch (RuntimeException e) { // never leave the future open
                            finish(tempfail("cannot read the reply: " + e));
                        }
                    });
        }

        private Future<HttpResponse<Buffer>> send(AsyncFile f) {
            if (result.future().isComplete()) { // timed out while opening
                f.close();
                return Future.failedFuture("timed out");
            }
            file = f;
            long limit = Math.max(1, timeout.toMillis());
            try {
                return post(message, limit)
                        .putHeader("Content-Length", Long.toString(message.size()))
                        .sendStream(f)
                        .andThen(ar -> f.close());
            } catch (RuntimeException e) { // e.g. a header value the HTTP codec refuses
                f.close();
                return Future.failedFuture(e);
            }
        }

        /** The content the vscan stage already read, as the body in one piece. */
        private Future<HttpResponse<Buffer>> send(Buffer content) {
            long limit = Math.max(1, timeout.toMillis());
            try {
                return post(message, limit).sendBuffer(content);
            } catch (RuntimeException e) { // e.g. a header value the HTTP codec refuses
                return Future.failedFuture(e);
            }
        }

        private FilterResult interpret(HttpResponse<Buffer> response) {
            Buffer body = response.body() == null ? Buffer.buffer() : response.body();
            if (response.statusCode() != 200) {
                return tempfail("HTTP " + response.statusCode() + " " + response.statusMessage() + ": "
                        + RspamdReply.snippet(body.toString()));
            }
            try {
                RspamdReply reply = RspamdReply.parse(body);
                return FilterResult.scored(NAME, reply.report(), reply.headerEdits(), elapsed());
            } catch (IllegalArgumentException e) {
                return tempfail("bad reply: " + e.getMessage());
            }
        }

        private void finish(FilterResult r) {
            result.tryComplete(r);
        }

        private FilterResult tempfail(String why) {
            return FilterResult.tempfail(NAME, "rspamd " + where() + ": " + why, elapsed());
        }

        private Duration elapsed() {
            return Duration.between(start, clock.instant());
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
