// AddressClasses: Postfix's address classes (ADDRESS_CLASS_README) for a recipient domain -- local
// (mydestination, or an [address] literal of this machine), virtual alias (virtual_alias_domains),
// relay (relay_domains, parent_domain_matches_subdomains) or default. Used by TransportResolver.
package org.postern.gateway.resolve;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import org.postern.policies.conf.DomainList;
import org.postern.policies.conf.InetLiteral;
import org.postern.policies.table.TableLookupException;

/** Frozen; classification is in memory and never blocks. Local wins over the other classes, as in resolve.c. */
final class AddressClasses {
    /** The address class of a domain; each has its main.cf transport parameter. */
    enum Kind {
        LOCAL("local_transport"), VIRTUAL_ALIAS(null), RELAY("relay_transport"), DEFAULT("default_transport");

        final String transportParameter;

        Kind(String transportParameter) {
            this.transportParameter = transportParameter;
        }
    }

    private final DomainList mydestination;
    private final Set<InetAddress> ownAddresses;
    private final DomainMatch virtualAliasDomains;
    private final DomainList relayDomains;

    AddressClasses(DomainList mydestination, Set<InetAddress> ownAddresses, DomainMatch virtualAliasDomains,
                   DomainList relayDomains) {
        this.mydestination = mydestination;
        this.ownAddresses = Set.copyOf(ownAddresses);
        this.virtualAliasDomains = virtualAliasDomains;
        this.relayDomains = relayDomains;
    }

    /**
     * The class of {@code domain} (lower case, no trailing dot; "[192.0.2.1]" or "[ipv6:2001:db8::1]"
     * for an address literal).
     *
     * @throws TableLookupException a virtual_alias_domains table could not answer
     */
    Kind classify(String domain) throws TableLookupException {
        if (mydestination.matches(domain) || isOwnLiteral(domain)) return Kind.LOCAL;
        if (virtualAliasDomains.matches(domain)) return Kind.VIRTUAL_ALIAS;
        if (relayDomains.matches(domain)) return Kind.RELAY;
        return Kind.DEFAULT;
    }

    private boolean isOwnLiteral(String domain) {
        byte[] raw = literal(domain);
        if (raw == null) return false;
        try {
            return ownAddresses.contains(InetAddress.getByAddress(raw)); // no lookup: raw bytes
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The bytes of "[192.0.2.1]" or "[ipv6:2001:db8::1]", else null. */
    static byte[] literal(String domain) {
        if (!domain.startsWith("[") || !domain.endsWith("]")) return null;
        String inner = domain.substring(1, domain.length() - 1);
        if (inner.regionMatches(true, 0, "ipv6:", 0, 5)) return InetLiteral.parseV6(inner.substring(5));
        return InetLiteral.parseV4(inner);
    }

    /**
     * This machine's interface addresses (Postfix's inet_interfaces = all), for [address] literals.
     * Asks the kernel, not the resolver; called once while a configuration snapshot is built.
     */
    static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> out = new HashSet<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    out.add(InetAddress.getByAddress(a.getAddress())); // without the scope id
                }
            }
        } catch (SocketException | UnknownHostException e) {
            // no interface list: only mydestination makes a domain local
        }
        return out;
    }
}
