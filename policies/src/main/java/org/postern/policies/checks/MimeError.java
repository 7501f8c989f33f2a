// MimeError: the MIME structure errors the streaming parser can report (Postfix mime_state.c), each
// with the enhanced status code and text the cleanup rejects with when the matching strict_* main.cf
// parameter (strict_8bitmime, strict_7bit_headers, strict_8bitmime_body, ...) asks for it.
package org.postern.policies.checks;

import org.postern.core.SmtpReply;

/** A MIME error, in Postfix's order of severity (the first one found is the one reported). */
public enum MimeError {
    /** Multipart nesting deeper than mime_nesting_limit; reported when any header check or strict_* is on. */
    NESTING("MIME nesting exceeds safety limit"),
    /** A logical header longer than header_size_limit (it is truncated; Postfix never rejects for it here). */
    TRUNCATED_HEADER("message header length exceeds safety limit"),
    /** 8-bit data in a header (strict_7bit_headers, strict_8bitmime). */
    EIGHT_BIT_IN_HEADER("improper use of 8-bit data in message header"),
    /** 8-bit data in a body declared or defaulting to 7bit (strict_8bitmime_body, strict_8bitmime). */
    EIGHT_BIT_IN_7BIT_BODY("improper use of 8-bit data in message body"),
    /** message/* or multipart/* with an encoding other than 7bit, 8bit, binary (strict_mime_encoding_domain). */
    ENCODING_DOMAIN("invalid message/* or multipart/* encoding domain");

    private final String text;

    MimeError(String text) {
        this.text = text;
    }

    /** Postfix's text, e.g. "improper use of 8-bit data in message header". */
    public String text() {
        return text;
    }

    /** The end-of-data reply: {@code 550 5.6.0 TEXT}. */
    public SmtpReply reply() {
        return SmtpReply.of(550, "5.6.0", text);
    }
}
