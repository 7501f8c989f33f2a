// FreePortTest: ports handed out are distinct and bindable on 127.0.0.1.
// Unit test of testkit's FreePort.
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortTest {
    @Test
    void portsAreDistinctAndBindable() throws IOException {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            int p = FreePort.next();
            assertThat(p).isBetween(1024, 65535);
            assertThat(seen.add(p)).as("port %d given twice", p).isTrue();
        }
        int p = FreePort.next();
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(p);
        }
    }
}
