// LineBuffer: the bytes of the current content line while cleanup runs the content checks or rewrites
// headers; grows from line_length_limit up to header_size_limit (a header line may be that long; a body
// line is handed on in line_length_limit pieces), so a message never sits in memory.
package org.postern.gateway.cleanup;

final class LineBuffer {
    private final int maximum;
    private byte[] bytes;
    private int length;

    LineBuffer(int initial, int maximum) {
        this.bytes = new byte[Math.min(initial, maximum)];
        this.maximum = maximum;
    }

    /** False when the line no longer fits in {@code maximum} bytes (the caller refuses the message). */
    boolean append(byte b) {
        if (length == bytes.length) {
            if (length == maximum) return false;
            bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(maximum, 2L * length));
        }
        bytes[length++] = b;
        return true;
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    void clear() {
        length = 0;
    }
}
