// EngineClient: a test-only TLS client over a plain socket driven by SSLEngine, for StartTlsTest: it
// can put its last handshake flight and its first command into ONE packet, which SSLSocket cannot,
// to check that smtpd sees decrypted input only after StartTls reports the session established.
package org.postern.gateway.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

final class EngineClient {
    private final SSLEngine engine;
    private final InputStream in;
    private final OutputStream out;
    private final ByteBuffer netIn = ByteBuffer.allocate(1 << 17);
    private final ByteBuffer appIn = ByteBuffer.allocate(1 << 17);

    EngineClient(SSLContext ctx, Socket raw) throws IOException {
        engine = ctx.createSSLEngine("127.0.0.1", raw.getPort());
        engine.setUseClientMode(true);
        in = raw.getInputStream();
        out = raw.getOutputStream();
    }

    /** Handshakes, then sends {@code firstCommand} in the same write as the client's Finished. */
    void handshakeAndSend(String firstCommand) throws IOException {
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        engine.beginHandshake();
        HandshakeStatus hs = engine.getHandshakeStatus();
        while (hs != HandshakeStatus.FINISHED && hs != HandshakeStatus.NOT_HANDSHAKING) {
            switch (hs) {
                case NEED_WRAP -> hs = wrap(ByteBuffer.allocate(0), pending).getHandshakeStatus();
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) task.run();
                    hs = engine.getHandshakeStatus();
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    flush(pending);
                    hs = unwrapOnce().getHandshakeStatus();
                }
                default -> throw new IllegalStateException(hs.toString());
            }
        }
        wrap(ByteBuffer.wrap(firstCommand.getBytes(US_ASCII)), pending);
        flush(pending); // Finished and the command leave together
    }

    /** Reads and decrypts until one CRLF line of application data is complete. */
    String readLine() throws IOException {
        while (true) {
            for (int i = 1; i < appIn.position(); i++) {
                if (appIn.get(i - 1) == '\r' && appIn.get(i) == '\n') {
                    byte[] line = new byte[i - 1];
                    appIn.flip();
                    appIn.get(line);
                    appIn.position(appIn.position() + 2);
                    appIn.compact();
                    return new String(line, US_ASCII);
                }
            }
            unwrapOnce();
        }
    }

    private SSLEngineResult wrap(ByteBuffer app, ByteArrayOutputStream pending) throws IOException {
        ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        SSLEngineResult r = engine.wrap(app, net);
        pending.write(net.array(), 0, net.position());
        return r;
    }

    private void flush(ByteArrayOutputStream pending) throws IOException {
        if (pending.size() == 0) return;
        out.write(pending.toByteArray());
        out.flush();
        pending.reset();
    }

    /** Unwraps one record, reading from the socket as needed. */
    private SSLEngineResult unwrapOnce() throws IOException {
        while (true) {
            netIn.flip();
            SSLEngineResult r = engine.unwrap(netIn, appIn);
            netIn.compact();
            if (r.getStatus() == SSLEngineResult.Status.OK) {
                while (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) task.run();
                    r = new SSLEngineResult(r.getStatus(), engine.getHandshakeStatus(), r.bytesConsumed(), r.bytesProduced());
                }
                return r;
            }
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW) throw new IOException("unwrap: " + r);
            byte[] chunk = new byte[4096];
            int n = in.read(chunk);
            if (n < 0) throw new EOFException("server closed during TLS");
            netIn.put(chunk, 0, n);
        }
    }
}
