// MailQueue: read-only listing of the spool for `postern mailq` (postqueue -p format). Safe while
// the gateway runs: it only reads committed queue files. Governed by queue_directory.
package org.postern.gateway.queue;

import java.io.IOException;
import java.nio.file.Path;

/** STUB: owned by the queue helper; replaced by the real implementation. */
public final class MailQueue {
    private MailQueue() {}

    /** The whole queue in `postqueue -p` format; "Mail queue is empty" when empty. Blocking. */
    public static String postqueueListing(Path queueDirectory) throws IOException {
        throw new UnsupportedOperationException("not built yet");
    }
}
