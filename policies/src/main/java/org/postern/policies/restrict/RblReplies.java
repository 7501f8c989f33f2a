// RblReplies: the reply to a DNS block list hit -- the template for the list's domain from
// rbl_reply_maps, else default_rbl_reply -- expanded with RblReplyFacts. A bad template in a map is a
// warning and the default is used, as Postfix does; a failing map is a configuration error.
package org.postern.policies.restrict;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.core.SmtpReply;
import org.postern.policies.dns.DnsblSyntaxException;
import org.postern.policies.dns.RblReplyFacts;
import org.postern.policies.dns.RblReplyTemplate;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

/** Thread-safe; map templates are parsed on first use and kept. */
final class RblReplies {
    private static final int CACHE_LIMIT = 1000;

    private final RblReplyTemplate defaultTemplate;
    private final List<LookupTable> maps;
    private final ConcurrentHashMap<String, Optional<RblReplyTemplate>> parsed = new ConcurrentHashMap<>();

    RblReplies(RblReplyTemplate defaultTemplate, List<LookupTable> maps) {
        this.defaultTemplate = defaultTemplate;
        this.maps = List.copyOf(maps);
    }

    /** The reply for a hit in {@code zone}; null (with warnings) when rbl_reply_maps cannot be read. */
    SmtpReply reply(String zone, RblReplyFacts facts, List<String> warnings) {
        RblReplyTemplate template = defaultTemplate;
        for (LookupTable t : maps) {
            Optional<TableEntry> e;
            try {
                e = t.find(zone);
            } catch (TableLookupException x) {
                warnings.add(x.getMessage());
                return null;
            }
            if (e.isPresent()) {
                Optional<RblReplyTemplate> own = template(e.get().value(), warnings, zone);
                if (own.isPresent()) template = own.get();
                break;
            }
        }
        return template.reply(facts);
    }

    private Optional<RblReplyTemplate> template(String text, List<String> warnings, String zone) {
        Optional<RblReplyTemplate> known = parsed.get(text);
        if (known == null) {
            try {
                known = Optional.of(RblReplyTemplate.parse(text));
            } catch (DnsblSyntaxException e) {
                known = Optional.empty();
            }
            if (parsed.size() > CACHE_LIMIT) parsed.clear();
            parsed.put(text, known);
        }
        if (known.isEmpty()) warnings.add("bad rbl reply template for domain " + zone + ": " + text);
        return known;
    }
}
