// DnsResolver: the asynchronous DNS lookups smtpd restrictions make (reject_rbl_client and the rhsbl
// family, reject_unknown_sender_domain, reject_unknown_client_hostname, check_*_mx_access, SPF later).
// Implemented by DnsjavaResolver; tests may stub it. Governed by the resolver settings (resolv.conf).
package org.postern.policies.dns;

import java.net.InetAddress;
import java.util.concurrent.CompletionStage;
import org.xbill.DNS.Type;

/**
 * Every method completes normally with a {@link DnsAnswer}; failures (timeout, SERVFAIL, network
 * error) arrive as {@link DnsAnswer.Status#TEMPFAIL}, never as an exceptional completion. Names are
 * always taken as absolute (no search list): "example.org" and "example.org." are the same.
 * Completions run on the resolver's executor, not on a Vert.x context: callers on an event loop
 * go back to it with {@code Future.fromCompletionStage(stage, context)}.
 */
public interface DnsResolver {

    /** Records of {@code type} (an {@link org.xbill.DNS.Type} constant, e.g. {@code Type.TLSA}) at {@code name}. */
    CompletionStage<DnsAnswer> lookup(String name, int type);

    default CompletionStage<DnsAnswer> a(String name) {
        return lookup(name, Type.A);
    }

    default CompletionStage<DnsAnswer> aaaa(String name) {
        return lookup(name, Type.AAAA);
    }

    /** A and AAAA together, see {@link DnsAnswer#combine}: FOUND when the name has either. */
    default CompletionStage<DnsAnswer> addresses(String name) {
        return a(name).thenCombine(aaaa(name), DnsAnswer::combine);
    }

    default CompletionStage<DnsAnswer> mx(String domain) {
        return lookup(domain, Type.MX);
    }

    default CompletionStage<DnsAnswer> txt(String name) {
        return lookup(name, Type.TXT);
    }

    /** PTR of {@code address} (in-addr.arpa / ip6.arpa); {@link DnsAnswer#targets()} gives the names. */
    default CompletionStage<DnsAnswer> ptr(InetAddress address) {
        return lookup(ReverseName.ptrName(address), Type.PTR);
    }
}
