// LineBuffer: the bytes of the current content line while cleanup runs the content checks; bounded
// by line_length_limit (a longer line is refused anyway), so a message never sits in memory.
package org.postern.gateway.cleanup;

final class LineBuffer {
    private final byte[] bytes;
    private int length;

    LineBuffer(int capacity) {
        this.bytes = new byte[capacity];
    }

    /** False when the line no longer fits (the caller refuses the message). */
    boolean append(byte b) {
        if (length == bytes.length) return false;
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
