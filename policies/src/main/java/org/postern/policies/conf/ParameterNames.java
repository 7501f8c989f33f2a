// ParameterNames: tells Postern parameters from Postfix-only ones (so an existing Postfix main.cf
// loads with warnings, not errors) and from typos, for which it suggests the nearest known name.
// The Postfix 3.7 list is the resource postfix-parameters.txt, generated from `postconf -d`.
package org.postern.policies.conf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Classification of main.cf parameter names. */
final class ParameterNames {
    private ParameterNames() {}

    /** Per-transport parameter suffixes: a master.cf service "foo" gives foo_time_limit, etc. */
    private static final Set<String> TRANSPORT_SUFFIXES = Set.of(
            "delivery_slot_cost", "delivery_slot_discount", "delivery_slot_loan",
            "destination_concurrency_failed_cohort_limit", "destination_concurrency_limit",
            "destination_concurrency_negative_feedback", "destination_concurrency_positive_feedback",
            "destination_rate_delay", "destination_recipient_limit", "extra_recipient_limit",
            "initial_destination_concurrency", "minimum_delivery_slots", "recipient_limit",
            "recipient_refill_delay", "recipient_refill_limit", "time_limit", "transport_rate_delay");

    private static final class Holder {
        static final Set<String> POSTFIX = loadPostfixNames();
        static final Set<String> ALL_KNOWN = union();
    }

    /** All Postfix 3.7 built-in parameter names (including those of its stock master.cf). */
    static Set<String> postfixNames() {
        return Holder.POSTFIX;
    }

    /**
     * A Postfix parameter name: built in, or a per-transport parameter of a master.cf service
     * ({@code serviceNames}), such as maildrop_destination_recipient_limit.
     */
    static boolean isPostfixName(String name, Collection<String> serviceNames) {
        if (Holder.POSTFIX.contains(name)) return true;
        for (String service : serviceNames) {
            if (name.length() > service.length() + 1 && name.startsWith(service + "_")
                    && TRANSPORT_SUFFIXES.contains(name.substring(service.length() + 1))) {
                return true;
            }
        }
        return false;
    }

    /** The nearest Postern or Postfix name, when it is close enough to be a likely typo. */
    static Optional<String> suggest(String name) {
        int limit = name.length() <= 4 ? 1 : name.length() <= 12 ? 2 : 3;
        String best = null;
        int bestDistance = limit + 1;
        for (String candidate : Holder.ALL_KNOWN) {
            if (Math.abs(candidate.length() - name.length()) >= bestDistance) continue;
            int d = distance(name, candidate);
            if (d < bestDistance || (d == bestDistance && best != null && Parameters.isDeclared(candidate)
                    && !Parameters.isDeclared(best))) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= limit ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = Character.toLowerCase(a.charAt(i - 1)) == Character.toLowerCase(b.charAt(j - 1)) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static Set<String> union() {
        Set<String> all = new TreeSet<>(Parameters.byName().keySet());
        all.addAll(Holder.POSTFIX);
        return all;
    }

    private static Set<String> loadPostfixNames() {
        String resource = "postfix-parameters.txt";
        Set<String> names = new LinkedHashSet<>();
        try (InputStream in = ParameterNames.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) names.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(names);
    }
}
