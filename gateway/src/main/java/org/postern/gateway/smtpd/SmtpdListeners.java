// SmtpdListeners: builds one SmtpdListener per master.cf smtpd service from the frozen Config --
// its -o overrides applied, TLS material loaded or generated, the SASL password file read. Blocking
// (files, key generation): the gateway runs it on a worker at start-up.
package org.postern.gateway.smtpd;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.postern.gateway.cleanup.AddressRewriting;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.sasl.PasswordFile;
import org.postern.gateway.sasl.PasswordFileException;
import org.postern.gateway.tls.ServerTls;
import org.postern.gateway.vscan.VscanMode;
import org.postern.gateway.vscan.VscanStage;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Service;
import org.postern.policies.checks.ContentChecks;
import org.postern.policies.dns.DnsResolver;
import org.postern.policies.restrict.RestrictionServices;
import org.postern.policies.restrict.SmtpdRestrictions;
import org.postern.policies.table.Tables;

public final class SmtpdListeners {
    private SmtpdListeners() {}

    /**
     * @param vscan the backend's vscan stage, asked at end of DATA by before-queue and content-filter listeners;
     *              may give null (no backend: before-queue mail waits in incoming/, content-filter answers 451)
     */
    public static List<SmtpdListener> build(Vertx vertx, Config main, IncomingQueue queue, Clock clock, DnsResolver dns,
                                            RestrictionServices services, Supplier<VscanStage> vscan)
            throws IOException, ConfigException, PasswordFileException {
        List<SmtpdListener> out = new ArrayList<>();
        Tables tables = new Tables(main.configDir()); // one instance per table file for this snapshot
        // the file system smtpd writes new mail to; as the gateway's spool, queue_directory is read from main.cf
        QueueSpace space = new QueueSpace(vertx, clock, QueueSpace.statvfs(
                main.configDir().resolve(main.get("queue_directory")).resolve(QueueName.INCOMING.dirName())));
        for (Service service : main.services()) {
            Config c = service.config(main); // -o overrides, with master.cf:line in any diagnostic
            ContentChecks checks = ContentChecks.from(c, tables);
            SmtpdRestrictions restrictions = SmtpdRestrictions.load(c, tables, dns, services);
            AddressRewriting rewriting = AddressRewriting.from(c, tables); // cleanup: canonical, virtual, masquerade
            restrictions.warnings().forEach(w -> org.slf4j.LoggerFactory.getLogger("postern.master").warn("{}", w));
            SmtpdSettings st = SmtpdSettings.from(c);
            if (st.vscanMode().scansAtEndOfData() && !main.lists("qmgr")) {
                org.slf4j.LoggerFactory.getLogger("postern.master").warn("{}: service {}: vscan_mode = {} needs the "
                        + "qmgr service in master.cf (the vscan stage runs there){}", c.originOf("vscan_mode"),
                        service.name(), st.vscanMode().key(), st.vscanMode() == VscanMode.CONTENT_FILTER
                                ? ": mail is answered 451" : ": mail waits in incoming/");
            }
            ServerTls tls = null;
            if (st.tlsOffered() || st.wrapperMode()) {
                tls = ServerTls.load(path(c, "smtpd_tls_cert_file"), path(c, "smtpd_tls_key_file"),
                        path(c, "data_directory"), st.hostname());
            }
            PasswordFile passwords = null;
            if (st.saslEnabled()) passwords = PasswordFile.load(path(c, "smtpd_sasl_password_file"));
            out.add(new SmtpdListener(vertx, service.name(), service.host() == null ? "0.0.0.0" : service.host(),
                    service.port(), st, queue, tls, passwords, clock, dns, checks, restrictions, rewriting, vscan,
                    space, service.maxproc()));
        }
        return out;
    }

    /**
     * What `postern check` reports beyond main.cf/master.cf syntax: for each smtpd service, every
     * table it names must load, the TLS certificate and key (when configured) and the SASL password
     * file (when AUTH is on) too.
     * Blocking; nothing is bound and no certificate is generated.
     */
    public static List<String> check(Config main) {
        List<String> problems = new ArrayList<>();
        Tables tables = new Tables(main.configDir());
        try (RestrictionServices services = RestrictionServices.create(1)) {
            check(main, tables, services, problems);
        }
        return problems.stream().distinct().toList();
    }

    private static void check(Config main, Tables tables, RestrictionServices services, List<String> problems) {
        for (Service service : main.services()) {
            Config c;
            SmtpdSettings st;
            try {
                c = service.config(main);
                st = SmtpdSettings.from(c);
                ContentChecks.from(c, tables); // every header/body checks table loads
                AddressRewriting.from(c, tables); // and every address rewriting table
                try (SmtpdRestrictions r = SmtpdRestrictions.load(c, tables, null, services)) {
                    r.warnings().forEach(w -> problems.add(w.toString()));
                }
            } catch (ConfigException e) {
                e.diagnostics().forEach(d -> problems.add(d.toString()));
                continue;
            } catch (RuntimeException e) {
                problems.add(service.origin() + ": error: service " + service.name() + ": " + e.getMessage());
                continue;
            }
            Path cert = path(c, "smtpd_tls_cert_file");
            if ((st.tlsOffered() || st.wrapperMode()) && cert != null) {
                try {
                    ServerTls.load(cert, path(c, "smtpd_tls_key_file"), path(c, "data_directory"), st.hostname());
                } catch (IOException | RuntimeException e) {
                    problems.add(c.originOf("smtpd_tls_cert_file") + ": error: smtpd_tls_cert_file (service "
                            + service.name() + "): " + e.getMessage());
                }
            }
            if (st.saslEnabled()) {
                try {
                    PasswordFile.load(path(c, "smtpd_sasl_password_file"));
                } catch (IOException | PasswordFileException e) {
                    problems.add(e.getMessage().contains(":") ? "error: " + e.getMessage()
                            : c.originOf("smtpd_sasl_password_file") + ": error: " + e.getMessage());
                }
            }
        }
    }

    /** A file or directory parameter; a relative value is taken relative to the config directory. */
    private static Path path(Config c, String name) {
        String value = c.get(name).trim();
        return value.isEmpty() ? null : c.configDir().resolve(value);
    }
}
