// SaslResult: the outcome of decoding one SASL client response in smtpd's AUTH dialogue (RFC 4954):
// a value, or a failure that already knows its SMTP reply. Pure data, no I/O.
// Governed by main.cf smtpd_sasl_auth_enable.
package org.postern.gateway.sasl;

import java.util.Objects;
import org.postern.core.SmtpReply;

/** Either {@link Ok} with the decoded value or {@link Failed} with the reason and the reply to send. */
public sealed interface SaslResult<T> {

    /** The response decoded to {@code value}. */
    record Ok<T>(T value) implements SaslResult<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /** The response was refused; {@code detail} is for the log (never contains a password). */
    record Failed<T>(Failure failure, String detail) implements SaslResult<T> {
        public Failed {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(detail, "detail");
        }

        public SmtpReply reply() {
            return failure.reply();
        }
    }

    /** Why a response was refused, with the reply RFC 4954 asks for. */
    enum Failure {
        /** The client sent "*" (RFC 4954 section 4): 501 5.7.0. */
        CANCELLED(SmtpReply.of(501, "5.7.0", "Authentication aborted")),
        /** Bad base64, missing NUL separators, empty user or password, not UTF-8: 501 5.5.2. */
        MALFORMED(SmtpReply.of(501, "5.5.2", "Cannot decode AUTH response")),
        /** An authorization identity different from the user: proxy authorization is not supported. */
        AUTHZID_REJECTED(SmtpReply.of(535, "5.7.8", "Authentication credentials invalid"));

        private final SmtpReply reply;

        Failure(SmtpReply reply) {
            this.reply = reply;
        }

        public SmtpReply reply() {
            return reply;
        }
    }

    static <T> SaslResult<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> SaslResult<T> failed(Failure failure, String detail) {
        return new Failed<>(failure, detail);
    }
}
