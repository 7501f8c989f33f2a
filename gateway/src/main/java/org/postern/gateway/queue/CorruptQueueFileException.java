// CorruptQueueFileException: a queue file that is not in the format QueueFile documents (truncated,
// foreign, damaged). Later stages move such a file to queue_directory/corrupt instead of retrying it.
package org.postern.gateway.queue;

import java.io.IOException;
import java.nio.file.Path;

/** The file exists and was read, but is not a valid queue file. */
public final class CorruptQueueFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptQueueFileException(Path file, String why) {
        super(file + ": corrupt queue file: " + why);
    }
}
