// SmtpSettings: the frozen settings of the SMTP/LMTP client -- Postfix's smtp_*_timeout limits,
// smtp_helo_name, smtp_tls_CAfile, the connection cache limits and how next hops are looked up
// (disable_dns_lookups, smtp_host_lookup, smtp_address_preference, smtp_mx_address_limit,
// smtp_mx_session_limit) -- with Postfix's defaults. fromConfig maps main.cf into one of these.
package org.postern.gateway.smtp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
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
 * @param addressLimit             addresses of a next hop (all its MX hosts together) tried in turn when connecting
 *                                 fails (smtp_mx_address_limit, 5; main.cf's 0 "no limit" is Integer.MAX_VALUE here)
 * @param replyLimit               bytes of one reply kept (longer multi-line replies are truncated)
 * @param dnsLookups               MX and address lookups through DNS (false: disable_dns_lookups = yes, the JDK
 *                                 resolver only and no MX lookups, as Postfix's getaddrinfo() path)
 * @param hostLookup               smtp_host_lookup: how host names (not MX lookups) are resolved when dnsLookups
 * @param addressPreference        smtp_address_preference: address family tried first among equal MX preferences
 * @param sessionLimit             smtp_mx_session_limit (2): servers that may fail after connecting (greeting) before
 *                                 the attempt gives up; refused connects do not count
 */
public record SmtpSettings(String heloName, Duration connectTimeout, Duration heloTimeout, Duration starttlsTimeout,
                           Duration mailTimeout, Duration rcptTimeout, Duration dataInitTimeout,
                           Duration dataXferTimeout, Duration dataDoneTimeout, Duration quitTimeout,
                           Duration rsetTimeout, Path tlsCaFile, boolean connectionCache,
                           Duration connectionCacheTimeLimit, Duration connectionReuseTimeLimit,
                           int addressLimit, int replyLimit, boolean dnsLookups, HostLookup hostLookup,
                           AddressPreference addressPreference, int sessionLimit) {

    /** smtp_host_lookup: dns (Postfix's default), native (the JDK resolver, which reads /etc/hosts), or "dns, native". */
    public enum HostLookup {
        DNS, NATIVE, DNS_THEN_NATIVE;

        /** A main.cf value: "dns", "native", "dns, native" (commas and/or spaces; "native, dns" is taken as "dns, native"). */
        public static HostLookup of(List<String> mechanisms) {
            boolean dns = false;
            boolean nativ = false;
            for (String m : mechanisms) {
                switch (m.toLowerCase(Locale.ROOT)) {
                    case "dns" -> dns = true;
                    case "native" -> nativ = true;
                    default -> throw new IllegalArgumentException("unknown host lookup mechanism \"" + m
                            + "\" (expected dns, native or \"dns, native\")");
                }
            }
            if (!dns && !nativ) throw new IllegalArgumentException("no host lookup mechanism (expected dns, native or \"dns, native\")");
            return dns && nativ ? DNS_THEN_NATIVE : dns ? DNS : NATIVE;
        }

        boolean dns() { return this != NATIVE; }
        boolean nativeLookup() { return this != DNS; }
    }

    /** smtp_address_preference: ipv4, ipv6 or any (the DNS order). */
    public enum AddressPreference {
        ANY, IPV4, IPV6;

        public static AddressPreference of(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "any" -> ANY;
                case "ipv4" -> IPV4;
                case "ipv6" -> IPV6;
                default -> throw new IllegalArgumentException("unknown address preference \"" + value
                        + "\" (expected ipv4, ipv6 or any)");
            };
        }
    }

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
        Objects.requireNonNull(hostLookup, "hostLookup");
        Objects.requireNonNull(addressPreference, "addressPreference");
        if (sessionLimit < 1) throw new IllegalArgumentException("sessionLimit " + sessionLimit);
    }

    /** Postfix's defaults, with {@code heloName} as $myhostname. */
    public static SmtpSettings defaults(String heloName) {
        return builder(heloName).build();
    }

    /**
     * The settings main.cf gives: smtp_helo_name, the smtp_*_timeout limits, smtp_tls_CAfile (relative to
     * the config directory), smtp_connection_cache_time_limit, smtp_connection_reuse_time_limit,
     * disable_dns_lookups, smtp_host_lookup, smtp_address_preference, smtp_mx_address_limit and
     * smtp_mx_session_limit.
     *
     * @throws IllegalArgumentException for a bad value, naming main.cf:line and the parameter
     */
    public static SmtpSettings fromConfig(Config c) {
        String ca = c.get("smtp_tls_CAfile");
        HostLookup lookup = checked(c, "smtp_host_lookup", () -> HostLookup.of(c.getList("smtp_host_lookup")));
        AddressPreference preference = checked(c, "smtp_address_preference",
                () -> AddressPreference.of(c.get("smtp_address_preference")));
        int addresses = c.getInt("smtp_mx_address_limit");
        int sessions = c.getInt("smtp_mx_session_limit");
        checked(c, "smtp_mx_address_limit", () -> positive(addresses, true));
        checked(c, "smtp_mx_session_limit", () -> positive(sessions, false));
        return builder(c.get("smtp_helo_name"))
                .dnsLookups(!c.getBool("disable_dns_lookups")).hostLookup(lookup).addressPreference(preference)
                .addressLimit(addresses == 0 ? Integer.MAX_VALUE : addresses).sessionLimit(sessions)
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

    private static <T> T checked(Config c, String name, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.originOf(name) + ": " + name + ": " + e.getMessage(), e);
        }
    }

    private static Integer positive(int n, boolean zeroAllowed) {
        if (n < (zeroAllowed ? 0 : 1)) throw new IllegalArgumentException("must be " + (zeroAllowed ? "0 or more" : "1 or more"));
        return n;
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
        b.dnsLookups = dnsLookups;
        b.hostLookup = hostLookup;
        b.addressPreference = addressPreference;
        b.sessionLimit = sessionLimit;
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
        private boolean dnsLookups = true;
        private HostLookup hostLookup = HostLookup.DNS;
        private AddressPreference addressPreference = AddressPreference.ANY;
        private int sessionLimit = 2;

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
        public Builder dnsLookups(boolean on) { dnsLookups = on; return this; }
        public Builder hostLookup(HostLookup h) { hostLookup = h; return this; }
        public Builder addressPreference(AddressPreference p) { addressPreference = p; return this; }
        public Builder sessionLimit(int n) { sessionLimit = n; return this; }

        public SmtpSettings build() {
            return new SmtpSettings(helloName, connect, helo, starttls, mail, rcpt, dataInit, dataXfer, dataDone, quit,
                    rset, caFile, cache, cacheTime, reuseTime, addressLimit, replyLimit, dnsLookups, hostLookup,
                    addressPreference, sessionLimit);
        }
    }
}
