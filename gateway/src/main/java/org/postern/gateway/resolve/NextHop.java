// NextHop: a "transport:nexthop" pair as main.cf (default_transport, relay_transport, local_transport),
// transport_maps values and FILTER actions write it, with Postfix's rules for empty halves. Used by
// TransportResolver while it resolves one recipient; immutable.
package org.postern.gateway.resolve;

import java.util.Objects;

/**
 * {@code transport} is the master.cf-style service name (smtp, relay, lmtp, error, retry, discard);
 * {@code nexthop} is transport specific (a host or domain, unix:/path, or an error text); either may be
 * empty as written.
 */
record NextHop(String transport, String nexthop) {
    static final String ERROR = "error";

    NextHop {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(nexthop, "nexthop");
    }

    /** Splits at the first ':' (the rest may hold more, e.g. {@code [host]:port} or an error text). */
    static NextHop parse(String value) {
        String v = value.strip();
        int colon = v.indexOf(':');
        return colon < 0 ? new NextHop(v, "") : new NextHop(v.substring(0, colon).strip(), v.substring(colon + 1).strip());
    }

    /**
     * Postfix's update_entry(): this (the address class's choice) changed by a transport_maps entry.
     * {@code :nexthop} keeps the transport and sets the next hop ({@code :} alone changes nothing);
     * {@code transport:nexthop} sets both; {@code transport} or {@code transport:} sets the transport and
     * resets the next hop to the recipient domain ("Address is undeliverable" for error).
     */
    NextHop updatedBy(NextHop entry, String recipientDomain) {
        if (entry.transport.isEmpty()) return entry.nexthop.isEmpty() ? this : new NextHop(transport, entry.nexthop);
        if (!entry.nexthop.isEmpty()) return entry;
        return new NextHop(entry.transport, entry.transport.equals(ERROR) ? "Address is undeliverable" : recipientDomain);
    }

    /** A main.cf transport:nexthop setting's own next hop, when it has one, overrides {@code nexthop}. */
    NextHop withDefaultNexthop(String defaultNexthop) {
        return nexthop.isEmpty() ? new NextHop(transport, defaultNexthop) : this;
    }

    @Override
    public String toString() {
        return transport + ":" + nexthop;
    }
}
