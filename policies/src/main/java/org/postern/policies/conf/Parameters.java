// Parameters: the registry of every main.cf parameter Postern reads, with Postfix's names and
// defaults (Postern's own where noted) -- Postern's mail_params.h. Config accepts exactly these
// names; any other name in main.cf is reported as a Postfix-only or unknown parameter.
package org.postern.policies.conf;

import static org.postern.policies.conf.Parameter.Type.BOOL;
import static org.postern.policies.conf.Parameter.Type.INT;
import static org.postern.policies.conf.Parameter.Type.LIST;
import static org.postern.policies.conf.Parameter.Type.LONG;
import static org.postern.policies.conf.Parameter.Type.STRING;
import static org.postern.policies.conf.Parameter.Type.TIME;

import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The declared parameters, in declaration order. */
public final class Parameters {

    /** Computes a default at load time; the result is literal text (no further $ expansion). */
    interface ComputedDefault {
        String compute(Context context);
    }

    /** What a computed default may look at. */
    interface Context {
        Path configDir();

        /** The fully expanded value of another parameter (loops are reported by the caller). */
        String expanded(String name);
    }

    private static final Map<String, Parameter> BY_NAME = new LinkedHashMap<>();
    private static final Map<String, ComputedDefault> COMPUTED = new LinkedHashMap<>();

