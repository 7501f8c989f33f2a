// DnsAnswer: the outcome of one DNS lookup as restrictions see it: FOUND (records + TTL), NXDOMAIN,
// NODATA or TEMPFAIL. Produced by DnsResolver for reject_rbl_client, reject_unknown_sender_domain,
// reject_unknown_client_hostname and friends; a TEMPFAIL must become a 4xx reply, never a permit.
package org.postern.policies.dns;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Immutable answer to "{@code name}/{@code type}". {@code type} is an {@link org.xbill.DNS.Type}
 * constant ({@link Type#ANY} for the combined A+AAAA answer of {@link DnsResolver#addresses}).
 * {@code records} are those of the asked type (after any CNAME chain), empty unless FOUND.
 * {@code ttl} is in seconds: for FOUND the smallest record TTL, for NXDOMAIN/NODATA the negative
 * TTL of RFC 2308 (0 when the answer carried no SOA), for TEMPFAIL 0. When served from the cache
 * it is the time left. {@code reason} says why for TEMPFAIL (and for a name that cannot exist).
 */
public record DnsAnswer(Status status, String name, int type, List<Record> records, long ttl, String reason) {

    /** FOUND: records exist. NXDOMAIN: the name does not exist. NODATA: it exists, not with this type. */
    public enum Status { FOUND, NXDOMAIN, NODATA, TEMPFAIL }

    /** One MX target; {@code host} is "" for the RFC 7505 null MX ("0 ."). */
    public record MxHost(int preference, String host) {}

    public DnsAnswer {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(name, "name");
        records = List.copyOf(records);
        reason = reason == null ? "" : reason;
        if (ttl < 0) throw new IllegalArgumentException("negative ttl " + ttl);
        if ((status == Status.FOUND) == records.isEmpty()) {
            throw new IllegalArgumentException(status + " with " + records.size() + " record(s)");
        }
    }

    public static DnsAnswer found(String name, int type, List<Record> records, long ttl) {
        return new DnsAnswer(Status.FOUND, name, type, records, ttl, "");
    }

    public static DnsAnswer nxdomain(String name, int type, long negativeTtl) {
        return new DnsAnswer(Status.NXDOMAIN, name, type, List.of(), negativeTtl, "");
    }

    public static DnsAnswer nodata(String name, int type, long negativeTtl) {
        return new DnsAnswer(Status.NODATA, name, type, List.of(), negativeTtl, "");
    }

    public static DnsAnswer tempfail(String name, int type, String reason) {
        return new DnsAnswer(Status.TEMPFAIL, name, type, List.of(), 0, reason);
    }

    public boolean isFound() { return status == Status.FOUND; }
    public boolean isTempfail() { return status == Status.TEMPFAIL; }
    /** NXDOMAIN or NODATA: a definite "no such record". */
    public boolean isNegative() { return status == Status.NXDOMAIN || status == Status.NODATA; }

    /** The same answer with another TTL (the cache reports the time left). */
    public DnsAnswer withTtl(long seconds) {
        return new DnsAnswer(status, name, type, records, seconds, reason);
    }

    /** Addresses of the A and AAAA records, in answer order. */
    public List<InetAddress> addresses() {
        List<InetAddress> out = new ArrayList<>();
        for (Record r : records) {
            if (r instanceof ARecord a) out.add(a.getAddress());
            else if (r instanceof AAAARecord a) out.add(a.getAddress());
        }
        return List.copyOf(out);
    }

    /** MX targets sorted by preference (stable for equal preferences). */
    public List<MxHost> mxHosts() {
        return records.stream().filter(MXRecord.class::isInstance).map(MXRecord.class::cast)
                .map(mx -> new MxHost(mx.getPriority(), hostName(mx.getTarget())))
                .sorted(Comparator.comparingInt(MxHost::preference))
                .toList();
    }

    /** RFC 7505: the domain's only MX is "0 ." -- it accepts no mail. */
    public boolean isNullMx() {
        List<MxHost> mx = mxHosts();
        return mx.size() == 1 && mx.get(0).host().isEmpty();
    }

    /** Each TXT record's character-strings joined without separator (RFC 7208 3.3), bytes as UTF-8. */
    public List<String> texts() {
        List<String> out = new ArrayList<>();
        for (Record r : records) {
            if (r instanceof TXTRecord t) {
                StringBuilder sb = new StringBuilder();
                for (byte[] part : t.getStringsAsByteArrays()) sb.append(new String(part, StandardCharsets.UTF_8));
                out.add(sb.toString());
            }
        }
        return List.copyOf(out);
    }

    /** Target names of PTR, CNAME, DNAME, NS and MX records, lower case, without the trailing dot. */
    public List<String> targets() {
        List<String> out = new ArrayList<>();
        for (Record r : records) {
            Name target = null;
            if (r instanceof PTRRecord p) target = p.getTarget();
            else if (r instanceof CNAMERecord c) target = c.getTarget();
            else if (r instanceof DNAMERecord d) target = d.getTarget();
            else if (r instanceof NSRecord n) target = n.getTarget();
            else if (r instanceof MXRecord m) target = m.getTarget();
            if (target != null) out.add(hostName(target));
        }
        return List.copyOf(out);
    }

    /**
     * A+AAAA: FOUND when either is (records of both, smallest TTL); else TEMPFAIL when either is;
     * else NXDOMAIN when either is; else NODATA. The result's type is {@link Type#ANY}.
     */
    public static DnsAnswer combine(DnsAnswer a, DnsAnswer b) {
        if (a.isFound() || b.isFound()) {
            List<Record> all = new ArrayList<>(a.records);
            all.addAll(b.records);
            long ttl = a.isFound() && b.isFound() ? Math.min(a.ttl, b.ttl) : (a.isFound() ? a.ttl : b.ttl);
            return found(a.name, Type.ANY, all, ttl);
        }
        if (a.isTempfail()) return tempfail(a.name, Type.ANY, a.reason);
        if (b.isTempfail()) return tempfail(a.name, Type.ANY, b.reason);
        long ttl = Math.min(a.ttl, b.ttl);
        if (a.status == Status.NXDOMAIN || b.status == Status.NXDOMAIN) return nxdomain(a.name, Type.ANY, ttl);
        return nodata(a.name, Type.ANY, ttl);
    }

    static String hostName(Name n) {
        return n.equals(Name.root) ? "" : n.toString(true).toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code example.org/MX FOUND ttl=300 [10 mx.example.org.]}, for logs. */
    @Override
    public String toString() {
        String head = name + "/" + Type.string(type) + " " + status;
        return switch (status) {
            case FOUND -> head + " ttl=" + ttl + " " + records.stream().map(Record::rdataToString)
                    .collect(Collectors.joining(", ", "[", "]"));
            case NXDOMAIN, NODATA -> head + " ttl=" + ttl + (reason.isEmpty() ? "" : " (" + reason + ")");
            case TEMPFAIL -> head + " (" + reason + ")";
        };
    }
}
