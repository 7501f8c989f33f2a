// Backend: the stages behind the incoming queue -- vscan (incoming -> active), qmgr (active/deferred ->
// delivery) with its transport, router and bounce sink -- built from main.cf and started when master.cf
// lists the qmgr service (as Postfix's master runs qmgr). Governed by relayhost, transport_maps, vscan_*.
package org.postern.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.postern.gateway.bounce.BounceSettings;
import org.postern.gateway.bounce.Bouncer;
import org.postern.gateway.bounce.Notices;
import org.postern.gateway.cleanup.AddressRewriting;
import org.postern.gateway.qmgr.Qmgr;
import org.postern.gateway.qmgr.QmgrSettings;
import org.postern.gateway.qmgr.QueueCommands;
import org.postern.gateway.qmgr.Router;
import org.postern.gateway.resolve.TransportResolver;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.SmtpSettings;
import org.postern.gateway.smtp.SmtpTransport;
import org.postern.gateway.vscan.OutageWatch;
import org.postern.gateway.vscan.ScanInspector;
import org.postern.gateway.vscan.VscanStage;
import org.postern.core.QuarantineStore;
import org.postern.filters.ActionPolicy;
import org.postern.filters.FilterChain;
import org.postern.filters.ScanVerdict;
import org.postern.filters.clamav.ClamdFilter;
import org.postern.filters.mime.AttachmentFilter;
import org.postern.filters.rspamd.RspamdFilter;
import org.postern.policies.table.Tables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.postern.policies.conf.Config;

/** The started backend; {@link #stop} ends vscan first, then the deliveries in flight. */
final class Backend {
    private final SmtpTransport transport;
    private final Qmgr qmgr;
    private final VscanStage vscan;
    private final ControlSocket control;
    private final Bouncer bouncer;

    private final QuarantineStore store;
    private final Clock clock;

    private Backend(SmtpTransport transport, Qmgr qmgr, VscanStage vscan, ControlSocket control, Bouncer bouncer,
                    QuarantineStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.bouncer = bouncer;
        this.transport = transport;
        this.qmgr = qmgr;
        this.vscan = vscan;
        this.control = control;
    }

    /** Builds and starts the stages, and has {@code queue} tell them of each commit. Blocking parts run on workers. */
    static Future<Backend> start(Vertx vertx, Config config, Spool spool, IncomingQueue queue, QuarantineStore store,
                                 Clock clock) {
        AtomicReference<Qmgr> later = new AtomicReference<>();
        Bouncer bouncer = new Bouncer(vertx, queue, BounceSettings.from(config), id -> later.get().activated(id), clock);
        return vertx.executeBlocking(() -> {
            return build(vertx, config, queue, store, bouncer, clock);
        }, false).compose(b -> start(vertx, config, spool, queue, b, bouncer, later, store, clock))
                .recover(e -> bouncer.close().transform(x -> Future.failedFuture(e)));
    }

    /** What configuration load makes (tables read, on a worker) before anything starts. */
    private record Built(VscanStage.Inspector inspector, Router router, SmtpSettings smtp, AddressRewriting rewriting) {}

    /** Reads the tables and builds what start and reload install. Blocking. */
    private static Built build(Vertx vertx, Config config, IncomingQueue queue, QuarantineStore store, Bouncer bouncer,
                               Clock clock) throws Exception {
        Tables tables = new Tables(config.configDir());
        Router router = TransportResolver.from(config, tables);
        // postern check calls them errors; a running gateway defers their recipients, as Postfix
        TransportResolver.warnUnknownTransports(config, tables);
        SmtpSettings smtp = SmtpSettings.fromConfig(config);
        AddressRewriting rewriting = AddressRewriting.from(config, tables);
        // last: the filters hold connections and timers
        return new Built(inspector(vertx, config, tables, queue, store, bouncer.notices(), clock), router, smtp, rewriting);
    }

    private static Future<Backend> start(Vertx vertx, Config config, Spool spool, IncomingQueue queue, Built b,
                                         Bouncer bouncer, AtomicReference<Qmgr> later, QuarantineStore store, Clock clock) {
        bouncer.rewriteWith(b.rewriting()); // notices to "postmaster" follow its alias
        SmtpTransport transport = new SmtpTransport(vertx, b.smtp(), clock, Resolvers.fromConfig(config, clock));
        Router router = b.router();
        VscanStage.Inspector inspector = b.inspector();
        Qmgr qmgr = new Qmgr(vertx, spool, transport, router, bouncer, QmgrSettings.fromConfig(config), clock);
        later.set(qmgr);
        // The transport also carries content-filter listeners' mail to their next hop (vscan_mode=content-filter).
        VscanStage vscan = new VscanStage(vertx, spool, inspector, qmgr::activated, config.getInt("vscan_concurrency"),
                config.getTime("vscan_retry_time"), transport, clock);
        vscan.watchOutages(new OutageWatch(config.getTime("vscan_outage_notify_time"), clock, (subject, text) ->
                bouncer.notices().postmaster("resource", subject, text)));
        queue.onCommit((id, q) -> {
            if (q == QueueName.INCOMING) vscan.offer(id);
            else if (q == QueueName.ACTIVE) qmgr.activated(id);
        });
        return qmgr.start().compose(v -> vscan.start())
                .compose(v -> vertx.executeBlocking(() -> ControlSocket.open(spool.root(), new QueueCommands(spool, qmgr, vscan),
                        () -> Future.all(vscan.flush(), qmgr.flush()).mapEmpty()), false))
                .map(control -> new Backend(transport, qmgr, vscan, control, bouncer, store, clock));
    }

