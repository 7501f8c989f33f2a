// FakeDns: a DnsResolver answering from a map in memory (A, AAAA, MX, TXT; NXDOMAIN by default;
// TEMPFAIL for names declared broken), counting queries. Lets restriction tests check DNS-based
// restrictions without a network. Test support for org.postern.policies.restrict.
package org.postern.policies.restrict;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.policies.dns.DnsAnswer;
import org.postern.policies.dns.DnsResolver;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

final class FakeDns implements DnsResolver {
    private final Map<String, List<Record>> records = new ConcurrentHashMap<>();
    private final Map<String, Boolean> broken = new ConcurrentHashMap<>();
    private final Map<String, Boolean> existing = new ConcurrentHashMap<>();
    final List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());

    FakeDns a(String name, String... addresses) {
        for (String a : addresses) {
            InetAddress ip = literal(a);
            add(name, ip.getAddress().length == 4 ? new ARecord(name(name), DClass.IN, 300, ip)
                    : new AAAARecord(name(name), DClass.IN, 300, ip));
        }
        return this;
    }

    FakeDns txt(String name, String text) {
        return add(name, new TXTRecord(name(name), DClass.IN, 300, text));
    }

    /** An MX record; host "." is the RFC 7505 null MX. */
    FakeDns mx(String domain, int pref, String host) {
        return add(domain, new MXRecord(name(domain), DClass.IN, 300, pref, host.equals(".") ? Name.root : name(host)));
    }

    /** Every lookup of {@code name} times out (TEMPFAIL). */
    FakeDns broken(String name) {
        broken.put(key(name), true);
        return this;
    }

    /** {@code name} exists without records: NODATA instead of NXDOMAIN. */
    FakeDns exists(String name) {
        existing.put(key(name), true);
        return this;
    }

    private FakeDns add(String name, Record r) {
        records.computeIfAbsent(key(name), k -> new ArrayList<>()).add(r);
        existing.put(key(name), true);
        return this;
    }

    int count(String name) {
        return (int) asked.stream().filter(q -> q.endsWith(" " + key(name))).count();
    }

    @Override
    public CompletionStage<DnsAnswer> lookup(String name, int type) {
        asked.add(Type.string(type) + " " + key(name));
        String k = key(name);
        if (broken.containsKey(k)) return CompletableFuture.completedFuture(DnsAnswer.tempfail(k, type, "test: timeout"));
        List<Record> of = records.getOrDefault(k, List.of()).stream().filter(r -> r.getType() == type).toList();
        if (!of.isEmpty()) return CompletableFuture.completedFuture(DnsAnswer.found(k, type, of, 300));
        if (existing.containsKey(k)) return CompletableFuture.completedFuture(DnsAnswer.nodata(k, type, 0));
        return CompletableFuture.completedFuture(DnsAnswer.nxdomain(k, type, 0));
    }

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static Name name(String n) {
        try {
            return Name.fromString(n.endsWith(".") ? n : n + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip); // tests pass literals only: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }
}
