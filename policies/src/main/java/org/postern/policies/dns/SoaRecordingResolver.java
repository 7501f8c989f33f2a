// SoaRecordingResolver: the dnsjava Resolver under DnsjavaResolver's LookupSession; passes every query
// through and notes the RFC 2308 negative TTL (min of SOA TTL and SOA MINIMUM) of NXDOMAIN/NODATA
// responses, because LookupSession's NoSuchDomain/NoSuchRRSet exceptions carry no SOA. No main.cf parameters.
package org.postern.policies.dns;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;

/** A pass-through Resolver; {@link #takeNegativeTtl} hands each noted TTL out once. */
final class SoaRecordingResolver implements Resolver {
    private static final int MAX_NOTES = 1024;

    private final Resolver delegate;
    private final Map<DnsCache.Key, Long> negativeTtls = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<DnsCache.Key, Long> eldest) {
            return size() > MAX_NOTES; // notes nobody took (unusual CNAME chains) must not pile up
        }
    };

    SoaRecordingResolver(Resolver delegate) {
        this.delegate = delegate;
    }

    /** The negative TTL noted for {@code name}/{@code type}, or -1 when the response had no SOA. */
    long takeNegativeTtl(Name name, int type) {
        DnsCache.Key key = DnsCache.Key.of(name.toString(), type);
        synchronized (negativeTtls) {
            Long ttl = negativeTtls.remove(key);
            return ttl == null ? -1 : ttl;
        }
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        return delegate.sendAsync(query).thenApply(this::note);
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        return delegate.sendAsync(query, executor).thenApply(this::note);
    }

    private Message note(Message response) {
        Record question = response.getQuestion();
        if (question == null) return response;
        int rcode = response.getRcode();
        int type = question.getType();
        boolean answered = response.getSection(Section.ANSWER).stream().anyMatch(r -> r.getType() == type);
        if (rcode != Rcode.NXDOMAIN && (rcode != Rcode.NOERROR || answered)) return response;
        SOARecord soa = null;
        for (Record r : response.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord s) soa = s;
        }
        if (soa == null) return response;
        long ttl = Math.max(0, Math.min(soa.getTTL(), soa.getMinimum()));
        synchronized (negativeTtls) {
            negativeTtls.put(DnsCache.Key.of(question.getName().toString(), type), ttl);
            // LookupSession may report the end of a CNAME chain instead of the name asked
            for (Record r : response.getSection(Section.ANSWER)) {
                if (r instanceof CNAMERecord c) negativeTtls.put(DnsCache.Key.of(c.getTarget().toString(), type), ttl);
            }
        }
        return response;
    }

    @Override public void setPort(int port) { delegate.setPort(port); }
    @Override public void setTCP(boolean flag) { delegate.setTCP(flag); }
    @Override public void setIgnoreTruncation(boolean flag) { delegate.setIgnoreTruncation(flag); }
    @Override public void setTSIGKey(TSIG key) { delegate.setTSIGKey(key); }
    @Override public void setTimeout(Duration timeout) { delegate.setTimeout(timeout); }
    @Override public Duration getTimeout() { return delegate.getTimeout(); }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
        delegate.setEDNS(version, payloadSize, flags, options);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
