// LocalHost: the default for myhostname -- this machine's fully-qualified name, found as Postfix
// does (gethostname, then the resolver's canonical name, else NAME.localdomain). Blocking: it may
// ask the resolver, so it runs once per JVM, during Config.load/defaults on a non-event-loop thread.
package org.postern.policies.conf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Computes and caches the machine's FQDN. */
final class LocalHost {
    private LocalHost() {}

    private static final class Holder {
        static final String FQDN = lookup();
    }

    /** The cached FQDN; the first call may block on the resolver. */
    static String fqdn() {
        return Holder.FQDN;
    }

    private static String lookup() {
        try {
            InetAddress local = InetAddress.getLocalHost();
            return choose(local.getHostName(), local.getCanonicalHostName());
        } catch (UnknownHostException e) {
            return "localhost.localdomain";
        }
    }

    /**
     * The host name if it already has a domain; else the canonical name if that is the same host
     * with a domain (not, say, "localhost" found by reverse lookup of 127.0.0.1); else NAME.localdomain.
     */
    static String choose(String hostName, String canonicalName) {
        if (hostName.indexOf('.') > 0 && !InetLiteral.isLiteral(hostName)) return hostName;
        if (canonicalName != null
                && canonicalName.toLowerCase(Locale.ROOT).startsWith(hostName.toLowerCase(Locale.ROOT) + ".")
                && !InetLiteral.isLiteral(canonicalName)) {
            return canonicalName;
        }
        return hostName + ".localdomain";
    }
}
