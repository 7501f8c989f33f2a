// Fixture: builds SmtpdRestrictions from a main.cf text (and table files) in a temporary directory,
// with FakeDns and an immediate "sleep", and makes SessionFacts for each stage; evaluation helpers
// wait for the (already or soon completed) CompletionStage. Test support for org.postern.policies.restrict.
package org.postern.policies.restrict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.dns.DnsResolver;
import org.postern.policies.table.Tables;

final class Fixture implements AutoCloseable {
    final Path dir;
    final FakeDns dns = new FakeDns();
    /** The resolver restrictions use: {@link #dns} unless a test sets a real one. */
    DnsResolver resolver = dns;
    final List<Duration> sleeps = new ArrayList<>();
    final ExecutorService io = Executors.newCachedThreadPool();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Clock clock = Clock.systemUTC();
    SmtpdRestrictions restrictions;

    Fixture(Path dir) {
        this.dir = dir;
    }

    /** Writes a file below the configuration directory. */
    Fixture file(String name, String text) {
        try {
            Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Config config(String mainCf) throws ConfigException {
        file("main.cf", "mydomain = example.net\nmyhostname = mx.example.net\nmydestination = example.net\n"
                + "relay_domains = relay.example\nmynetworks = 192.0.2.0/24\n" + mainCf
                // every local user exists unless a test says otherwise (the default local_transport has none);
                // last, so that the line numbers tests expect stay as they are
                + (mainCf.contains("local_recipient_maps") || mainCf.contains("local_transport") ? ""
                        : "\nlocal_recipient_maps = static:ok\n"));
        file("master.cf", "smtp inet n - n - - smtpd\n");
        return Config.load(dir);
    }

    RestrictionServices services() {
        return new RestrictionServices(io, timer, clock, d -> {
            synchronized (sleeps) {
                sleeps.add(d);
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    SmtpdRestrictions load(String mainCf) throws ConfigException {
        restrictions = SmtpdRestrictions.load(config(mainCf), new Tables(dir), resolver, services());
        return restrictions;
    }

    /** The load errors of a configuration that must not load. */
    ConfigException failure(String mainCf) {
        try {
            load(mainCf);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Facts of an unknown ESMTP client at 198.51.100.7 that said EHLO client.example.org. */
    static SessionFacts.Builder facts(Stage stage) {
        return SessionFacts.builder(stage, FakeDns.literal("198.51.100.7")).clientPort(40000)
                .helo("client.example.org", "ESMTP").server("192.0.2.25", 25).instance("1a2b.3c4d.0");
    }

    /** RCPT facts: sender and recipient given. */
    static SessionFacts rcpt(String sender, String recipient) {
        return facts(Stage.RCPT).sender(sender).recipient(recipient).build();
    }

    Verdict rcpt(SessionFacts f) {
        return await(restrictions.rcpt(f));
    }

    static Map<String, String> map(String... kv) {
        java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Override
    public void close() {
        if (restrictions != null) restrictions.close();
        io.shutdownNow();
        timer.shutdownNow();
    }
}
