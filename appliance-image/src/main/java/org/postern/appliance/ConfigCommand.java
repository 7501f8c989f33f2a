// ConfigCommand: `postern config`, Postern's postconf: prints every parameter Postern reads as
// `name = value` (unexpanded, as written), -n only those set in main.cf, -d the defaults, NAME...
// only those; -e name=value... edits main.cf in place, keeping comments and order.
package org.postern.appliance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.MainCfEditor;
import org.postern.policies.conf.Parameter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "config", description = "Show or edit main.cf parameters (like postconf).")
final class ConfigCommand extends ConfiguredCommand {
    @Option(names = "-n", description = "Only parameters set explicitly in main.cf.")
    boolean nonDefault;

    @Option(names = "-d", description = "Default values instead of the configured ones.")
    boolean defaults;

    @Option(names = "-x", description = "Expand $name references in values.")
    boolean expand;

    @Option(names = "-h", description = "Values only, without \"name = \".")
    boolean valuesOnly;

    @Option(names = "-e", description = "Edit main.cf: each argument is name=value.")
    boolean edit;

    @picocli.CommandLine.Parameters(paramLabel = "NAME", description = "Parameter names (or name=value with -e).")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (edit) return edit();
        Config config = defaults ? Config.defaults(main.configDirectory()) : loadConfig(true);
        List<String> wanted = new ArrayList<>();
        int status = Main.OK;
        if (names.isEmpty()) {
            for (Parameter p : org.postern.policies.conf.Parameters.all()) wanted.add(p.name());
            wanted.sort(String::compareTo);
        } else {
            for (String n : names) {
                if (org.postern.policies.conf.Parameters.isDeclared(n)) {
                    wanted.add(n);
                } else {
                    main.err().println("postern/postconf: warning: " + n + ": unknown parameter");
                    status = Main.FAILURE;
                }
            }
        }
        for (String n : wanted) {
            if (nonDefault && !config.isExplicit(n)) continue;
            String value = expand ? config.get(n) : config.raw(n);
            main.out().println(valuesOnly ? value : value.isEmpty() ? n + " =" : n + " = " + value);
        }
        return status;
    }

    private int edit() throws Exception {
        if (names.isEmpty()) throw new Fatal("-e needs name=value arguments");
        Map<String, String> edits = new LinkedHashMap<>();
        for (String arg : names) {
            Map.Entry<String, String> e = MainCfEditor.parseEdit(arg);
            edits.put(e.getKey(), e.getValue());
        }
        MainCfEditor.editFile(main.configDirectory().resolve("main.cf"), edits);
        loadConfig(true); // report what the edited file now says (errors exit 1 via Main)
        return Main.OK;
    }
}
