// RestrictionListParser: parses a restriction list ONCE into Restriction objects (Postfix's
// smtpd_check_parse, done properly): "name arg" pairs, bare type:table tokens, restriction classes,
// warn_if_reject; every unknown name, missing argument or out-of-stage restriction is an error at main.cf:line.
package org.postern.policies.restrict;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.restrict.Keywords.Arg;
import org.postern.policies.restrict.Keywords.Keyword;

/** Used at load time (and for access-table values at their first use); the keyword table is in Keywords. */
final class RestrictionListParser {
    private static final Set<String> FINAL = Set.of("permit", "reject", "defer");

    private final Env env;

    RestrictionListParser(Env env) {
        this.env = env;
    }

    /** The list a main.cf parameter holds, errors naming the line it is set at. */
    RestrictionList parseParameter(ListKind kind) throws ConfigException {
        Place p = new Place(kind, env.config.originOf(kind.parameter()), kind.parameter(), false);
        return parse(p, env.config.get(kind.parameter()));
    }

    /**
     * @throws ConfigException with one error per bad token (all of them), each at {@code place.origin()}
     */
    RestrictionList parse(Place place, String text) throws ConfigException {
        List<String> tokens = Tokens.split(text);
        List<Restriction> out = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String tok = tokens.get(i);
            try {
                if (tok.equalsIgnoreCase(WarnIfReject.NAME)) {
                    if (i == tokens.size() - 1) {
                        throw error(place, "\"" + tok + "\" at the end of the list: it must be followed by a restriction");
                    }
                    out.add(new WarnIfReject(place.origin()));
                    continue;
                }
                String name = tok;
                String arg = null;
                if (tok.indexOf(':') >= 0) { // Postfix: a bare type:table means the list's own access check
                    name = place.kind().defaultAccess();
                    if (name == null) {
                        throw error(place, "specify one of (check_client_access, check_reverse_client_hostname_access,"
                                + " check_helo_access, check_sender_access, check_recipient_access) before "
                                + place.replyClass().text() + " restriction \"" + tok + "\"");
                    }
                    arg = tok;
                }
                Keyword k = Keywords.find(name);
                if (k != null) {
                    if (arg == null && k.arg() != Arg.NONE) {
                        if (i + 1 >= tokens.size()) throw error(place, "restriction \"" + tok + "\" needs " + describe(k.arg()));
                        arg = tokens.get(++i);
                        checkArgument(place, tok, k.arg(), arg);
                    }
                    Stage runsAt = place.kind().evaluatedAt(env.delayReject);
                    if (!runsAt.atLeast(k.need().stage)) {
                        throw error(place, "restriction \"" + tok + "\" needs " + k.need().what + ", which is not known when "
                                + place.kind().parameter() + " runs (at " + runsAt.where("ESMTP")
                                + ", because smtpd_delay_reject = no)");
                    }
                    String written = arg == null ? tok : (tok.indexOf(':') >= 0 ? name : tok) + " " + arg;
                    out.add(k.factory().create(env, place, written, arg));
                } else if (env.classes.has(tok)) {
                    out.add(env.classes.restriction(tok, place));
                } else {
                    String why = Keywords.unsupported(tok);
                    if (why != null) {
                        throw error(place, "restriction \"" + tok + "\" is a Postfix restriction that Postern does not support ("
                                + why + ")");
                    }
                    Set<String> known = new LinkedHashSet<>(Keywords.names());
                    known.addAll(env.classes.names());
                    throw error(place, "unknown restriction \"" + tok + "\""
                            + Tokens.suggest(tok, known).map(s -> "; did you mean \"" + s + "\"?").orElse(""));
                }
            } catch (ConfigException e) {
                errors.addAll(e.diagnostics());
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        if (!place.runtime()) warnUnreachable(place, out);
        return new RestrictionList(place.listName(), place.kind(), place.origin(), out);
    }

    private static void checkArgument(Place place, String keyword, Arg kind, String arg) throws ConfigException {
        boolean ok = switch (kind) {
            case TABLE -> arg.indexOf(':') > 0;
            case SECONDS -> !arg.isEmpty() && arg.length() <= 6 && arg.chars().allMatch(c -> c >= '0' && c <= '9');
            case SERVICE -> arg.indexOf(':') > 0 || arg.startsWith("{");
            default -> true;
        };
        if (!ok) throw error(place, "restriction \"" + keyword + "\": bad argument \"" + arg + "\": need " + describe(kind));
    }

    private static String describe(Arg kind) {
        return switch (kind) {
            case TABLE -> "maptype:mapname";
            case SITE -> "a DNS list domain (domain or domain=d.d.d.d)";
            case SECONDS -> "a number of seconds";
            case SERVICE -> "transport:server (inet:host:port or unix:/path)";
            case NONE -> "nothing";
        };
    }

    /** Postfix's "restriction `x' after `permit' is ignored", found once at load instead of per mail. */
    private void warnUnreachable(Place place, List<Restriction> list) {
        for (int i = 0; i < list.size() - 1; i++) {
            String name = list.get(i).name().toLowerCase(Locale.ROOT);
            boolean guarded = i > 0 && list.get(i - 1) instanceof WarnIfReject;
            if (FINAL.contains(name) && !(guarded && !name.equals("permit"))) {
                env.warn(place.origin(), place.listName() + ": restriction `" + list.get(i + 1).name()
                        + "' after `" + list.get(i).name() + "' is ignored");
            }
        }
    }

    private static ConfigException error(Place place, String message) {
        return Env.error(place, message);
    }
}
