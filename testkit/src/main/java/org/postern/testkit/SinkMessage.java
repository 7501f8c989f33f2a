// SinkMessage: one message as smtp-sink -d dumped it: the envelope it saw (client, HELO, MAIL and
// RCPT arguments) and the message content. Test support only; no main.cf parameters.
package org.postern.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The dump format (smtp-sink(1), DUMP FILE FORMAT): X-Client-Addr, X-Client-Proto, X-Helo-Args,
 * X-Mail-Args, X-Rcpt-Args (one per RCPT), a three-line Received header, then the message as
 * received with LF line ends and dot-stuffing undone, then one empty line (dropped here).
 */
public record SinkMessage(Path file, String clientAddr, String protocol, String heloArgs, String mailArgs,
                          List<String> rcptArgs, byte[] content) {
    public SinkMessage {
        rcptArgs = List.copyOf(rcptArgs);
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** The content as UTF-8 text (LF line ends). */
    public String text() {
        return new String(content, StandardCharsets.UTF_8);
    }

    /** The MAIL FROM address without brackets and parameters, e.g. {@code a@sender.test} ("" for the null sender). */
    public String sender() {
        return address(mailArgs);
    }

    /** The RCPT TO addresses without brackets and parameters, in order. */
    public List<String> recipients() {
        return rcptArgs.stream().map(SinkMessage::address).toList();
    }

    /** The first header named {@code name} (case-insensitive), unfolded, without the name. */
    public Optional<String> header(String name) {
        String prefix = name.toLowerCase() + ":";
        String[] lines = text().split("\n", -1);
        for (int i = 0; i < lines.length && !lines[i].isEmpty(); i++) {
            if (lines[i].toLowerCase().startsWith(prefix)) {
                StringBuilder v = new StringBuilder(lines[i].substring(prefix.length()));
                while (i + 1 < lines.length && (lines[i + 1].startsWith(" ") || lines[i + 1].startsWith("\t"))) {
                    v.append(lines[++i]);
                }
                return Optional.of(v.toString().strip());
            }
        }
        return Optional.empty();
    }

    /** The body: everything after the first empty line. */
    public String body() {
        String t = text();
        int i = t.indexOf("\n\n");
        return i < 0 ? "" : t.substring(i + 2);
    }

    private static String address(String args) {
        String a = args.strip();
        if (a.startsWith("<")) {
            int end = a.indexOf('>');
            return end < 0 ? a.substring(1) : a.substring(1, end);
        }
        int sp = a.indexOf(' ');
        return sp < 0 ? a : a.substring(0, sp);
    }

    static SinkMessage parse(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read smtp-sink dump " + file, e);
        }
        String client = null, proto = null, helo = null, mail = null;
        List<String> rcpts = new ArrayList<>();
        int pos = 0;
        while (pos < all.length) {
            int nl = indexOf(all, (byte) '\n', pos);
            if (nl < 0) break;
            String line = new String(all, pos, nl - pos, StandardCharsets.UTF_8);
            pos = nl + 1;
            if (line.startsWith("X-Client-Addr: ")) client = line.substring(15);
            else if (line.startsWith("X-Client-Proto: ")) proto = line.substring(16);
            else if (line.startsWith("X-Helo-Args: ")) helo = line.substring(13);
            else if (line.startsWith("X-Mail-Args: ")) mail = line.substring(13);
            else if (line.startsWith("X-Rcpt-Args: ")) rcpts.add(line.substring(13));
            else if (line.startsWith("Received: ")) {
                for (int k = 0; k < 2; k++) {   // the two continuation lines of smtp-sink's Received header
                    int e = indexOf(all, (byte) '\n', pos);
                    pos = e < 0 ? all.length : e + 1;
                }
                break;
            } else {
                throw new IllegalStateException("unexpected line in smtp-sink dump " + file + ": " + line);
            }
        }
        if (mail == null) throw new IllegalStateException("no X-Mail-Args in smtp-sink dump " + file);
        int end = all.length;
        if (end > pos && all[end - 1] == '\n') end--;   // the empty line smtp-sink appends
        return new SinkMessage(file, client, proto, helo, mail, rcpts, Arrays.copyOfRange(all, pos, end));
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) if (a[i] == b) return i;
        return -1;
    }

    @Override
    public String toString() {
        return "SinkMessage[" + file.getFileName() + " from " + mailArgs + " to " + rcptArgs + ", "
                + content.length + " bytes]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SinkMessage m && m.file.equals(file) && Arrays.equals(m.content, content);
    }

    @Override
    public int hashCode() {
        return file.hashCode();
    }
}
