// ContentEncoder: how queue-file content is turned into bytes on the wire, chunk by chunk, as the
// client streams it: DotStuffer for DATA, identity for BDAT, QuotedPrintableDowngrade before
// DotStuffer for 8-bit text to a peer without 8BITMIME. Runs on a worker thread with the file reads.
package org.postern.gateway.smtp;

import io.vertx.core.buffer.Buffer;

/** Stateful across calls: a line may span chunks. Not thread-safe (one message, one worker at a time). */
interface ContentEncoder {
    /** Encodes the next content bytes. */
    Buffer encode(byte[] bytes, int offset, int length);

    /** What follows the last content byte (for DATA: a CRLF if the content lacks one, then ".CRLF"). */
    Buffer finish();

    /** BDAT: bytes go as they are. */
    ContentEncoder IDENTITY = new ContentEncoder() {
        @Override
        public Buffer encode(byte[] bytes, int offset, int length) {
            return Buffer.buffer().appendBytes(bytes, offset, length);
        }

        @Override
        public Buffer finish() {
            return Buffer.buffer();
        }
    };
}
