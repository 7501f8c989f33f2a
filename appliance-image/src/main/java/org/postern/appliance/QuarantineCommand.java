// QuarantineCommand: `postern quarantine list|show|release|delete|purge` -- review the quarantine from the
// shell. Release puts the message for the chosen recipients into the backend queue (active/, no second scan)
// exactly once (QuarantineRelease); the running gateway delivers it within a second. Governed by quarantine_*.
package org.postern.appliance;

import io.vertx.core.Vertx;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postern.policies.conf.Config;
import org.postern.quarantine.store.Entry;
import org.postern.quarantine.store.Query;
import org.postern.quarantine.store.RecipientStatus;
import org.postern.quarantine.store.SqliteQuarantine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "quarantine", description = {"Review quarantined mail.",
        "  postern quarantine list [--reason virus|spam|banned|unscannable] [--since 2026-11-20|24h] [--rcpt TEXT]",
        "  postern quarantine show ID [--content]",
        "  postern quarantine release ID [--rcpt ADDRESS]   deliver it (once per recipient)",
        "  postern quarantine delete ID [--rcpt ADDRESS]",
        "  postern quarantine purge                         settle interrupted releases, remove what is older than",
        "                                                   quarantine_lifetime"})
final class QuarantineCommand extends ConfiguredCommand {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Test only: halt the JVM at this step of a release (after-claim, after-commit, after-complete), as a crash would. */
    static final String HALT_PROPERTY = "postern.test.release-halt";

