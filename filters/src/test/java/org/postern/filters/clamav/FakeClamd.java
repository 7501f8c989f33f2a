// FakeClamd: a scripted stand-in for clamd on a Vert.x NetServer (TCP or UNIX-domain socket) for the
// ClamdFilter unit tests: parses zINSTREAM framing (one per connection, or several after zIDSESSION),
// records what arrived, answers as a test says -- OK, FOUND, size-limit early close, silence, stalls,
// garbage. Test support only.
package org.postern.filters.clamav;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

final class FakeClamd implements AutoCloseable {
    /** Keeps at most this much of each stream's payload for comparison. */
    private static final int KEEP = 4 * 1024 * 1024;

    /** What one connection sent, as the fake parsed it. */
    static final class Session {
        final NetSocket socket;
        final ByteArrayOutputStream command = new ByteArrayOutputStream();
        final List<Integer> chunkSizes = new CopyOnWriteArrayList<>();
        final ByteArrayOutputStream payload = new ByteArrayOutputStream();
        volatile long payloadBytes;
        volatile boolean terminated;
        /** After zIDSESSION: more commands follow, replies carry the request number. */
        volatile boolean session;
        /** Requests (INSTREAM commands) so far; the number clamd puts before a session reply. */
        volatile int requests;
        /** payloadBytes at each stream's terminator. */
        final List<Long> streamEnds = new CopyOnWriteArrayList<>();
        volatile boolean closed;
        private final StringBuilder word = new StringBuilder();
        private boolean commandDone;
        private boolean stopped;
        private Buffer pending = Buffer.buffer();
        private long chunkLeft = -1;

        Session(NetSocket socket) {
            this.socket = socket;
        }

        String command() {
            return command.toString(StandardCharsets.ISO_8859_1);
        }

        byte[] payload() {
            return payload.toByteArray();
        }

        /** Sends {@code text} and a NUL (in a session after "N: ", as clamd does), then closes. */
        void answer(String text) {
            socket.write(framed(text)).onComplete(v -> socket.close());
        }

        /** As {@link #answer} but keeps the connection open (a session clamd). */
        void reply(String text) {
            socket.write(framed(text));
        }

        private Buffer framed(String text) {
            return Buffer.buffer((session ? requests + ": " : "") + text + "\0", "ISO-8859-1");
        }
    }

    /** Callbacks into the test: on connect, after each chunk header (with the announced size), at the terminator. */
    interface Script {
        default void onConnect(Session s) {}

        /** Return false to stop reading (the fake has answered and closed). */
        default boolean onChunkHeader(Session s, int length) { return true; }

        default void onEnd(Session s) {}
    }

    private final NetServer server;
    final List<Session> sessions = new CopyOnWriteArrayList<>();