    static {
        // Identity of this mail system.
        computed("myhostname", "the machine's fully-qualified domain name (name.localdomain if it has no domain)",
                "Internet hostname of this mail system", c -> LocalHost.fqdn());
        computed("mydomain", "$myhostname minus its first label (localdomain if it has only one)",
                "Internet domain name of this mail system", c -> parentDomain(c.expanded("myhostname")));
        define("myorigin", STRING, "$myhostname", "domain that locally-posted mail appears to come from");
        define("mynetworks", LIST, "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128",
                "trusted client networks (permit_mynetworks); Postfix 3 mynetworks_style=host on loopback");
        define("mydestination", LIST, "$myhostname, localhost.$mydomain, localhost",
                "domains this machine considers itself the final destination for");
        define("relay_domains", LIST, "", "destination domains (and subdomains) this system relays mail to");
        define("parent_domain_matches_subdomains", LIST,
                "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,"
                        + "qmqpd_authorized_clients,relay_domains,smtpd_access_maps",
                "features where the pattern example.com also matches subdomains of example.com");
        define("mail_name", STRING, "Postern", "mail system name, as shown in the SMTP greeting and bounces");
        computed("mail_version", "the Postern release", "(read-only) Postern's version", c -> version());
        computed("config_directory", "the directory given with -c", "directory with main.cf and master.cf",
                c -> c.configDir().toString());
        define("service_name", STRING, "", "(read-only) master.cf service name of the current smtpd");

        // Files and logging.
        define("queue_directory", STRING, "/var/spool/postern", "location of the mail queue");
        define("data_directory", STRING, "/var/lib/postern", "quarantine index, keys and other writable data");
        define("maillog_file", STRING, "", "file to log to instead of stdout/syslog (empty: syslog)");
        define("syslog_name", STRING, "postern", "mail log line prefix (program name)");
        define("syslog_facility", STRING, "mail", "syslog facility for the mail log");
        define("enable_long_queue_ids", BOOL, "no", "use long, non-repeating queue ids");
        define("default_process_limit", INT, "100", "master.cf maxproc for \"-\": concurrent sessions per service");

        // Message limits.
        define("message_size_limit", LONG, "10240000", "maximal size in bytes of a message, envelope included");
        define("line_length_limit", INT, "2048", "longer lines are broken up (cleanup) to this length");
        define("header_size_limit", INT, "102400", "maximal bytes in one message header");
        define("queue_minfree", LONG, "0", "free bytes the queue file system must keep: MAIL FROM gets 452 4.3.1 "
                + "while no more than this or 1.5 x message_size_limit is free, or when SIZE= would leave no more than this");

        // SMTP server.
        define("smtpd_banner", STRING, "$myhostname ESMTP $mail_name", "text after the 220 code of the greeting");
        define("smtpd_recipient_limit", INT, "1000", "maximal recipients per message");
        time("smtpd_timeout", "300s", ChronoUnit.SECONDS, "time limit to send a reply or receive a request");
        define("smtpd_per_request_deadline", BOOL, "yes",
                "Postern: yes (Postfix: only under stress): smtpd_timeout limits a whole command line or message line, "
                        + "not each read, so a client dripping a byte at a time is cut off");
        define("smtpd_hard_error_limit", INT, "20", "errors after which the session is disconnected");
        define("smtpd_soft_error_limit", INT, "10", "errors after which each reply is delayed");
        time("smtpd_error_sleep_time", "1s", ChronoUnit.SECONDS, "delay per reply after smtpd_soft_error_limit");
        define("smtpd_junk_command_limit", INT, "100", "NOOP/VRFY/ETRN/RSET commands before they count as errors");
        define("smtpd_client_connection_count_limit", INT, "50",
                "simultaneous connections per client (0: no limit)");
        define("smtpd_client_connection_rate_limit", INT, "0",
                "connections per client and anvil_rate_time_unit (0: no limit); over it: 421");
        define("smtpd_client_message_rate_limit", INT, "0",
                "MAIL FROM commands per client and anvil_rate_time_unit (0: no limit); over it: 450");
        define("smtpd_client_recipient_rate_limit", INT, "0",
                "RCPT TO commands per client and anvil_rate_time_unit (0: no limit); over it: 450");
        define("smtpd_client_auth_rate_limit", INT, "0",
                "AUTH commands per client and anvil_rate_time_unit (0: no limit); over it: 450");
        define("smtpd_client_event_limit_exceptions", LIST, "$mynetworks",
                "clients (addresses, networks) exempt from the smtpd_client_*_limit parameters");
        time("anvil_rate_time_unit", "60s", ChronoUnit.SECONDS, "time unit of the smtpd_client_*_rate_limit parameters");
        define("smtpd_discard_ehlo_keywords", LIST, "", "EHLO keywords not to announce (and to ignore)");
        define("smtputf8_enable", BOOL, "yes", "offer SMTPUTF8 (RFC 6531)");
        define("smtpd_forbid_unauth_pipelining", BOOL, "yes",
                "Postern and Postfix 3.9 default yes (Postfix 3.7: no): a client sending commands ahead where RFC 2920 "
                        + "forbids it gets 554 5.5.0 and is disconnected");
        define("smtpd_forbid_bare_newline", BOOL, "yes",
                "Postern default yes: reject bare LF in SMTP input (SMTP smuggling); Postfix 3.7 default no");
        time("smtpd_pregreet_wait", "500ms", ChronoUnit.SECONDS,
                "Postern: wait this long before the banner; a client that talks first is a pregreeter");
        time("smtpd_shutdown_timeout", "30s", ChronoUnit.SECONDS,
                "Postern: grace given to sessions in progress when the gateway stops");

        // TLS and SASL.
        define("smtpd_tls_cert_file", STRING, "", "PEM server certificate (chain) file");
        define("smtpd_tls_key_file", STRING, "$smtpd_tls_cert_file", "PEM private key file");
        choice("smtpd_tls_security_level", "", "STARTTLS policy: empty or none, may (offer), encrypt (require)",
                "", "none", "may", "encrypt");
        define("smtpd_tls_auth_only", BOOL, "yes", "offer AUTH only after STARTTLS (POSTERN default yes: no password in the clear)");
        define("smtpd_tls_wrappermode", BOOL, "no", "TLS from connect (port 465 submissions), not STARTTLS");
        define("smtpd_sasl_auth_enable", BOOL, "no", "offer SMTP AUTH");
        define("smtpd_sasl_password_file", STRING, "$config_directory/sasl_passwd",
                "Postern: user:password-hash file for SMTP AUTH");

        // Client name and DNS.
        define("smtpd_peername_lookup", BOOL, "yes",
                "look up the client's name (PTR, then forward confirmation) before the greeting");
        define("dns_servers", LIST, "",
                "Postern: DNS servers as host or host:port (empty: those of /etc/resolv.conf)");
        time("dns_timeout", "5s", java.time.temporal.ChronoUnit.SECONDS,
                "Postern: time budget of one DNS lookup; past it the lookup is a temporary failure");

        // Address rewriting.
        define("allow_percent_hack", BOOL, "no", "Postern default no: rewrite user%domain to user@domain");
        define("swap_bangpath", BOOL, "no", "Postern default no: rewrite site!user to user@site");
        define("resolve_dequoted_address", BOOL, "yes", "resolve a quoted local part after removing quotes");

        // Access restrictions (evaluated by org.postern.policies.restrict).
        define("smtpd_client_restrictions", LIST, "", "restrictions on the client address and name");
        define("smtpd_helo_restrictions", LIST, "", "restrictions on the HELO/EHLO name");
        define("smtpd_sender_restrictions", LIST, "", "restrictions on MAIL FROM");
        define("smtpd_relay_restrictions", LIST, "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination",
                "mail relay control for RCPT TO, evaluated before smtpd_recipient_restrictions");
        define("smtpd_recipient_restrictions", LIST, "", "spam blocking restrictions for RCPT TO");
        define("smtpd_data_restrictions", LIST, "", "restrictions on DATA");
        define("smtpd_end_of_data_restrictions", LIST, "", "restrictions on the end of the message content");
        define("smtpd_restriction_classes", LIST, "",
                "names of main.cf parameters that each define a restriction list (a restriction class)");
        define("smtpd_delay_reject", BOOL, "yes",
                "evaluate client, HELO and sender restrictions at RCPT TO, once per recipient");
        define("smtpd_relay_before_recipient_restrictions", BOOL, "yes",
                "evaluate smtpd_relay_restrictions before smtpd_recipient_restrictions (Postfix 3.6 default)");
        define("smtpd_reject_unlisted_recipient", BOOL, "yes",
                "reject a recipient in relay_domains that relay_recipient_maps does not list");
        define("smtpd_reject_unlisted_sender", BOOL, "no",
                "reject a sender address in relay_domains that relay_recipient_maps does not list");
        define("relay_recipient_maps", LIST, "", "tables of the valid recipients in relay_domains (empty: all)");
        define("smtpd_sender_login_maps", LIST, "",
                "tables mapping a MAIL FROM address to the SASL login names that own it");
        define("allow_untrusted_routing", BOOL, "no",
                "let recipients with sender-specified routing (user%domain@ours, site!user@ours) relay");
        define("show_user_unknown_table_name", BOOL, "yes", "name the recipient table in \"User unknown\" replies");
        define("default_rbl_reply", STRING,
                "$$rbl_code Service unavailable; $$rbl_class [$$rbl_what] blocked using $$rbl_domain$${rbl_reason?; $$rbl_reason}",
                "reply template of a DNS block list rejection; read unexpanded when set in main.cf, as Postfix does");
        define("rbl_reply_maps", LIST, "", "tables with a reply template per DNS block list domain");
        define("maps_rbl_reject_code", INT, "554", "the reply code ($rbl_code) of a DNS block list rejection");
        choice("rbl_tempfail_action", "defer_if_permit",
                "Postern: what a DNS failure while asking a block list gives (Postfix silently permits)",
                "defer_if_permit", "defer");
        define("access_map_reject_code", INT, "554", "reply code of an access(5) REJECT");
        define("access_map_defer_code", INT, "450", "reply code of an access(5) DEFER, DEFER_IF_PERMIT, DEFER_IF_REJECT");
        define("reject_code", INT, "554", "reply code of the reject restriction");
        define("defer_code", INT, "450", "reply code of the defer restriction");
        define("relay_domains_reject_code", INT, "554", "reply code of reject_unauth_destination (defer_..: minus 100)");
        define("invalid_hostname_reject_code", INT, "501", "reply code of reject_invalid_helo_hostname");
        define("non_fqdn_reject_code", INT, "504", "reply code of the reject_non_fqdn_* restrictions");
        define("unknown_address_reject_code", INT, "450",
                "reply code of reject_unknown_sender_domain and reject_unknown_recipient_domain (domain not found)");
        define("unknown_client_reject_code", INT, "450", "reply code of reject_unknown_client_hostname (no name)");
        define("unknown_hostname_reject_code", INT, "450", "reply code of reject_unknown_helo_hostname");
        define("unknown_relay_recipient_reject_code", INT, "550", "reply code for a recipient relay_recipient_maps lacks");
        define("plaintext_reject_code", INT, "450", "reply code of reject_plaintext_session");
        define("multi_recipient_bounce_reject_code", INT, "550", "reply code of reject_multi_recipient_bounce");
        choice("reject_tempfail_action", "defer_if_permit",
                "what a temporary failure of a reject_unknown_* lookup gives", "defer_if_permit", "defer");
        choice("unknown_address_tempfail_action", "$reject_tempfail_action",
                "DNS failure in reject_unknown_sender_domain/recipient_domain", "defer_if_permit", "defer");
        choice("unknown_helo_hostname_tempfail_action", "$reject_tempfail_action",
                "DNS failure in reject_unknown_helo_hostname", "defer_if_permit", "defer");
        time("smtpd_policy_service_timeout", "100s", ChronoUnit.SECONDS,
                "time limit to connect to, write to or read from a policy server");
        time("smtpd_policy_service_max_idle", "300s", ChronoUnit.SECONDS, "an idle policy connection is closed after this");
        time("smtpd_policy_service_max_ttl", "1000s", ChronoUnit.SECONDS, "a policy connection is closed at this age");
        define("smtpd_policy_service_default_action", STRING, "451 4.3.5 Server configuration problem",
                "the access(5) action used when a policy server cannot be asked (after the try limit)");
        define("smtpd_policy_service_try_limit", INT, "2", "attempts per policy request, over new connections");
        time("smtpd_policy_service_retry_delay", "1s", ChronoUnit.SECONDS, "pause between two attempts of one request");
        define("smtpd_policy_service_request_limit", INT, "0", "requests per policy connection (0: no limit)");
        define("smtpd_policy_service_policy_context", STRING, "", "sent as policy_context= in every request");

        // Lookup tables and access maps (org.postern.policies.table).
        define("recipient_delimiter", STRING, "", "characters that separate a user name from an address extension");
        define("owner_request_special", BOOL, "yes",
                "with - as recipient_delimiter, keep owner-foo and foo-request whole");
        define("double_bounce_sender", STRING, "double-bounce", "sender of double bounces; never split at a delimiter");
        define("smtpd_null_access_lookup_key", STRING, "<>", "access-map key for the null sender address");
        define("default_database_type", STRING, "hash", "table type of a name given without type: (postern map -q)");

        // Content inspection while the message streams into the queue (org.postern.policies.checks).
        define("header_checks", LIST, "", "tables with rules for the primary message headers (header_checks(5))");
        define("mime_header_checks", LIST, "$header_checks",
                "tables with rules for MIME headers (Content-*, MIME-Version) and attachment headers");
        define("nested_header_checks", LIST, "$header_checks",
                "tables with rules for the headers of attached message/rfc822 messages");
        define("body_checks", LIST, "", "tables with rules for message body lines, one line at a time");
        define("body_checks_size_limit", INT, "51200",
                "bytes per body part (attachment) subjected to body_checks (0: no limit)");
        define("disable_mime_input_processing", BOOL, "no",
                "treat all text after the primary headers as body (no MIME parsing)");
        define("mime_nesting_limit", INT, "100", "maximal multipart nesting depth the MIME parser follows");
        define("mime_boundary_length_limit", INT, "2048", "maximal length of a MIME boundary string kept");
        define("strict_8bitmime", BOOL, "no",
                "reject 8-bit data in headers and in bodies declared 7-bit (strict_7bit_headers + strict_8bitmime_body)");
        define("strict_7bit_headers", BOOL, "no", "reject mail with 8-bit data in message headers");
        define("strict_8bitmime_body", BOOL, "no", "reject 8-bit body data in parts without an 8-bit encoding");
        define("strict_mime_encoding_domain", BOOL, "no",
                "reject message/* and multipart/* parts with an encoding other than 7bit, 8bit or binary");

        // SMTP/LMTP client (org.postern.gateway.smtp; mapped into SmtpSettings and Destination).
        define("smtp_helo_name", STRING, "$myhostname", "hostname sent in the SMTP EHLO or HELO command");
        time("smtp_connect_timeout", "30s", ChronoUnit.SECONDS, "time limit for completing a TCP connection");
        time("smtp_helo_timeout", "300s", ChronoUnit.SECONDS,
                "time limit for receiving the greeting and the reply to EHLO/HELO");
        time("smtp_starttls_timeout", "300s", ChronoUnit.SECONDS,
                "time limit for the STARTTLS reply and the TLS handshake");
        time("smtp_mail_timeout", "300s", ChronoUnit.SECONDS, "time limit for the reply to MAIL FROM");
        time("smtp_rcpt_timeout", "300s", ChronoUnit.SECONDS, "time limit for the reply to each RCPT TO");
        time("smtp_data_init_timeout", "120s", ChronoUnit.SECONDS, "time limit for the reply to DATA");
        time("smtp_data_xfer_timeout", "180s", ChronoUnit.SECONDS,
                "time limit for sending the message content (longest stall)");
        time("smtp_data_done_timeout", "600s", ChronoUnit.SECONDS, "time limit for the reply to the end of the content");
        time("smtp_quit_timeout", "300s", ChronoUnit.SECONDS, "time limit for the reply to QUIT");
        time("smtp_rset_timeout", "20s", ChronoUnit.SECONDS, "time limit for the reply to RSET before reusing a connection");
        choice("smtp_tls_security_level", "", "STARTTLS policy of the SMTP client: empty or none, may, encrypt, "
                + "verify (certificate and host name checked; secure is taken as verify)",
                "", "none", "may", "encrypt", "verify", "secure");
        define("smtp_tls_CAfile", STRING, "", "PEM trust anchors for smtp_tls_security_level = verify (empty: the JDK's)");
        define("smtp_sasl_auth_enable", BOOL, "no", "authenticate to the next hop with smtp_sasl_password_maps");
        define("smtp_sasl_password_maps", LIST, "", "tables of next hop (or sender) to username:password");
        define("smtp_sasl_security_options", LIST, "noplaintext, noanonymous",
                "SASL restrictions of the SMTP client; noplaintext: credentials only inside TLS");
        time("smtp_connection_cache_time_limit", "2s", ChronoUnit.SECONDS,
                "longest time an idle SMTP client connection is kept for the next message");
        time("smtp_connection_reuse_time_limit", "300s", ChronoUnit.SECONDS,
                "no reuse of an SMTP client connection older than this");

        // Queue manager (org.postern.gateway.qmgr; mapped into QmgrSettings and StaticRouter).
        time("minimal_backoff_time", "300s", ChronoUnit.SECONDS,
                "shortest time between delivery attempts of a deferred message");
        time("maximal_backoff_time", "4000s", ChronoUnit.SECONDS,
                "longest time between delivery attempts of a deferred message");
        time("queue_run_delay", "300s", ChronoUnit.SECONDS, "time between deferred queue scans by the queue manager");
        time("maximal_queue_lifetime", "5d", ChronoUnit.DAYS,
                "time a message may stay deferred before it is returned as undeliverable");
        time("bounce_queue_lifetime", "5d", ChronoUnit.DAYS,
                "maximal_queue_lifetime for mail from the null sender (bounces)");
        define("default_destination_concurrency_limit", INT, "20", "parallel deliveries to the same next hop");
        define("default_destination_recipient_limit", INT, "50", "recipients per delivery to the same next hop");
        define("relayhost", STRING, "", "next hop for mail that no transport or FILTER routes elsewhere");

        BackendParameters.declare();
        VscanParameters.declare();
    }