    @Parameters(index = "0", paramLabel = "ACTION", description = "list, show, release, delete or purge")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "quarantine id as list shows it")
    String id;

    @Option(names = "--reason", description = "virus, spam, banned, unscannable (list)")
    String reason;

    @Option(names = "--since", description = "a date (2026-11-20) or an age (24h, 7d) (list)")
    String since;

    @Option(names = "--rcpt", description = "one recipient (release, delete) or part of an address (list)")
    String rcpt;

    @Option(names = "--content", description = "also print the message (show)")
    boolean content;

    @Override
    public Integer call() throws Exception {
        Config config = loadConfig(false);
        Vertx vertx = Vertx.vertx();
        try {
            SqliteQuarantine store = RunCommand.await(QuarantineSetup.open(vertx, config), WAIT);
            try {
                return run(vertx, config, store);
            } finally {
                RunCommand.await(store.close(), WAIT);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            main.err().println("postern/quarantine: fatal: " + e.getCause().getMessage());
            return Main.FAILURE;
        } finally {
            RunCommand.await(vertx.close(), WAIT);
        }
    }

    private int run(Vertx vertx, Config config, SqliteQuarantine store) throws Exception {
        switch (action.toLowerCase(Locale.ROOT)) {
            case "list" -> {
                Query q = Query.all().withPage(Query.MAX_LIMIT, 0);
                if (reason != null) q = q.withVerdictClass(verdictClass(reason));
                if (since != null) q = q.withSince(since(since));
                if (rcpt != null) q = q.withRecipient(rcpt);
                List<Entry> entries = RunCommand.await(store.list(q), WAIT);
                for (Entry e : entries) {
                    main.out().printf(Locale.ROOT, "%-20s %s %-12s %7d <%s> -> %s  %s%n", e.id(),
                            e.time().atZone(ZoneId.systemDefault()).toLocalDateTime().withNano(0), e.verdictClass(), e.size(),
                            e.envelope().sender(), String.join(",", e.recipients().stream()
                                    .map(r -> r.address() + state(r)).toList()), e.subject());
                }
                main.out().println("-- " + entries.size() + " quarantined message" + (entries.size() == 1 ? "" : "s"));
            }
            case "show" -> {
                Entry e = RunCommand.await(store.find(need(id)), WAIT)
                        .orElseThrow(() -> new Fatal("no quarantined message " + id));
                show(e);
                if (content) {
                    try (InputStream in = RunCommand.await(store.content(e.id()), WAIT).open();
                         var text = new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8)) {
                        main.out().println("*** MESSAGE CONTENTS ***");
                        text.transferTo(main.out());
                    }
                }
            }
            case "release" -> {
                String halt = System.getProperty(HALT_PROPERTY);
                QuarantineRelease.Outcome o = new QuarantineRelease(vertx, store, QuarantineSetup.spool(config),
                        Clock.systemUTC(), halt == null ? QuarantineRelease.Hooks.NONE : QuarantineRelease.haltingAt(halt))
                        .run(need(id), Optional.ofNullable(rcpt), System.getProperty("user.name", "cli"), WAIT);
                if (!o.done()) {
                    main.err().println("postern/quarantine: " + o.id() + ": " + (o.queueId() == null
                            ? "release not started after " + WAIT.toSeconds() + " s (quarantine index busy?); if it starts "
                            : "release to " + String.join(", ", o.addresses()) + " as " + o.queueId()
                                    + " in progress after " + WAIT.toSeconds() + " s; if it does not finish in the background, ")
                            + "the next `postern quarantine purge` (hourly in the gateway) completes it, or returns it to "
                            + "quarantine if its copy was never queued");
                    return Main.TEMPFAIL;
                }
                main.out().println("postern/quarantine: " + o.id() + ": released to " + String.join(", ", o.addresses())
                        + " as " + o.queueId());
            }
            case "delete" -> {
                boolean done = RunCommand.await(store.delete(need(id), Optional.ofNullable(rcpt)), WAIT);
                main.out().println("postern/quarantine: " + id + (done ? ": deleted" : ": nothing to delete"));
                return done ? Main.OK : Main.FAILURE;
            }
            case "purge" -> main.out().println("postern/quarantine: purged "
                    + RunCommand.await(QuarantineSetup.purge(vertx, store, QuarantineSetup.spool(config), Clock.systemUTC()), WAIT) + " message(s)");
            default -> {
                main.err().println("postern/quarantine: fatal: unknown action " + action);
                return Main.USAGE;
            }
        }
        main.out().flush();
        return Main.OK;
    }

    private void show(Entry e) {
        var out = main.out();
        out.println("id: " + e.id());
        out.println("time: " + e.time().atZone(ZoneId.systemDefault()));
        out.println("queue_id: " + e.envelope().queueId());
        out.println("client: " + e.envelope().client().hostAddr());
        out.println("sender: <" + e.envelope().sender() + ">");
        for (RecipientStatus r : e.recipients()) out.println("recipient: " + r.address() + state(r));
        out.println("subject: " + e.subject());
        out.println("size: " + e.size());
        out.println("class: " + e.verdictClass());
        if (e.virus() != null) out.println("virus: " + e.virus());
        if (e.spamScore() != null) out.println("spam_score: " + e.spamScore() + " symbols: " + String.join(",", e.symbols()));
        out.println("reason: " + e.reason());
        out.println("rule: " + e.rule());
    }

    /** " (quarantined)", " (releasing as 0A3F2B61C0DP4821)": a release's state names its copy's queue id. */
    private static String state(RecipientStatus r) {
        return " (" + r.state().name().toLowerCase(Locale.ROOT) + (r.releaseQueueId() == null ? "" : " as " + r.releaseQueueId())
                + ")";
    }

    private static String verdictClass(String reason) throws Fatal {
        return switch (reason.toLowerCase(Locale.ROOT)) {
            case "virus", "infected" -> "infected";
            case "spam" -> "spam";
            case "probable-spam", "probable_spam" -> "probable_spam";
            case "banned" -> "banned";
            case "unscannable" -> "unscannable";
            default -> throw new Fatal("--reason " + reason + ": expected virus, spam, probable-spam, banned or unscannable");
        };
    }

    static Instant since(String s) throws Fatal {
        try {
            if (s.matches("\\d+[smhdw]")) {
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                Duration d = switch (s.charAt(s.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> Duration.ofDays(7 * n);
                };
                return Instant.now().minus(d);
            }
            return LocalDate.parse(s).atStartOfDay(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new Fatal("--since " + s + ": expected a date like 2026-11-20 or an age like 24h");
        }
    }

    private static String need(String id) throws Fatal {
        if (id == null) throw new Fatal("a quarantine id is required");
        return id;
    }
}
