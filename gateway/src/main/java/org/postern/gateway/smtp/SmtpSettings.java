// SmtpSettings: the frozen settings of the SMTP/LMTP client -- Postfix's smtp_*_timeout limits,
// smtp_helo_name, smtp_tls_CAfile and the connection cache limits -- with Postfix's defaults. The
// lead maps main.cf (smtp_* or lmtp_* parameters) into one of these per transport.
package org.postern.gateway.smtp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.postern.policies.conf.Config;

/**
 * @param heloName                 smtp_helo_name / lmtp_lhlo_name (default $myhostname)
 * @param connectTimeout           smtp_connect_timeout (30s): TCP connection set-up
 * @param heloTimeout              smtp_helo_timeout (300s): the greeting, and the EHLO/HELO/LHLO reply
 * @param starttlsTimeout          smtp_starttls_timeout (300s): STARTTLS reply and the TLS handshake
 * @param mailTimeout              smtp_mail_timeout (300s): MAIL FROM reply (and AUTH replies)
 * @param rcptTimeout              smtp_rcpt_timeout (300s): each RCPT TO reply
 * @param dataInitTimeout          smtp_data_init_timeout (120s): the DATA reply
 * @param dataXferTimeout          smtp_data_xfer_timeout (180s): longest stall while sending content
 * @param dataDoneTimeout          smtp_data_done_timeout (600s): the end-of-data reply(s)
 * @param quitTimeout              smtp_quit_timeout (300s): the QUIT reply
 * @param rsetTimeout              smtp_rset_timeout (20s): RSET before reusing a cached connection
 * @param tlsCaFile                smtp_tls_CAfile: PEM trust anchors for TLS level verify; null = the JDK's
 * @param connectionCache          keep connections open for the next message to the same destination
 * @param connectionCacheTimeLimit smtp_connection_cache_time_limit (2s): longest idle time in the cache
 * @param connectionReuseTimeLimit smtp_connection_reuse_time_limit (300s): no reuse of an older connection
 * @param addressLimit             addresses of one host name tried in turn when connecting fails (smtp_mx_address_limit, 5)
 * @param replyLimit               bytes of one reply kept (longer multi-line replies are truncated)
 */