    private Parameters() {}

    /** Every declared parameter, in declaration order. */
    public static List<Parameter> all() {
        return List.copyOf(BY_NAME.values());
    }

    public static Optional<Parameter> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static boolean isDeclared(String name) {
        return BY_NAME.containsKey(name);
    }

    static Map<String, Parameter> byName() {
        return Collections.unmodifiableMap(BY_NAME);
    }

    /** The computed default of {@code name}, or null when its default is plain main.cf text. */
    static ComputedDefault computedDefault(String name) {
        return COMPUTED.get(name);
    }

    /** Postfix's mydomain rule: drop the first label; a single-label name gives "localdomain". */
    static String parentDomain(String hostname) {
        int dot = hostname.indexOf('.');
        return dot < 0 || dot == hostname.length() - 1 ? "localdomain" : hostname.substring(dot + 1);
    }

    private static String version() {
        String v = Parameters.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    static void define(String name, Parameter.Type type, String def, String doc) {
        add(new Parameter(name, type, def, null, List.of(), doc, false));
    }

    static void time(String name, String def, ChronoUnit unit, String doc) {
        add(new Parameter(name, TIME, def, unit, List.of(), doc, false));
    }

    static void choice(String name, String def, String doc, String... choices) {
        add(new Parameter(name, STRING, def, null, List.of(choices), doc, false));
    }

    private static void computed(String name, String description, String doc, ComputedDefault how) {
        add(new Parameter(name, STRING, description, null, List.of(), doc, true));
        COMPUTED.put(name, how);
    }

    private static void add(Parameter p) {
        if (BY_NAME.putIfAbsent(p.name(), p) != null) throw new IllegalStateException("declared twice: " + p.name());
    }
}
