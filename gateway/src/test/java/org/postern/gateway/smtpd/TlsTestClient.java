// TlsTestClient: a line-oriented SMTP client over a plain socket that can switch to TLS in place
// (STARTTLS) or start in TLS (implicit), trusting any certificate. Test-only.
package org.postern.gateway.smtpd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

final class TlsTestClient implements AutoCloseable {
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    private TlsTestClient(Socket socket) throws IOException {
        use(socket);
    }

    static TlsTestClient plain(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return new TlsTestClient(s);
    }

    static TlsTestClient implicit(int port, String... protocols) throws Exception {
        SSLSocket s = (SSLSocket) context().getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        if (protocols.length > 0) s.setEnabledProtocols(protocols);
        s.startHandshake();
        return new TlsTestClient(s);
    }

    private void use(Socket s) throws IOException {
        socket = s;
        in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        out = s.getOutputStream();
    }

    /** Wraps the current socket in TLS (after the server's 220 to STARTTLS). */
    SSLSocket startTls() throws Exception {
        SSLSocket s = (SSLSocket) context().getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
        s.setUseClientMode(true);
        s.startHandshake();
        use(s);
        return s;
    }

    void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One reply, all its lines joined by '\n'; starts with the code. */
    String reply() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = in.readLine();
            if (line == null) throw new IOException("closed; got " + lines);
            lines.add(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return String.join("\n", lines);
    }

    String command(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    private static SSLContext context() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] c, String a) {}
            @Override public void checkServerTrusted(X509Certificate[] c, String a) {}
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {trustAll}, null);
        return ctx;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