    /**
     * The content filters main.cf configures (clamd, rspamd, attachment rules) with their policy; PASS when
     * there are none. Blocking: reads the tables (vscan_banned_file_maps, vscan_policy_maps).
     */
    private static VscanStage.Inspector inspector(Vertx vertx, Config config, Tables tables, IncomingQueue queue,
                                                  QuarantineStore store, Notices notices, Clock clock) throws Exception {
        List<FilterChain.Member> members = new ArrayList<>();
        try {
            return inspector(vertx, config, tables, queue, store, notices, clock, members);
        } catch (Exception | Error e) { // a bad table or address: the filters made so far hold sockets and timers
            members.forEach(m -> m.filter().close());
            throw e;
        }
    }

    private static VscanStage.Inspector inspector(Vertx vertx, Config config, Tables tables, IncomingQueue queue,
                                                  QuarantineStore store, Notices notices, Clock clock,
                                                  List<FilterChain.Member> members) throws Exception {
        Set<String> failOpen = new HashSet<>();
        ClamdFilter.fromConfig(vertx, config, clock).ifPresent(f -> {
            members.add(new FilterChain.Member(f, config.getTime("vscan_clamd_timeout"), config.getBool("vscan_clamd_fail_open")));
            if (config.getBool("vscan_clamd_fail_open")) failOpen.add(f.name());
        });
        RspamdFilter.fromConfig(vertx, config, clock).ifPresent(f -> {
            members.add(new FilterChain.Member(f, config.getTime("vscan_rspamd_timeout"), config.getBool("vscan_rspamd_fail_open")));
            if (config.getBool("vscan_rspamd_fail_open")) failOpen.add(f.name());
        });
        AttachmentFilter.fromConfig(vertx, config, tables).ifPresent(f ->
                members.add(new FilterChain.Member(f, config.getTime("vscan_clamd_timeout"), false)));
        if (members.isEmpty()) return VscanStage.Inspector.PASS;
        ScanInspector.Settings settings = new ScanInspector.Settings(failOpen,
                ScanVerdict.SpamThresholds.fromConfig(config),
                config.get("vscan_spam_subject_tag"), config.get("vscan_admin_notify_recipient").strip(),
                Set.copyOf(config.getList("vscan_admin_notify_classes")), config.getBool("vscan_recipient_notify"),
                config.getInt("vscan_concurrency"));
        return new ScanInspector(vertx, new FilterChain(vertx, members, clock), ActionPolicy.from(config, tables), settings,
                queue, store, (rcpt, subject, text) -> notices.notice(rcpt, subject, text, Optional.empty()).mapEmpty());
    }


    /** The vscan stage, which before-queue and content-filter listeners ask at end of DATA. */
    VscanStage vscan() {
        return vscan;
    }

    /**
     * postern check: builds everything the backend would read from {@code config} (routing tables, SMTP
     * client settings, queue manager limits, content filters and their policy tables) without starting
     * anything; returns the problems, each naming its file:line. Blocking.
     */
    static List<String> check(Config config) {
        List<String> problems = new ArrayList<>();
        Vertx vertx = Vertx.vertx();
        try {
            Tables tables = new Tables(config.configDir());
            try {
                TransportResolver.from(config, tables);
                TransportResolver.unknownTransports(config, tables).forEach(d -> problems.add(d.toString()));
            } catch (org.postern.policies.conf.ConfigException e) {
                e.diagnostics().forEach(d -> problems.add(d.toString()));
            }
            for (Runnable part : List.<Runnable>of(() -> SmtpSettings.fromConfig(config), () -> QmgrSettings.fromConfig(config),
                    () -> ClamdFilter.fromConfig(vertx, config), () -> RspamdFilter.fromConfig(vertx, config),
                    () -> ScanVerdict.SpamThresholds.fromConfig(config))) {
                try {
                    part.run();
                } catch (IllegalArgumentException e) {
                    problems.add(errorAt(e.getMessage()));
                }
            }
            try {
                AttachmentFilter.fromConfig(vertx, config, tables).ifPresent(AttachmentFilter::close);
                ActionPolicy.from(config, tables);
            } catch (org.postern.policies.conf.ConfigException e) {
                e.diagnostics().forEach(d -> problems.add(d.toString()));
            } catch (IllegalArgumentException e) {
                problems.add(errorAt(e.getMessage()));
            }
        } finally {
            vertx.close();
        }
        return problems;
    }

    /**
     * A scanner's or threshold's fromConfig message, "main.cf:3: what" (their convention), as a Diagnostic
     * prints it: "main.cf:3: error: what".
     */
    private static String errorAt(String message) {
        int at = message.indexOf(": ");
        return at < 0 ? "error: " + message : message.substring(0, at) + ": error: " + message.substring(at + 2);
    }

    /**
     * postern reload: routing (transport_maps, relayhost, ...) and the content filters with their policy
     * and tables are built from {@code config} and take over for messages not yet routed or scanned. The
     * SMTP client settings, concurrency limits and the quarantine location stay as at start. A bad file
     * fails the future and changes nothing.
     */
    Future<Void> reload(Vertx vertx, Config config, IncomingQueue queue) {
        return vertx.executeBlocking(() -> {
            return build(vertx, config, queue, store, bouncer, clock);
        }, false).map(b -> {
            qmgr.reconfigure(b.router());
            vscan.reconfigure(b.inspector());
            bouncer.rewriteWith(b.rewriting());
            return null;
        });
    }

    Future<Void> stop() {
        control.close();
        return vscan.stop().eventually(qmgr::stop).eventually(transport::close).eventually(bouncer::close);
    }
}
