// PasswordInputTest: `postern passwd` without a terminal reads exactly one line from stdin,
// strips the line end, refuses an empty or oversized password; the user name is checked too.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PasswordInputTest {
    @Test
    void oneLineWithoutItsLineEnd() throws Exception {
        assertThat(PasswordInput.fromLine(new StringReader("s3cret\n"))).containsExactly("s3cret".toCharArray());
        assertThat(PasswordInput.fromLine(new StringReader("s3cret\r\n"))).containsExactly("s3cret".toCharArray());
        assertThat(PasswordInput.fromLine(new StringReader("no newline at end"))).containsExactly("no newline at end".toCharArray());
        assertThat(PasswordInput.fromLine(new StringReader(" spaces kept \n"))).containsExactly(" spaces kept ".toCharArray());
    }

    @Test
    void readsNothingPastTheFirstLine() throws Exception {
        StringReader in = new StringReader("first\nsecond\n");
        assertThat(PasswordInput.fromLine(in)).containsExactly("first".toCharArray());
        assertThat((char) in.read()).isEqualTo('s');
    }

    @Test
    void stdinIsUtf8WhenThereIsNoConsole() throws Exception {
        byte[] bytes = "pässwörd€\n".getBytes(StandardCharsets.UTF_8);
        assertThat(PasswordInput.read(null, new ByteArrayInputStream(bytes), "alice"))
                .containsExactly("pässwörd€".toCharArray());
    }

    @Test
    void emptyPasswordIsRefused() {
        for (String input : new String[] {"", "\n", "\r\n"}) {
            assertThatThrownBy(() -> PasswordInput.fromLine(new StringReader(input)))
                    .isInstanceOf(Fatal.class).hasMessage("empty password refused");
        }
    }

    @Test
    void oversizedPasswordIsRefused() throws Exception {
        String longest = "x".repeat(PasswordInput.MAX_LENGTH);
        assertThat(PasswordInput.fromLine(new StringReader(longest + "\n"))).hasSize(PasswordInput.MAX_LENGTH);
        assertThat(PasswordInput.fromLine(new StringReader(longest + "\r\n"))).hasSize(PasswordInput.MAX_LENGTH);
        for (int extra : new int[] {1, 3}) {
            assertThatThrownBy(() -> PasswordInput.fromLine(new StringReader("x".repeat(PasswordInput.MAX_LENGTH + extra))))
                    .isInstanceOf(Fatal.class).hasMessageContaining("longer than");
        }
    }

    @Test
    void userNamesThatWouldCorruptThePasswordFileAreRefused() throws Exception {
        PasswdCommand.checkUserName("alice@example.test");
        for (String bad : new String[] {"", "a:b", "a b", "a\nb", "a\tb"}) {
            assertThatThrownBy(() -> PasswdCommand.checkUserName(bad)).as(bad).isInstanceOf(Fatal.class);
        }
        assertThatThrownBy(() -> PasswdCommand.checkUserName("a\nb")).hasMessageNotContaining("\n");
    }
}
