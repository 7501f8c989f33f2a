// ContentReceiver: what the session hands message bytes to while DATA content or a BDAT chunk is
// arriving (MessageReceiver for a real transaction, a discarding one after an error).
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

interface ContentReceiver {
    /** Takes the next bytes; a pending future means "stop reading until I complete". */
    Future<Void> content(Buffer bytes);

    /** End of DATA, or end of the current BDAT chunk: write the reply. */
    Future<Void> end();

    /** The connection is gone: release anything held (temporary queue file). */
    void abandon();
}
