// ArchiveBudget: the uncompressed bytes one attachment's archives may yield (vscan_archive_size_limit),
// counted over every nesting level, so a zip bomb ends as UNSCANNABLE instead of a stuck vscan worker.
// One budget per attachment; ZipScan charges every byte it reads from an archive entry.
package org.postern.filters.mime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

final class ArchiveBudget {

    /** The budget is spent; the message is the UNSCANNABLE verdict's detail. */
    static final class Exceeded extends IOException {
        private static final long serialVersionUID = 1L;

        Exceeded(String detail) {
            super(detail);
        }
    }

    private final long limit;
    private final String archive;
    private long used;

    /** @param archive the attachment's name, for the verdict */
    ArchiveBudget(long limit, String archive) {
        this.limit = limit;
        this.archive = archive;
    }

    /** {@code in}, charging every byte read from it. */
    InputStream charging(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) charge(1);
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) charge(n);
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                if (n <= 0) return 0;
                byte[] sink = new byte[(int) Math.min(Math.max(n, 1), 8192)];
                int r = read(sink, 0, (int) Math.min(n, sink.length));
                return Math.max(r, 0);
            }

            @Override
            public void close() {
                // the archive stream beneath is not ours to close
            }
        };
    }

    private void charge(long n) throws Exceeded {
        used += n;
        if (used > limit) {
            throw new Exceeded(archive + ": archive larger than vscan_archive_size_limit (" + limit
                    + " bytes uncompressed)");
        }
    }
}
