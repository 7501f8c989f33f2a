// FakeTransport: a dnsjava Resolver that answers from a table in memory (or fails), counting the
// queries it gets; lets DnsjavaResolverTest check error mapping, negative TTLs and caching without
// a network. Test support for org.postern.policies.dns.
package org.postern.policies.dns;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TSIG;

final class FakeTransport implements Resolver {
    /** Builds the response to a query, or throws to simulate a network failure. */
    private final Function<Message, CompletionStage<Message>> answer;
    final AtomicInteger queries = new AtomicInteger();
    final Map<String, AtomicInteger> perQuestion = new ConcurrentHashMap<>();

    FakeTransport(Function<Message, CompletionStage<Message>> answer) {
        this.answer = answer;
    }

    int count(String name, int type) {
        AtomicInteger n = perQuestion.get(name.toLowerCase() + "/" + type);
        return n == null ? 0 : n.get();
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        return sendAsync(query);
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        queries.incrementAndGet();
        String key = query.getQuestion().getName().toString(true).toLowerCase() + "/" + query.getQuestion().getType();
        perQuestion.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        try {
            return answer.apply(query);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override public void setPort(int port) {}
    @Override public void setTCP(boolean flag) {}
    @Override public void setIgnoreTruncation(boolean flag) {}
    @Override public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {}
    @Override public void setTSIGKey(TSIG key) {}
    @Override public void setTimeout(Duration timeout) {}
}
