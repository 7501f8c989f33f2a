// RewriteFailure: why cleanup cannot queue a message after all -- a lookup table of the address
// rewriting could not answer ("451 4.3.0 Error: queue file write error"), or virtual alias expansion
// broke a limit ("451 4.6.0 Alias expansion error"); with the warning Postfix's cleanup logs.
package org.postern.gateway.cleanup;

import org.postern.core.SmtpReply;

/** Thrown inside the rewriting, turned into the end-of-data reply by AddressRewriting. */
final class RewriteFailure extends Exception {
    private static final long serialVersionUID = 1L;

    /** A table that could not answer: the message waits on the client's side. */
    static final SmtpReply WRITE_ERROR = SmtpReply.of(451, "4.3.0", "Error: queue file write error");
    /** virtual_alias_expansion_limit, virtual_alias_recursion_limit, virtual_alias_address_length_limit. */
    static final SmtpReply ALIAS_ERROR = SmtpReply.of(451, "4.6.0", "Alias expansion error");

    private final transient SmtpReply reply;

    RewriteFailure(SmtpReply reply, String warning) {
        super(warning);
        this.reply = reply;
    }

    SmtpReply reply() {
        return reply;
    }

    /** "PARAMETER map lookup problem for ADDRESS -- message not accepted, try again later (why)". */
    static RewriteFailure lookup(String parameter, String address, Exception cause) {
        return new RewriteFailure(WRITE_ERROR, parameter + " map lookup problem for " + address
                + " -- message not accepted, try again later (" + cause.getMessage() + ")");
    }
}
