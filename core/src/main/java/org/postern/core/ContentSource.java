// ContentSource: opens a fresh stream over one message's content (headers and body as received),
// from a queue file or a quarantine file. Shared by the scanners (filters), the transports and the
// quarantine store so no stage holds a whole message in memory (invariant 3).
package org.postern.core;

import java.io.IOException;
import java.io.InputStream;

/** Blocking: call {@link #open} (and read the stream) on a worker thread only, never on an event loop. */
@FunctionalInterface
public interface ContentSource {
    /** A new stream positioned at the first header byte; the caller closes it. */
    InputStream open() throws IOException;
}
