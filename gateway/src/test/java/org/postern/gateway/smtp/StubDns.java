// StubDns: a DnsResolver answering from memory (A, AAAA, MX including the null MX "0 ."; NXDOMAIN by
// default; NODATA for names that exist; TEMPFAIL for names declared broken), recording each query, and
// completing on a plain thread as dnsjava does. Test support for the SMTP client's next-hop lookups.
package org.postern.gateway.smtp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
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
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

final class StubDns implements DnsResolver {
    private final Map<String, List<Record>> records = new ConcurrentHashMap<>();
    private final Map<String, Boolean> broken = new ConcurrentHashMap<>();
    private final Map<String, Boolean> existing = new ConcurrentHashMap<>();
    /** "MX example.test", "A mx1.example.test", ... in query order. */
    final List<String> asked = Collections.synchronizedList(new ArrayList<>());

    StubDns a(String name, String... addresses) {
        for (String a : addresses) {
            InetAddress ip = literal(a);
            add(name, ip.getAddress().length == 4 ? new ARecord(name(name), DClass.IN, 300, ip)
                    : new AAAARecord(name(name), DClass.IN, 300, ip));
        }
        return this;
    }

    /** An MX record; host "." is the RFC 7505 null MX. */
    StubDns mx(String domain, int pref, String host) {
        return add(domain, new MXRecord(name(domain), DClass.IN, 300, pref, host.equals(".") ? Name.root : name(host)));
    }

    /** Every lookup of {@code name} fails for now (TEMPFAIL). */
    StubDns broken(String name) {
        broken.put(key(name), true);
        return this;
    }

    /** {@code name} exists without records: NODATA instead of NXDOMAIN. */
    StubDns exists(String name) {
        existing.put(key(name), true);
        return this;
    }

    int count(String type, String name) {
        return (int) asked.stream().filter((type + " " + key(name))::equals).count();
    }

    private StubDns add(String name, Record r) {
        records.computeIfAbsent(key(name), k -> Collections.synchronizedList(new ArrayList<>())).add(r);
        existing.put(key(name), true);
        return this;
    }

    @Override
    public CompletionStage<DnsAnswer> lookup(String name, int type) {
        asked.add(Type.string(type) + " " + key(name));
        String k = key(name);
        DnsAnswer answer;
        if (broken.containsKey(k)) {
            answer = DnsAnswer.tempfail(k, type, "test: timeout");
        } else {
            List<Record> of = records.getOrDefault(k, List.of()).stream().filter(r -> r.getType() == type).toList();
            if (!of.isEmpty()) answer = DnsAnswer.found(k, type, of, 300);
            else if (existing.containsKey(k)) answer = DnsAnswer.nodata(k, type, 0);
            else answer = DnsAnswer.nxdomain(k, type, 0);
        }
        return CompletableFuture.supplyAsync(() -> answer); // off the caller's thread, as a real resolver
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

    private static InetAddress literal(String a) {
        try {
            return InetAddress.getByName(a); // literals only: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
