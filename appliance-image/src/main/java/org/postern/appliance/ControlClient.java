// ControlClient: the command-line side of the gateway's control socket (queue_directory/private/control):
// sends one request line and prints the answer. Used by `postern queue` and `postern flush`; when no
// gateway runs, `postern queue` works on the bare spool instead (nothing else touches it then).
package org.postern.appliance;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postern.gateway.ControlSocket;

/** One exchange with a running gateway. */
final class ControlClient {
    /** The answer: output lines, and whether the gateway did it. */
    record Answer(List<String> lines, boolean ok) {}

    private ControlClient() {}

    /** Empty when no gateway listens on the socket of {@code queueDirectory}. */
    static Optional<Answer> ask(Path queueDirectory, String request) throws IOException {
        Path socket = ControlSocket.path(queueDirectory);
        if (!Files.exists(socket)) return Optional.empty();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                return Optional.empty(); // a stale socket of a gateway that is gone
            }
            ch.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            String text = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(text.lines().toList());
            boolean ok = !lines.isEmpty() && lines.get(lines.size() - 1).equals("status 0");
            if (!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("status ")) lines.remove(lines.size() - 1);
            return Optional.of(new Answer(lines, ok));
        }
    }
}
