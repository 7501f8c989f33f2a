// ScanMessage: what the vscan stage hands each Filter -- the envelope (client IP, HELO, SASL user,
// sender, recipients, queue id) and where the content lies in its queue file, so each filter can
// stream it: as a Vert.x AsyncFile (clamd, rspamd) or as a blocking InputStream on a worker (MIME).
// A small message may come already read (one read shared by every filter instead of one each).
package org.postern.filters;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.postern.core.Envelope;

/**
 * @param envelope the message's envelope as queued
 * @param file     the file holding the content (a queue file, or a plain message file with offset 0)
 * @param offset   where the content starts in {@code file}
 * @param size     content bytes (headers and body, CRLF line ends as received)
 * @param content  the whole content already read from {@code file} (exactly {@code size} bytes), shared by
 *                 the filters so a small message is read once; null: each filter streams it from the file
 */
public record ScanMessage(Envelope envelope, Path file, long offset, long size, Buffer content) {
    public ScanMessage {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(file, "file");
        if (offset < 0 || size < 0) throw new IllegalArgumentException("offset " + offset + " size " + size);
        if (content != null && content.length() != size) {
            throw new IllegalArgumentException("content of " + content.length() + " bytes, size " + size);
        }
    }

    /** A message each filter streams from its file. */
    public ScanMessage(Envelope envelope, Path file, long offset, long size) {
        this(envelope, file, offset, size, null);
    }

    /** The content as a ReadStream with backpressure, positioned and limited; the caller closes it. */
    public Future<AsyncFile> open(Vertx vertx) {
        return vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true).setWrite(false)
                .setCreate(false)).map(f -> f.setReadPos(offset).setReadLength(size));
    }

    /** The content as a blocking stream: call on a worker thread only. */
    public InputStream openStream() throws IOException {
        if (content != null) return stream(content);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(offset);
        InputStream in = Channels.newInputStream(ch);
        return new BufferedInputStream(new java.io.FilterInputStream(in) {
            private long left = size;

            @Override
            public int read() throws IOException {
                if (left <= 0) return -1;
                int b = super.read();
                if (b >= 0) left--;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) return -1;
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) left -= n;
                return n;
            }
        }, 65536);
    }

    /** Reads {@code b} in place (no copy of the up to 128 KB each reader would otherwise make). */
    private static InputStream stream(Buffer b) {
        return new InputStream() {
            private int at;

            @Override
            public int read() {
                return at < b.length() ? b.getByte(at++) & 0xff : -1;
            }

            @Override
            public int read(byte[] dst, int off, int len) {
                if (len == 0) return 0;
                if (at >= b.length()) return -1;
                int n = Math.min(len, b.length() - at);
                b.getBytes(at, at + n, dst, off);
                at += n;
                return n;
            }

            @Override
            public int available() {
                return b.length() - at;
            }
        };
    }
}
