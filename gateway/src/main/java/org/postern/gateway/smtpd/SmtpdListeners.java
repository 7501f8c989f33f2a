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
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.sasl.PasswordFile;
import org.postern.gateway.sasl.PasswordFileException;
import org.postern.gateway.tls.ServerTls;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Service;

public final class SmtpdListeners {
    private SmtpdListeners() {}

    public static List<SmtpdListener> build(Vertx vertx, Config main, IncomingQueue queue, Clock clock)
            throws IOException, ConfigException, PasswordFileException {
        List<SmtpdListener> out = new ArrayList<>();
        for (Service service : main.services()) {
            Config c = service.config(main); // -o overrides, with master.cf:line in any diagnostic
            SmtpdSettings st = SmtpdSettings.from(c);
            ServerTls tls = null;
            if (st.tlsOffered() || st.wrapperMode()) {
                tls = ServerTls.load(path(c, "smtpd_tls_cert_file"), path(c, "smtpd_tls_key_file"),
                        path(c, "data_directory"), st.hostname());
            }
            PasswordFile passwords = null;
            if (st.saslEnabled()) passwords = PasswordFile.load(path(c, "smtpd_sasl_password_file"));
            out.add(new SmtpdListener(vertx, service.name(), service.host() == null ? "0.0.0.0" : service.host(),
                    service.port(), st, queue, tls, passwords, clock));
        }
        return out;
    }

    /** A file or directory parameter; a relative value is taken relative to the config directory. */
    private static Path path(Config c, String name) {
        String value = c.get(name).trim();
        return value.isEmpty() ? null : c.configDir().resolve(value);
    }
}