    private FakeClamd(Vertx vertx, SocketAddress bind, Script script) throws Exception {
        // a fixed receive buffer: no autotuning up to tcp_rmem's maximum (32 MB on some machines), so what a
        // client can push into a clamd that does not read stays small and the backpressure test measures ours
        server = vertx.createNetServer(new io.vertx.core.net.NetServerOptions().setReceiveBufferSize(256 * 1024));
        server.connectHandler(sock -> {
            Session s = new Session(sock);
            sessions.add(s);
            sock.closeHandler(v -> s.closed = true);
            sock.handler(data -> feed(s, data, script));
            script.onConnect(s);
        });
        server.listen(bind).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static FakeClamd start(Vertx vertx, SocketAddress bind, Script script) throws Exception {
        return new FakeClamd(vertx, bind, script);
    }

    /** Answers {@code reply} after the terminator. */
    static Script replying(String reply) {
        return new Script() {
            @Override
            public void onEnd(Session s) {
                s.answer(reply);
            }
        };
    }

    /** Like clamd's StreamMaxLength: a chunk header that would pass {@code max} bytes gets {@code reply} and a close. */
    static Script limit(long max, String reply) {
        return new Script() {
            @Override
            public boolean onChunkHeader(Session s, int length) {
                if (s.payloadBytes + length <= max) return true;
                s.answer(reply);
                return false;
            }

            @Override
            public void onEnd(Session s) {
                s.answer("stream: OK");
            }
        };
    }

    /**
     * As {@link #limit}, but first stops reading for {@code stallMillis}, so the client's socket buffers are
     * full and its writes are pending when the reply and the close arrive (the order clamd produces under load).
     */
    static Script limitAfterStall(Vertx vertx, long max, long stallMillis, String reply) {
        return new Script() {
            @Override
            public boolean onChunkHeader(Session s, int length) {
                if (s.payloadBytes + length <= max) return true;
                s.socket.pause();
                vertx.setTimer(stallMillis, t -> s.answer(reply));
                return false;
            }
        };
    }

    /** A session clamd: answers each stream by {@code verdict} (of its payload so far) and keeps the connection. */
    static Script sessionReplying(java.util.function.Function<Session, String> verdict) {
        return new Script() {
            @Override
            public void onEnd(Session s) {
                s.reply(verdict.apply(s));
            }
        };
    }

    /** Reads everything, never answers. */
    static Script silent() {
        return new Script() {};
    }

    /** Accepts and never reads a byte: the client's writes back up. */
    static Script stalled() {
        return new Script() {
            @Override
            public void onConnect(Session s) {
                s.socket.pause();
            }
        };
    }

    /** Raw bytes right after connecting, then (optionally) a close. */
    static Script raw(Buffer bytes, boolean close) {
        return new Script() {
            @Override
            public void onConnect(Session s) {
                s.socket.write(bytes).onComplete(v -> {
                    if (close) s.socket.close();
                });
            }
        };
    }

    /** Custom end-of-stream behaviour. */
    static Script atEnd(Consumer<Session> onEnd) {
        return new Script() {
            @Override
            public void onEnd(Session s) {
                onEnd.accept(s);
            }
        };
    }

    /** Custom chunk-header behaviour. */
    static Script atChunk(BiConsumer<Session, Integer> onHeader) {
        return new Script() {
            @Override
            public boolean onChunkHeader(Session s, int length) {
                onHeader.accept(s, length);
                return true;
            }
        };
    }

    private static void feed(Session s, Buffer data, Script script) {
        if (s.stopped) return;
        s.pending.appendBuffer(data);
        int pos = 0;
        int n = s.pending.length();
        while (pos < n) {
            if (!s.commandDone) {
                byte b = s.pending.getByte(pos++);
                s.command.write(b);
                if (b != 0) {
                    s.word.append((char) (b & 0xff));
                    continue;
                }
                String command = s.word.toString();
                s.word.setLength(0);
                if (command.equals("zIDSESSION")) {
                    s.session = true;
                } else if (command.equals("zEND")) {
                    s.stopped = true;
                    s.socket.close();
                    return;
                } else {
                    s.commandDone = true;
                    s.requests++;
                }
            } else if (s.terminated && !s.session) {
                pos = n; // bytes after the terminator: ignored
            } else if (s.chunkLeft < 0) {
                if (n - pos < 4) break;
                int len = s.pending.getInt(pos);
                pos += 4;
                if (len == 0) {
                    s.terminated = true;
                    s.streamEnds.add(s.payloadBytes);
                    if (s.session) s.commandDone = false; // the next command may follow
                    script.onEnd(s);
                    continue;
                }
                s.chunkSizes.add(len);
                if (!script.onChunkHeader(s, len)) {
                    s.stopped = true;
                    return;
                }
                s.chunkLeft = len;
            } else {
                int take = (int) Math.min(s.chunkLeft, n - pos);
                if (s.payload.size() < KEEP) s.payload.write(s.pending.getBytes(pos, pos + take), 0, take);
                s.payloadBytes += take;
                s.chunkLeft -= take;
                pos += take;
                if (s.chunkLeft == 0) s.chunkLeft = -1;
            }
        }
        s.pending = s.pending.getBuffer(pos, n);
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
