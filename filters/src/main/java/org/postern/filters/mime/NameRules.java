// NameRules: decides one attachment or archive entry file name -- first vscan_banned_file_maps
// (access(5) style: REJECT [text] bans, OK allows, DUNNO defers to the built-in rule; first table
// with the name wins), then vscan_banned_extensions on the last extension.
package org.postern.filters.mime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

final class NameRules {

    enum Decision { ALLOW, BAN, NONE }

    /** What the rules say about a name; {@code reason} says why for BAN ("banned extension .exe"). */
    record Result(Decision decision, String reason) {
        static final Result NONE = new Result(Decision.NONE, "");
    }

    private final AttachmentPolicy policy;

    NameRules(AttachmentPolicy policy) {
        this.policy = policy;
    }

    /**
     * Checks {@code name}, and, when it holds a NUL, also the part before it (what C-string based
     * clients show). Any variant banned bans; otherwise a table OK allows.
     *
     * @throws TableLookupException a table that cannot answer: the caller answers TEMPFAIL
     */
    Result check(String name) throws TableLookupException {
        List<String> variants = new ArrayList<>(2);
        variants.add(name);
        int nul = name.indexOf('\0');
        if (nul >= 0) variants.add(name.substring(0, nul));
        Result outcome = Result.NONE;
        for (String v : variants) {
            Result r = checkOne(v);
            if (r.decision() == Decision.BAN) return r;
            if (r.decision() == Decision.ALLOW) outcome = r;
        }
        return outcome;
    }

    private Result checkOne(String name) throws TableLookupException {
        String key = FileNames.normalize(name);
        if (key.isEmpty()) return Result.NONE;
        for (LookupTable table : policy.fileMaps()) {
            Optional<TableEntry> found = table.find(key);
            if (found.isEmpty()) continue;
            Optional<Result> r = interpret(found.get());
            if (r.isPresent()) return r.get();
            break; // DUNNO: no table decides; the built-in rule does
        }
        Optional<String> ext = FileNames.lastExtension(key);
        if (ext.isPresent() && policy.bannedExtensions().contains(ext.get())) {
            return new Result(Decision.BAN, "banned extension ." + ext.get());
        }
        return Result.NONE;
    }

    /** access(5) values: OK or an all-digit value allow; DUNNO is no decision; REJECT, 4NN/5NN and anything else ban. */
    private static Optional<Result> interpret(TableEntry e) {
        String value = e.value().strip();
        int sp = 0;
        while (sp < value.length() && !Character.isWhitespace(value.charAt(sp))) sp++;
        String action = value.substring(0, sp).toUpperCase(Locale.ROOT);
        String text = value.substring(sp).strip();
        boolean allDigits = !value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9'); // as Postfix
        if (action.equals("OK") || allDigits) {
            return Optional.of(new Result(Decision.ALLOW, "allowed by " + e.origin()));
        }
        if (action.equals("DUNNO")) return Optional.empty();
        String why = "banned by " + e.origin();
        if (action.equals("REJECT") || action.matches("[45]\\d\\d")) {
            if (text.matches("[45]\\.\\d{1,3}\\.\\d{1,3}( .*)?")) text = text.replaceFirst("^\\S+\\s*", "");
            return Optional.of(new Result(Decision.BAN, text.isEmpty() ? why : why + ": " + text));
        }
        return Optional.of(new Result(Decision.BAN, why + ": " + value));
    }
}
