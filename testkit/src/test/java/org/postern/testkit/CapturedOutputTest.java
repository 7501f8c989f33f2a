// CapturedOutputTest: keeps head and tail of long output and says how much was dropped.
// Unit test of testkit's CapturedOutput.
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CapturedOutputTest {
    @Test
    void shortOutputIsKeptWhole() {
        CapturedOutput c = new CapturedOutput(10, 10);
        write(c, "hello");
        write(c, " world");
        assertThat(c.text()).isEqualTo("hello world");
        assertThat(c.size()).isEqualTo(11);
    }

    @Test
    void longOutputKeepsHeadAndTail() {
        CapturedOutput c = new CapturedOutput(4, 6);
        write(c, "HEAD" + "x".repeat(100) + "TAIL!!");
        assertThat(c.text()).isEqualTo("HEAD\n[... 100 bytes omitted ...]\nTAIL!!");
        assertThat(c.tail(6)).isEqualTo("[...]TAIL!!");
    }

    private static void write(CapturedOutput c, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        c.write(b, 0, b.length);
    }
}
