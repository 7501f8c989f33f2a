// EndOfData: one inspection smtpd is waiting for (vscan_mode before-queue or content-filter): the request,
// the transport a content-filter copy is sent with, and the race between the scan and the before-queue time
// budget (vscan_before_queue_time_limit) -- whichever settles first decides how the message is disposed of.
package org.postern.gateway.vscan;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postern.gateway.smtp.Transport;

/** Made by the VscanStage per inspection; thread-safe. */
public final class EndOfData {
    private final ScanRequest request;
    private final Transport relay;
    private final AtomicBoolean settled = new AtomicBoolean();

    EndOfData(ScanRequest request, Transport relay) {
        this.request = Objects.requireNonNull(request, "request");
        this.relay = relay;
    }

    public ScanRequest request() {
        return request;
    }

    /** The transport content-filter copies go out with (null only when the stage has none: before-queue). */
    public Transport relay() {
        return relay;
    }

    /**
     * The scan has its verdict: true when smtpd is still waiting for it, so the message is disposed of in the
     * listener's mode; false when the budget ran out first (smtpd answered 250): dispose as after the queue.
     * Without a budget (content-filter) always true.
     */
    public boolean settle() {
        return settled.compareAndSet(false, true) || request.budget() == null;
    }

    /** The budget ran out: true when the scan had not settled (smtpd answers now, the scan goes on after the queue). */
    boolean expire() {
        return request.budget() != null && settled.compareAndSet(false, true);
    }
}
