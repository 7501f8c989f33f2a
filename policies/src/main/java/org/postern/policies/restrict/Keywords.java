// Keywords: the table of restriction names Postern knows -- keyword, argument kind, what session
// fact it needs (so a list that runs before that fact exists is a load error), and its factory --
// plus Postfix restrictions Postern does not implement, so those get a precise load error.
package org.postern.policies.restrict;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.restrict.SenderLogin.Mode;

/** Static registry; keyword lookup is case-insensitive, as Postfix's strcasecmp(). */
final class Keywords {
    private Keywords() {}

    /** What must follow the keyword. */
    enum Arg { NONE, TABLE, SITE, SECONDS, SERVICE }

    /** The session fact a restriction looks at, and the first stage that has it. */
    enum Need {
        NOTHING(Stage.CONNECT, "nothing"), HELO(Stage.HELO, "the HELO name"), SENDER(Stage.MAIL, "the sender address"),
        RECIPIENT(Stage.RCPT, "the recipient address");

        final Stage stage;
        final String what;

        Need(Stage stage, String what) {
            this.stage = stage;
            this.what = what;
        }
    }

    @FunctionalInterface
    interface Factory {
        Restriction create(Env env, Place place, String written, String arg) throws ConfigException;
    }

    record Keyword(String name, Arg arg, Need need, Factory factory) {}

    private static final Map<String, Keyword> KEYWORDS = new LinkedHashMap<>();
    private static final Map<String, String> UNSUPPORTED = new LinkedHashMap<>();

