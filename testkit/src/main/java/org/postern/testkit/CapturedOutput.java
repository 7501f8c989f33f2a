// CapturedOutput: bounded, thread-safe capture of a child program's stdout or stderr (first bytes +
// last bytes), so failure messages can quote it without holding unbounded output in memory.
// Test support only; no main.cf parameters.
package org.postern.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the first {@code headLimit} and the last {@code tailLimit} bytes written; counts the rest. */
final class CapturedOutput {
    private final int headLimit;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private final byte[] ring;
    private int ringPos;
    private long ringFill;
    private long total;

    CapturedOutput(int headLimit, int tailLimit) {
        this.headLimit = headLimit;
        this.ring = new byte[Math.max(1, tailLimit)];
    }

    synchronized void write(byte[] b, int off, int len) {
        total += len;
        int toHead = Math.min(len, headLimit - head.size());
        if (toHead > 0) {
            head.write(b, off, toHead);
            off += toHead;
            len -= toHead;
        }
        for (int i = 0; i < len; i++) {
            ring[ringPos] = b[off + i];
            ringPos = (ringPos + 1) % ring.length;
            ringFill++;
        }
    }

    synchronized long size() {
        return total;
    }

    /** Everything kept; a marker says how many bytes in the middle were dropped. */
    synchronized String text() {
        StringBuilder sb = new StringBuilder(head.toString(StandardCharsets.UTF_8));
        long dropped = ringFill - ring.length;
        if (dropped > 0) sb.append("\n[... ").append(dropped).append(" bytes omitted ...]\n");
        sb.append(new String(ringBytes(), StandardCharsets.UTF_8));
        return sb.toString();
    }

    /** The last {@code max} characters (roughly) of the output, for failure messages. */
    synchronized String tail(int max) {
        String all = text();
        return all.length() <= max ? all : "[...]" + all.substring(all.length() - max);
    }

    private byte[] ringBytes() {
        int n = (int) Math.min(ringFill, ring.length);
        byte[] out = new byte[n];
        int start = (ringPos - n + ring.length) % ring.length;
        for (int i = 0; i < n; i++) out[i] = ring[(start + i) % ring.length];
        return out;
    }
}
