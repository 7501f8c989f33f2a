// FakeRspamd: a Vert.x HttpServer on 127.0.0.1 (or a UNIX socket) standing in for rspamd's normal worker in unit tests --
// records each request (method, URI, headers, body digest and size) and answers as the test scripts it:
// a status and body, silence, or a paused upload. Test support only; no real rspamd.
package org.postern.filters.rspamd;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

final class FakeRspamd implements AutoCloseable {
    /** How the fake answers one request. */
    sealed interface Script permits Reply, Silent, PausedUpload {}

    /** Reads the whole body, then answers {@code status} with {@code body}. */
    record Reply(int status, String body) implements Script {}

    /** Reads the whole body and never answers. */
    record Silent() implements Script {}

    /** Never reads the body (backpressure stops the client's upload) and never answers. */
    record PausedUpload() implements Script {}

    /** One request as the fake saw it. */
    record Seen(String method, String uri, MultiMap headers, long bodySize, String bodySha256, byte[] smallBody) {}

    private final HttpServer server;
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private volatile Script script = new Reply(200, "{}");
    /** The UNIX socket path for a fake started with {@link #startOnSocket}; null on TCP. */
    private final String socketPath;

    private FakeRspamd(Vertx vertx, String socketPath) {
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
        this.socketPath = socketPath;
        server.requestHandler(this::handle);
    }

    static FakeRspamd start(Vertx vertx) {
        FakeRspamd f = new FakeRspamd(vertx, null);
        FakeRspamdTestBase.await(f.server.listen());
        return f;
    }

    /** A fake listening on the UNIX socket {@code path} instead of TCP; its url() is unix:path. */
    static FakeRspamd startOnSocket(Vertx vertx, String path) {
        FakeRspamd f = new FakeRspamd(vertx, path);
        FakeRspamdTestBase.await(f.server.listen(SocketAddress.domainSocketAddress(path)));
        return f;
    }

    FakeRspamd script(Script s) {
        this.script = s;
        return this;
    }

    FakeRspamd reply(int status, String body) {
        return script(new Reply(status, body));
    }

    int port() {
        return server.actualPort();
    }

    String url() {
        return socketPath != null ? "unix:" + socketPath : "http://127.0.0.1:" + port();
    }

    /** The next request the fake received (waits up to 10 s). */
    Seen next() throws InterruptedException {
        Seen s = seen.poll(10, TimeUnit.SECONDS);
        if (s == null) throw new AssertionError("no request reached the fake rspamd within 10 s");
        return s;
    }

    int requestCount() {
        return seen.size();
    }

    private void handle(HttpServerRequest req) {
        Script s = script;
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
        if (s instanceof PausedUpload) {
            req.pause();
            seen.add(new Seen(req.method().name(), req.uri(), headers, -1, "", new byte[0]));
            return;
        }
        MessageDigest sha = sha256();
        ByteArrayOutputStream small = new ByteArrayOutputStream();
        long[] size = {0};
        req.handler(chunk -> {
            byte[] b = chunk.getBytes();
            sha.update(b);
            size[0] += b.length;
            if (small.size() < 65536) small.write(b, 0, Math.min(b.length, 65536 - small.size()));
        });
        req.endHandler(v -> {
            seen.add(new Seen(req.method().name(), req.uri(), headers, size[0],
                    HexFormat.of().formatHex(sha.digest()), small.toByteArray()));
            if (s instanceof Reply r) {
                // as rspamd 3.4 does: every reply ends its connection
                req.response().setStatusCode(r.status()).putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close").end(Buffer.buffer(r.body()));
            }
        });
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        Future<Void> f = server.close();
        FakeRspamdTestBase.await(f);
    }
}