public record SmtpSettings(String heloName, Duration connectTimeout, Duration heloTimeout, Duration starttlsTimeout,
                           Duration mailTimeout, Duration rcptTimeout, Duration dataInitTimeout,
                           Duration dataXferTimeout, Duration dataDoneTimeout, Duration quitTimeout,
                           Duration rsetTimeout, Path tlsCaFile, boolean connectionCache,
                           Duration connectionCacheTimeLimit, Duration connectionReuseTimeLimit,
                           int addressLimit, int replyLimit) {
    public SmtpSettings {
        Objects.requireNonNull(heloName, "heloName");
        if (heloName.isBlank() || heloName.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("bad HELO name \"" + heloName + "\"");
        }
        for (Duration d : new Duration[] {connectTimeout, heloTimeout, starttlsTimeout, mailTimeout, rcptTimeout,
                dataInitTimeout, dataXferTimeout, dataDoneTimeout, quitTimeout, rsetTimeout}) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("timeouts must be positive");
        }
        Objects.requireNonNull(connectionCacheTimeLimit, "connectionCacheTimeLimit");
        Objects.requireNonNull(connectionReuseTimeLimit, "connectionReuseTimeLimit");
        if (addressLimit < 1) throw new IllegalArgumentException("addressLimit " + addressLimit);
        if (replyLimit < 512) throw new IllegalArgumentException("replyLimit " + replyLimit);
    }

    /** Postfix's defaults, with {@code heloName} as $myhostname. */
    public static SmtpSettings defaults(String heloName) {
        return builder(heloName).build();
    }

    /**
     * The settings main.cf gives: smtp_helo_name, the smtp_*_timeout limits, smtp_tls_CAfile (relative to
     * the config directory), smtp_connection_cache_time_limit and smtp_connection_reuse_time_limit.
     */
    public static SmtpSettings fromConfig(Config c) {
        String ca = c.get("smtp_tls_CAfile");
        return builder(c.get("smtp_helo_name"))
                .connectTimeout(c.getTime("smtp_connect_timeout")).heloTimeout(c.getTime("smtp_helo_timeout"))
                .starttlsTimeout(c.getTime("smtp_starttls_timeout")).mailTimeout(c.getTime("smtp_mail_timeout"))
                .rcptTimeout(c.getTime("smtp_rcpt_timeout")).dataInitTimeout(c.getTime("smtp_data_init_timeout"))
                .dataXferTimeout(c.getTime("smtp_data_xfer_timeout")).dataDoneTimeout(c.getTime("smtp_data_done_timeout"))
                .quitTimeout(c.getTime("smtp_quit_timeout")).rsetTimeout(c.getTime("smtp_rset_timeout"))
                .tlsCaFile(ca.isEmpty() ? null : c.configDir().resolve(ca))
                .connectionCacheTimeLimit(c.getTime("smtp_connection_cache_time_limit"))
                .connectionReuseTimeLimit(c.getTime("smtp_connection_reuse_time_limit"))
                .build();
    }

    public static Builder builder(String heloName) {
        return new Builder(heloName);
    }

    /** A builder seeded with these settings. */
    public Builder toBuilder() {
        Builder b = new Builder(heloName);
        b.connect = connectTimeout;
        b.helo = heloTimeout;
        b.starttls = starttlsTimeout;
        b.mail = mailTimeout;
        b.rcpt = rcptTimeout;
        b.dataInit = dataInitTimeout;
        b.dataXfer = dataXferTimeout;
        b.dataDone = dataDoneTimeout;
        b.quit = quitTimeout;
        b.rset = rsetTimeout;
        b.caFile = tlsCaFile;
        b.cache = connectionCache;
        b.cacheTime = connectionCacheTimeLimit;
        b.reuseTime = connectionReuseTimeLimit;
        b.addressLimit = addressLimit;
        b.replyLimit = replyLimit;
        return b;
    }

    /** Settings with Postfix's defaults unless changed. */
    public static final class Builder {
        private final String helloName;
        private Duration connect = Duration.ofSeconds(30), helo = Duration.ofSeconds(300),
                starttls = Duration.ofSeconds(300), mail = Duration.ofSeconds(300), rcpt = Duration.ofSeconds(300),
                dataInit = Duration.ofSeconds(120), dataXfer = Duration.ofSeconds(180),
                dataDone = Duration.ofSeconds(600), quit = Duration.ofSeconds(300), rset = Duration.ofSeconds(20);
        private Path caFile;
        private boolean cache = true;
        private Duration cacheTime = Duration.ofSeconds(2), reuseTime = Duration.ofSeconds(300);
        private int addressLimit = 5;
        private int replyLimit = 8192;

        private Builder(String heloName) {
            this.helloName = heloName;
        }

        public Builder connectTimeout(Duration d) { connect = d; return this; }
        public Builder heloTimeout(Duration d) { helo = d; return this; }
        public Builder starttlsTimeout(Duration d) { starttls = d; return this; }
        public Builder mailTimeout(Duration d) { mail = d; return this; }
        public Builder rcptTimeout(Duration d) { rcpt = d; return this; }
        public Builder dataInitTimeout(Duration d) { dataInit = d; return this; }
        public Builder dataXferTimeout(Duration d) { dataXfer = d; return this; }
        public Builder dataDoneTimeout(Duration d) { dataDone = d; return this; }
        public Builder quitTimeout(Duration d) { quit = d; return this; }
        public Builder rsetTimeout(Duration d) { rset = d; return this; }

        /** Every protocol timeout at once (tests). */
        public Builder allTimeouts(Duration d) {
            connect = helo = starttls = mail = rcpt = dataInit = dataXfer = dataDone = quit = rset = d;
            return this;
        }

        public Builder tlsCaFile(Path file) { caFile = file; return this; }
        public Builder connectionCache(boolean on) { cache = on; return this; }
        public Builder connectionCacheTimeLimit(Duration d) { cacheTime = d; return this; }
        public Builder connectionReuseTimeLimit(Duration d) { reuseTime = d; return this; }
        public Builder addressLimit(int n) { addressLimit = n; return this; }
        public Builder replyLimit(int bytes) { replyLimit = bytes; return this; }

        public SmtpSettings build() {
            return new SmtpSettings(helloName, connect, helo, starttls, mail, rcpt, dataInit, dataXfer, dataDone, quit,
                    rset, caFile, cache, cacheTime, reuseTime, addressLimit, replyLimit);
        }
    }
}