    static {
        // Any list.
        add("permit", Arg.NONE, Need.NOTHING, (e, p, w, a) -> GenericRestrictions.permit(p, w));
        add("reject", Arg.NONE, Need.NOTHING, (e, p, w, a) -> GenericRestrictions.reject(e, p, w));
        add("defer", Arg.NONE, Need.NOTHING, (e, p, w, a) -> GenericRestrictions.defer(e, p, w));
        add("defer_if_permit", Arg.NONE, Need.NOTHING, (e, p, w, a) -> GenericRestrictions.deferIfPermit(p, w));
        add("defer_if_reject", Arg.NONE, Need.NOTHING, (e, p, w, a) -> GenericRestrictions.deferIfReject(p, w));
        add("reject_unauth_pipelining", Arg.NONE, Need.NOTHING, (e, p, w, a) -> GenericRestrictions.rejectUnauthPipelining(p, w));
        add("reject_plaintext_session", Arg.NONE, Need.NOTHING, (e, p, w, a) -> GenericRestrictions.rejectPlaintextSession(e, p, w));
        add("sleep", Arg.SECONDS, Need.NOTHING, GenericRestrictions::sleep);
        add("check_policy_service", Arg.SERVICE, Need.NOTHING, PolicyService::create);
        // Client.
        add("permit_mynetworks", Arg.NONE, Need.NOTHING, (e, p, w, a) -> ClientRestrictions.permitMynetworks(e, p, w));
        add("permit_sasl_authenticated", Arg.NONE, Need.NOTHING,
                (e, p, w, a) -> ClientRestrictions.permitSaslAuthenticated(e, p, w));
        Factory unknownClient = (e, p, w, a) -> ClientRestrictions.rejectUnknownClientHostname(e, p, w);
        add("reject_unknown_client_hostname", Arg.NONE, Need.NOTHING, unknownClient);
        add("reject_unknown_client", Arg.NONE, Need.NOTHING, unknownClient);
        add("reject_unknown_reverse_client_hostname", Arg.NONE, Need.NOTHING,
                (e, p, w, a) -> ClientRestrictions.rejectUnknownReverseClientHostname(e, p, w));
        add("check_client_access", Arg.TABLE, Need.NOTHING, access(AccessCheck.Subject.CLIENT));
        add("check_reverse_client_hostname_access", Arg.TABLE, Need.NOTHING, access(AccessCheck.Subject.REVERSE_CLIENT));
        add("check_sasl_access", Arg.TABLE, Need.NOTHING, access(AccessCheck.Subject.SASL_USER));
        add("reject_rbl_client", Arg.SITE, Need.NOTHING, dnsList(DnsListCheck.Subject.CLIENT_ADDRESS, false));
        add("reject_rbl", Arg.SITE, Need.NOTHING, dnsList(DnsListCheck.Subject.CLIENT_ADDRESS, false));
        add("permit_dnswl_client", Arg.SITE, Need.NOTHING, dnsList(DnsListCheck.Subject.CLIENT_ADDRESS, true));
        add("reject_rhsbl_client", Arg.SITE, Need.NOTHING, dnsList(DnsListCheck.Subject.CLIENT_NAME, false));
        add("permit_rhswl_client", Arg.SITE, Need.NOTHING, dnsList(DnsListCheck.Subject.CLIENT_NAME, true));
        add("reject_rhsbl_reverse_client", Arg.SITE, Need.NOTHING, dnsList(DnsListCheck.Subject.REVERSE_CLIENT_NAME, false));
        // HELO.
        add("check_helo_access", Arg.TABLE, Need.HELO, access(AccessCheck.Subject.HELO));
        Factory invalidHelo = (e, p, w, a) -> HostnameRestrictions.rejectInvalidHeloHostname(e, p, w);
        add("reject_invalid_helo_hostname", Arg.NONE, Need.HELO, invalidHelo);
        add("reject_invalid_hostname", Arg.NONE, Need.HELO, invalidHelo);
        Factory nonFqdnHelo = (e, p, w, a) -> HostnameRestrictions.rejectNonFqdnHeloHostname(e, p, w);
        add("reject_non_fqdn_helo_hostname", Arg.NONE, Need.HELO, nonFqdnHelo);
        add("reject_non_fqdn_hostname", Arg.NONE, Need.HELO, nonFqdnHelo);
        Factory unknownHelo = (e, p, w, a) -> UnknownDomain.rejectUnknownHeloHostname(e, p, w);
        add("reject_unknown_helo_hostname", Arg.NONE, Need.HELO, unknownHelo);
        add("reject_unknown_hostname", Arg.NONE, Need.HELO, unknownHelo);
        add("reject_rhsbl_helo", Arg.SITE, Need.HELO, dnsList(DnsListCheck.Subject.HELO, false));
        // Sender.
        add("check_sender_access", Arg.TABLE, Need.SENDER, access(AccessCheck.Subject.SENDER));
        add("reject_non_fqdn_sender", Arg.NONE, Need.SENDER, (e, p, w, a) -> HostnameRestrictions.rejectNonFqdnSender(e, p, w));
        add("reject_unknown_sender_domain", Arg.NONE, Need.SENDER,
                (e, p, w, a) -> UnknownDomain.rejectUnknownSenderDomain(e, p, w));
        add("reject_rhsbl_sender", Arg.SITE, Need.SENDER, dnsList(DnsListCheck.Subject.SENDER, false));
        add("reject_sender_login_mismatch", Arg.NONE, Need.SENDER, login(Mode.BOTH));
        add("reject_authenticated_sender_login_mismatch", Arg.NONE, Need.SENDER, login(Mode.AUTHENTICATED));
        add("reject_known_sender_login_mismatch", Arg.NONE, Need.SENDER, login(Mode.KNOWN));
        add("reject_unauthenticated_sender_login_mismatch", Arg.NONE, Need.SENDER, login(Mode.UNAUTHENTICATED));
        add("reject_unlisted_sender", Arg.NONE, Need.SENDER, (e, p, w, a) -> Destinations.rejectUnlistedSender(e, p, w));
        add("reject_multi_recipient_bounce", Arg.NONE, Need.SENDER,
                (e, p, w, a) -> GenericRestrictions.rejectMultiRecipientBounce(e, p, w));
        // Recipient.
        add("check_recipient_access", Arg.TABLE, Need.RECIPIENT, access(AccessCheck.Subject.RECIPIENT));
        add("permit_auth_destination", Arg.NONE, Need.RECIPIENT, (e, p, w, a) -> Destinations.permitAuthDestination(e, p, w));
        add("reject_unauth_destination", Arg.NONE, Need.RECIPIENT,
                (e, p, w, a) -> Destinations.rejectUnauthDestination(e, p, w, false));
        add("defer_unauth_destination", Arg.NONE, Need.RECIPIENT,
                (e, p, w, a) -> Destinations.rejectUnauthDestination(e, p, w, true));
        add("reject_non_fqdn_recipient", Arg.NONE, Need.RECIPIENT,
                (e, p, w, a) -> HostnameRestrictions.rejectNonFqdnRecipient(e, p, w));
        add("reject_unknown_recipient_domain", Arg.NONE, Need.RECIPIENT,
                (e, p, w, a) -> UnknownDomain.rejectUnknownRecipientDomain(e, p, w));
        add("reject_rhsbl_recipient", Arg.SITE, Need.RECIPIENT, dnsList(DnsListCheck.Subject.RECIPIENT, false));
        Factory unlisted = (e, p, w, a) -> Destinations.rejectUnlistedRecipient(e, p, w);
        add("reject_unlisted_recipient", Arg.NONE, Need.RECIPIENT, unlisted);
        add("check_recipient_maps", Arg.NONE, Need.RECIPIENT, unlisted);

        for (String s : new String[] {"client", "reverse_client", "helo", "sender", "recipient"}) {
            for (String t : new String[] {"mx", "ns", "a"}) {
                UNSUPPORTED.put("check_" + s + "_" + t + "_access", "DNS-server access checks are not implemented");
            }
        }
        UNSUPPORTED.put("check_ccert_access", "TLS client certificate checks are not implemented");
        UNSUPPORTED.put("permit_tls_clientcerts", "TLS client certificate checks are not implemented");
        UNSUPPORTED.put("permit_tls_all_clientcerts", "TLS client certificate checks are not implemented");
        UNSUPPORTED.put("reject_unverified_sender", "address verification (verify(8)) is not implemented");
        UNSUPPORTED.put("reject_unverified_recipient", "address verification (verify(8)) is not implemented");
        UNSUPPORTED.put("permit_mx_backup", "use relay_domains for the domains this gateway relays");
        UNSUPPORTED.put("check_relay_domains", "removed from Postfix; use reject_unauth_destination");
        UNSUPPORTED.put("reject_maps_rbl", "removed from Postfix; use reject_rbl_client DOMAIN");
        UNSUPPORTED.put("permit_naked_ip_address", "deprecated in Postfix; use permit_mynetworks or permit_sasl_authenticated");
        UNSUPPORTED.put("permit_inet_interfaces", "use permit_mynetworks");
        UNSUPPORTED.put("check_etrn_access", "Postern has no ETRN");
    }

