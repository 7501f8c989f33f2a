// MapCommand: `postern map -q KEY TYPE:NAME...`, Postern's `postmap -q`: looks KEY up in each table
// in turn (as smtpd would read it: the text source file, no compile step) and prints the first
// result; exit 1 when not found. `-q -` reads keys from standard input and prints "key<TAB>value".
package org.postern.appliance;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.postern.policies.table.MapQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "map", description = "Query lookup tables like postmap -q.")
final class MapCommand extends ConfiguredCommand {
    @Option(names = "-q", required = true, paramLabel = "KEY", description = "The key to look up; - reads keys from standard input.")
    String key;

    @Parameters(arity = "1..*", paramLabel = "TYPE:NAME", description = "Tables, e.g. hash:/etc/postern/access.")
    List<String> tables = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        MapQuery.Outcome o = key.equals("-")
                ? MapQuery.queryKeys(new String(System.in.readAllBytes(), StandardCharsets.UTF_8), tables,
                        main.configDirectory())
                : MapQuery.query(key, tables, main.configDirectory());
        main.out().print(o.stdout());
        main.out().flush();
        if (!o.stderr().isEmpty()) {
            main.err().print(o.stderr());
            main.err().flush();
        }
        return o.exitStatus();
    }
}
