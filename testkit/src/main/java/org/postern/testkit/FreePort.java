// FreePort: hands out free TCP ports on 127.0.0.1 for servers that tests start (smtp-sink, Postern
// listeners, dnsmasq). Test support only; no main.cf parameters.
package org.postern.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A port the kernel just gave out as free on 127.0.0.1. The socket is closed before the port is
 * returned, so another process could take it in between: starters that own the bind (SmtpSink)
 * retry with a new port when the bind fails. Never hands out the same port twice in one JVM.
 */
public final class FreePort {
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private FreePort() {}

    public static int next() {
        IOException last = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (GIVEN.add(port)) return port;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("no free TCP port on 127.0.0.1 after 100 attempts", last);
    }
}