    private static void add(String name, Arg arg, Need need, Factory f) {
        KEYWORDS.put(name, new Keyword(name, arg, need, f));
    }

    /** The keyword, case-insensitively, or null. */
    static Keyword find(String name) {
        return KEYWORDS.get(name.toLowerCase(Locale.ROOT));
    }

    /** Why a Postfix restriction is not available in Postern, or null when it is not one of those. */
    static String unsupported(String name) {
        return UNSUPPORTED.get(name.toLowerCase(Locale.ROOT));
    }

    static Set<String> names() {
        return KEYWORDS.keySet();
    }

    private static Factory access(AccessCheck.Subject subject) {
        return (env, p, written, arg) -> {
            if (subject == AccessCheck.Subject.SASL_USER && !env.saslEnabled) {
                env.warn(p.origin(), "restriction `" + written + "' ignored: no SASL support (smtpd_sasl_auth_enable = no)");
            }
            return new AccessCheck(written, p.origin(), env, p, subject,
                    new org.postern.policies.table.AccessLookup(env.tables.open(arg, p.origin()), env.accessOptions));
        };
    }

    private static Factory dnsList(DnsListCheck.Subject subject, boolean allow) {
        return (env, p, written, arg) -> DnsListCheck.create(env, p, written, arg, subject, allow);
    }

    private static Factory login(Mode mode) {
        return (env, p, written, arg) -> SenderLogin.create(env, p, written, mode);
    }
}
