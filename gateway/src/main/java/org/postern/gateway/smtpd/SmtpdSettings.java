// SmtpdSettings: the frozen, typed view of one listener's main.cf + master.cf -o parameters that
// smtpd reads on every session (limits, TLS, SASL, relay policy, vscan_mode). Built once per listener at start
// or reload, so sessions never parse strings. Parameters: see from() below.
package org.postern.gateway.smtpd;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.postern.gateway.smtp.Destination;
import org.postern.gateway.vscan.ScanRequest;
import org.postern.gateway.vscan.VscanMode;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.DomainList;

record SmtpdSettings(
        String hostname, String banner, String mailName, String myorigin,
        long messageSizeLimit, long queueMinfree, int lineLengthLimit, int headerSizeLimit, int recipientLimit,
        Duration timeout, boolean perRecordDeadline, int hardErrorLimit, int softErrorLimit, Duration errorSleep, int junkCommandLimit,
        TlsLevel tlsLevel, boolean tlsAuthOnly, boolean wrapperMode, boolean saslEnabled,
        ClientLimits clientLimits, boolean smtputf8, Duration pregreetWait, Duration shutdownTimeout,
        boolean forbidBareNewline, boolean forbidUnauthPipelining, Set<String> discardEhloKeywords,
        boolean allowPercentHack, boolean swapBangpath, boolean peernameLookup,
        DomainList mydestination,
        VscanMode vscanMode, ScanRequest scanRequest) {

    /** smtpd_tls_security_level. */
    enum TlsLevel { NONE, MAY, ENCRYPT }

    /** RFC 5321 section 4.5.3.1.4: a command line is at most 512 octets, CRLF included. */
    static final int COMMAND_LINE_LIMIT = 512;
    /** RFC 4954 section 4: an AUTH line (initial response or continuation) may be up to 12288 octets. */
    static final int AUTH_LINE_LIMIT = 12288;

    static SmtpdSettings from(Config c) throws ConfigException {
        boolean wrapper = c.getBool("smtpd_tls_wrappermode");
        return new SmtpdSettings(
                c.get("myhostname"), c.get("smtpd_banner"), c.get("mail_name"), c.get("myorigin"),
                c.getLong("message_size_limit"), c.getLong("queue_minfree"), c.getInt("line_length_limit"), c.getInt("header_size_limit"),
                c.getInt("smtpd_recipient_limit"),
                c.getTime("smtpd_timeout"), c.getBool("smtpd_per_request_deadline"), c.getInt("smtpd_hard_error_limit"), c.getInt("smtpd_soft_error_limit"),
                c.getTime("smtpd_error_sleep_time"), c.getInt("smtpd_junk_command_limit"),
                wrapper ? TlsLevel.ENCRYPT : tlsLevel(c.get("smtpd_tls_security_level")),
                c.getBool("smtpd_tls_auth_only"), wrapper, c.getBool("smtpd_sasl_auth_enable"),
                ClientLimits.from(c), c.getBool("smtputf8_enable"),
                c.getTime("smtpd_pregreet_wait"), c.getTime("smtpd_shutdown_timeout"),
                c.getBool("smtpd_forbid_bare_newline"), c.getBool("smtpd_forbid_unauth_pipelining"),
                c.getList("smtpd_discard_ehlo_keywords").stream()
                        .map(k -> k.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()),
                c.getBool("allow_percent_hack"), c.getBool("swap_bangpath"), c.getBool("smtpd_peername_lookup"),
                c.mydestination(),
                VscanMode.of(c.get("vscan_mode")), scanRequest(c));
    }

    /**
     * What smtpd asks the vscan stage at end of DATA (vscan_mode before-queue: vscan_before_queue_time_limit;
     * content-filter: vscan_content_filter_nexthop), or null for after-queue and none.
     */
    private static ScanRequest scanRequest(Config c) {
        VscanMode mode = VscanMode.of(c.get("vscan_mode"));
        String name = mode == VscanMode.BEFORE_QUEUE ? "vscan_before_queue_time_limit" : "vscan_content_filter_nexthop";
        try {
            return switch (mode) {
                case BEFORE_QUEUE -> ScanRequest.beforeQueue(c.getTime(name));
                case CONTENT_FILTER -> ScanRequest.contentFilter(Destination.parse("smtp", c.get(name)));
                default -> null;
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.originOf(name) + ": " + name + " = " + c.get(name) + ": " + e.getMessage(), e);
        }
    }

    private static TlsLevel tlsLevel(String v) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "": case "none": return TlsLevel.NONE;
            case "may": return TlsLevel.MAY;
            case "encrypt": return TlsLevel.ENCRYPT;
            default: throw new IllegalArgumentException("smtpd_tls_security_level: unknown level \"" + v + "\"");
        }
    }

    boolean tlsOffered() {
        return tlsLevel != TlsLevel.NONE;
    }
}
