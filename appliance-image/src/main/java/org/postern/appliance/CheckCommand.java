// CheckCommand: `postern check`, as `postfix check`: validates main.cf, master.cf and the files they
// name for each smtpd listener (TLS certificate and key, SASL password file) and for the backend
// (transport_maps, vscan tables and scanners); prints file:line messages, exits 1 on any error.
package org.postern.appliance;

import org.postern.gateway.smtpd.SmtpdListeners;
import org.postern.policies.conf.Config;
import picocli.CommandLine.Command;

@Command(name = "check", description = "Validate the configuration and the files it names.")
final class CheckCommand extends ConfiguredCommand {
    @Override
    public Integer call() throws Exception {
        Config config = loadConfig(true); // syntax and value errors: reported by Main, exit 1
        java.util.List<String> problems = new java.util.ArrayList<>(SmtpdListeners.check(config));
        problems.addAll(org.postern.gateway.Gateway.checkBackend(config));
        problems.forEach(p -> main.err().println(p));
        main.err().flush();
        return problems.isEmpty() ? Main.OK : Main.FAILURE;
    }
}
