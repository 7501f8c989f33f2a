// StubResolver: a DnsResolver answering from a map (unknown names: NXDOMAIN) and counting lookups,
// for DnsblQuery unit tests. Test support for org.postern.policies.dns.
package org.postern.policies.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

final class StubResolver implements DnsResolver {
    private final Map<String, DnsAnswer> answers = new ConcurrentHashMap<>();
    final List<String> asked = new ArrayList<>();

    private static String key(String name, int type) {
        return name.toLowerCase() + "/" + Type.string(type);
    }

    StubResolver a(String name, String... ips) {
        List<Record> rs = new ArrayList<>();
        for (String ip : ips) {
            try {
                rs.add(new ARecord(Name.fromString(name, Name.root), DClass.IN, 300, InetAddress.getByName(ip)));
            } catch (Exception e) {
                throw new IllegalArgumentException(e);
            }
        }
        answers.put(key(name, Type.A), DnsAnswer.found(name, Type.A, rs, 300));
        return this;
    }

    StubResolver txt(String name, String... texts) {
        List<Record> rs = new ArrayList<>();
        for (String t : texts) {
            try {
                rs.add(new TXTRecord(Name.fromString(name, Name.root), DClass.IN, 300, t));
            } catch (TextParseException e) {
                throw new IllegalArgumentException(e);
            }
        }
        answers.put(key(name, Type.TXT), DnsAnswer.found(name, Type.TXT, rs, 300));
        return this;
    }

    StubResolver answer(String name, int type, DnsAnswer answer) {
        answers.put(key(name, type), answer);
        return this;
    }

    @Override
    public synchronized CompletionStage<DnsAnswer> lookup(String name, int type) {
        asked.add(Type.string(type) + " " + name);
        DnsAnswer a = answers.getOrDefault(key(name, type), DnsAnswer.nxdomain(name, type, 0));
        return CompletableFuture.completedStage(a);
    }
}
