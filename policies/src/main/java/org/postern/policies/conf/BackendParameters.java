// BackendParameters: the main.cf parameters of the backend instance that Parameters does not hold
// itself -- routing (trivial-rewrite), address rewriting (cleanup), queue scheduling, bounces and
// notices. Registered into Parameters at class load; names and defaults are Postfix's.
package org.postern.policies.conf;

import static org.postern.policies.conf.Parameter.Type.BOOL;
import static org.postern.policies.conf.Parameter.Type.INT;
import static org.postern.policies.conf.Parameter.Type.LIST;
import static org.postern.policies.conf.Parameter.Type.LONG;
import static org.postern.policies.conf.Parameter.Type.STRING;

import java.time.temporal.ChronoUnit;

final class BackendParameters {
    private BackendParameters() {}

    static void declare() {
        // Routing: trivial-rewrite's resolve (org.postern.gateway.qmgr routing).
        Parameters.define("transport_maps", LIST, "", "tables of recipient or domain to transport:nexthop");
        Parameters.define("default_transport", STRING, "smtp",
                "transport:nexthop for recipients in no listed address class (outbound mail)");
        Parameters.define("relay_transport", STRING, "relay", "transport:nexthop for recipients in relay_domains");
        Parameters.define("local_transport", STRING, "error:5.1.1 local mail delivery is disabled on this gateway",
                "transport:nexthop for recipients in mydestination (Postern has no local delivery agent)");
        Parameters.define("local_recipient_maps", LIST, "",
                "tables of the valid recipients in mydestination (user or user@domain); empty: none while "
                        + "local_transport is an error: transport, else every local recipient is accepted");
        Parameters.define("unknown_local_recipient_reject_code", INT, "550",
                "reply code for a recipient in mydestination that local_recipient_maps (or a disabled local_transport) rejects");
        Parameters.define("virtual_alias_domains", LIST, "$virtual_alias_maps",
                "domains whose recipients exist only as virtual_alias_maps entries");
        Parameters.define("empty_address_recipient", STRING, "MAILER-DAEMON",
                "recipient of mail addressed to the null address");

        // Address rewriting (org.postern.gateway.cleanup).
        Parameters.define("virtual_alias_maps", LIST, "", "tables that rewrite a recipient to one or more addresses");
        Parameters.define("virtual_alias_expansion_limit", INT, "1000",
                "maximal number of addresses one recipient may expand to by virtual_alias_maps");
        Parameters.define("virtual_alias_recursion_limit", INT, "1000",
                "maximal nesting depth of virtual_alias_maps expansion");
        Parameters.define("virtual_alias_address_length_limit", INT, "1000",
                "maximal length of an address that virtual_alias_maps expands to");
        Parameters.define("unknown_virtual_alias_reject_code", INT, "550",
                "reply code for a recipient in virtual_alias_domains that virtual_alias_maps lacks");
        Parameters.define("canonical_maps", LIST, "", "tables that rewrite sender and recipient addresses");
        Parameters.define("sender_canonical_maps", LIST, "", "tables that rewrite sender addresses");
        Parameters.define("recipient_canonical_maps", LIST, "", "tables that rewrite recipient addresses");
        Parameters.define("canonical_classes", LIST, "envelope_sender, envelope_recipient, header_sender, header_recipient",
                "which addresses canonical_maps apply to");
        Parameters.define("sender_canonical_classes", LIST, "envelope_sender, header_sender",
                "which addresses sender_canonical_maps apply to");
        Parameters.define("recipient_canonical_classes", LIST, "envelope_recipient, header_recipient",
                "which addresses recipient_canonical_maps apply to");
        Parameters.define("masquerade_domains", LIST, "", "domains whose subdomains are stripped from addresses");
        Parameters.define("masquerade_exceptions", LIST, "", "user names that are never masqueraded");
        Parameters.define("masquerade_classes", LIST, "envelope_sender, header_sender, header_recipient",
                "which addresses masquerade_domains applies to");
        Parameters.define("relocated_maps", LIST, "",
                "tables of address to new location; RCPT is refused with 550 5.1.6 user has moved to ...");
        Parameters.define("append_at_myorigin", BOOL, "yes", "append @$myorigin to addresses without a domain");
        Parameters.define("append_dot_mydomain", BOOL, "no", "append .$mydomain to a host name without dots");
        Parameters.define("propagate_unmatched_extensions", LIST, "canonical, virtual",
                "address rewrites that keep an unmatched address extension");
        Parameters.define("local_header_rewrite_clients", LIST, "permit_inet_interfaces",
                "clients whose mail has its header addresses rewritten and completed with $myorigin or $mydomain");
        Parameters.define("remote_header_rewrite_domain", STRING, "",
                "domain that completes header addresses of other clients' mail (empty: their headers are not rewritten)");

        // Queue manager scheduling (org.postern.gateway.qmgr).
        Parameters.define("initial_destination_concurrency", INT, "5",
                "parallel deliveries to a next hop before it has answered once");
        Parameters.define("qmgr_message_active_limit", INT, "20000", "maximal number of messages in the active queue");
        Parameters.define("qmgr_message_recipient_limit", INT, "20000",
                "maximal number of recipients held in memory by the queue manager");
        for (String t : new String[] {"smtp", "lmtp"}) {
            Parameters.define(t + "_destination_concurrency_limit", INT, "$default_destination_concurrency_limit",
                    "parallel " + t + " deliveries to the same next hop");
            Parameters.define(t + "_destination_recipient_limit", INT, "$default_destination_recipient_limit",
                    "recipients per " + t + " delivery");
        }
        Parameters.time("delay_warning_time", "0h", ChronoUnit.HOURS,
                "time after which the sender gets a notice that mail is still queued (0: never)");
        Parameters.define("smtp_tls_policy_maps", LIST, "", "tables of next hop to a TLS security level");
        Parameters.define("smtp_address_preference", STRING, "any", "address family tried first: ipv4, ipv6 or any");
        Parameters.define("smtp_mx_address_limit", INT, "5", "maximal number of MX addresses tried (0: no limit)");
        Parameters.define("smtp_mx_session_limit", INT, "2", "maximal number of SMTP sessions per delivery");
        Parameters.define("disable_dns_lookups", BOOL, "no", "no MX lookups: host names resolve by address only");
        Parameters.define("smtp_host_lookup", LIST, "dns",
                "how the SMTP client finds a host's addresses: dns, native (the system resolver, /etc/hosts) or \"dns, native\"");

        // Bounces and notices (org.postern.gateway.bounce).
        Parameters.define("bounce_size_limit", LONG, "50000",
                "maximal bytes of the original message returned in a non-delivery notification");
        Parameters.define("notify_classes", LIST, "2bounce, resource, software",
                "problems reported to postmaster (Postern adds 2bounce to Postfix's default: undeliverable bounces reach postmaster)");
        Parameters.define("bounce_notice_recipient", STRING, "postmaster", "recipient of notify_classes=bounce copies");
        Parameters.define("2bounce_notice_recipient", STRING, "postmaster",
                "recipient of undeliverable bounces and notify_classes=2bounce copies");
        Parameters.define("delay_notice_recipient", STRING, "postmaster", "recipient of notify_classes=delay copies");
        Parameters.define("error_notice_recipient", STRING, "postmaster",
                "recipient of notify_classes=resource/software/policy/protocol notices");
        Parameters.define("mail_owner", STRING, "postern", "system account that owns the queue");
        Parameters.define("bounce_template_file", STRING, "", "file with the texts of bounce and delay notices (empty: built-in)");
    }
}
