// LocalHeaderClients: local_header_rewrite_clients -- which SMTP clients' mail has its header addresses
// rewritten in the "local" context (incomplete addresses completed with $myorigin or $mydomain), as
// Postfix's smtpd_check_rewrite(); other clients' mail gets the remote_header_rewrite_domain context.
package org.postern.gateway.cleanup;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.postern.core.ClientInfo;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.conf.InetLiteral;
import org.postern.policies.conf.NetworkList;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableLookupException;
import org.postern.policies.table.Tables;

/** Immutable; {@link #matches} is in-memory work, safe on an event loop. */
final class LocalHeaderClients {
    private interface Rule {
        boolean matches(ClientInfo client, InetAddress address) throws TableLookupException;
    }

    /** permit_inet_interfaces: the client address is one of this machine's (Postern listens on all). */
    private record InetInterfaces(Set<InetAddress> addresses) implements Rule {
        @Override
        public boolean matches(ClientInfo client, InetAddress address) {
            return address != null && addresses.contains(address);
        }
    }

    private record MyNetworks(NetworkList networks) implements Rule {
        @Override
        public boolean matches(ClientInfo client, InetAddress address) {
            return address != null && networks.contains(address);
        }
    }

    private record SaslAuthenticated() implements Rule {
        @Override
        public boolean matches(ClientInfo client, InetAddress address) {
            return client.saslUsername() != null;
        }
    }

    /** check_address_map type:table, or a bare type:table: the client address is a key (no subnets). */
    private record AddressMap(LookupTable table) implements Rule {
        @Override
        public boolean matches(ClientInfo client, InetAddress address) throws TableLookupException {
            return table.find(client.address()).isPresent();
        }
    }

    /** Every client is remote: local_header_rewrite_clients is empty. */
    static final LocalHeaderClients NONE = new LocalHeaderClients(List.of());

    private final List<Rule> rules;

    private LocalHeaderClients(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * local_header_rewrite_clients of {@code c}. Blocking (opens tables, lists the interface addresses):
     * call it where the configuration snapshot is built.
     *
     * @throws ConfigException an unknown or unsupported entry, a table that does not load; at the line
     *                         that sets the parameter
     */
    static LocalHeaderClients from(Config c, Tables tables) throws ConfigException {
        String parameter = "local_header_rewrite_clients";
        List<String> words = c.getList(parameter);
        List<Rule> rules = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String name = w.toLowerCase(Locale.ROOT);
            try {
                if (w.indexOf(':') > 0) {
                    rules.add(new AddressMap(tables.open(w, c.originOf(parameter))));
                } else if (name.equals("check_address_map")) {
                    if (i + 1 >= words.size()) {
                        errors.add(Diagnostic.error(c.originOf(parameter), parameter
                                + ": check_address_map needs a type:table argument"));
                        continue;
                    }
                    rules.add(new AddressMap(tables.open(words.get(++i), c.originOf(parameter))));
                } else if (name.equals("permit_inet_interfaces")) {
                    rules.add(new InetInterfaces(interfaceAddresses()));
                } else if (name.equals("permit_mynetworks")) {
                    rules.add(new MyNetworks(c.mynetworks()));
                } else if (name.equals("permit_sasl_authenticated")) {
                    rules.add(new SaslAuthenticated());
                } else if (name.equals("permit_tls_clientcerts") || name.equals("permit_tls_all_clientcerts")) {
                    errors.add(Diagnostic.error(c.originOf(parameter), parameter + ": " + w
                            + " is not supported: TLS client certificate checks are not implemented"));
                } else {
                    errors.add(Diagnostic.error(c.originOf(parameter), parameter + ": unknown entry \"" + w
                            + "\"; expected permit_inet_interfaces, permit_mynetworks, permit_sasl_authenticated"
                            + " or check_address_map type:table"));
                }
            } catch (ConfigException e) {
                for (Diagnostic d : e.diagnostics()) {
                    errors.add(new Diagnostic(d.origin(), d.severity(), parameter + ": " + d.message()));
                }
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new LocalHeaderClients(rules);
    }

    /**
     * True when {@code client} is local for header rewriting: the first entry that matches decides.
     *
     * @throws TableLookupException when a check_address_map table cannot answer before an entry matched
     */
    boolean matches(ClientInfo client) throws TableLookupException {
        InetAddress address = address(client.address());
        for (Rule r : rules) {
            if (r.matches(client, address)) return true;
        }
        return false;
    }

    /** The client's IP address (an IPv4-mapped IPv6 address as IPv4), or null when it is none. */
    private static InetAddress address(String text) {
        byte[] raw = InetLiteral.parse(text.startsWith("[") && text.endsWith("]")
                ? text.substring(1, text.length() - 1) : text);
        if (raw == null) return null;
        if (InetLiteral.isV4Mapped(raw)) raw = Arrays.copyOfRange(raw, 12, 16);
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** This machine's interface addresses (Postfix's inet_interfaces = all); asks the kernel, not the resolver. */
    private static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> out = new HashSet<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    out.add(InetAddress.getByAddress(a.getAddress())); // without the scope id
                }
            }
        } catch (SocketException | UnknownHostException e) {
            // no interface list: only loopback is known to be ours
            out.add(InetAddress.getLoopbackAddress());
        }
        return out;
    }
}
