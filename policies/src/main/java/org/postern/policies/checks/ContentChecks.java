// ContentChecks: the frozen content inspection settings of one configuration snapshot -- the tables
// of header_checks, mime_header_checks, nested_header_checks and body_checks, body_checks_size_limit
// and the MIME parser options -- from which the cleanup stage starts one MessageChecks per message.
package org.postern.policies.checks;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.Tables;

/** Immutable; safe to share between threads. Evaluation state lives in {@link MessageChecks}. */
public final class ContentChecks {
    public static final String HEADER_CHECKS = "header_checks";
    public static final String MIME_HEADER_CHECKS = "mime_header_checks";
    public static final String NESTED_HEADER_CHECKS = "nested_header_checks";
    public static final String BODY_CHECKS = "body_checks";

    private final List<LookupTable> header;
    private final List<LookupTable> mime;
    private final List<LookupTable> nested;
    private final List<LookupTable> body;
    private final long bodySizeLimit;
    private final MimeState.Options mimeOptions;

    ContentChecks(List<LookupTable> header, List<LookupTable> mime, List<LookupTable> nested, List<LookupTable> body,
                  long bodySizeLimit, MimeState.Options mimeOptions) {
        this.header = List.copyOf(header);
        this.mime = List.copyOf(mime);
        this.nested = List.copyOf(nested);
        this.body = List.copyOf(body);
        this.bodySizeLimit = bodySizeLimit;
        this.mimeOptions = Objects.requireNonNull(mimeOptions, "mimeOptions");
    }

    /**
     * Opens the tables {@code config} names (through {@code tables}, so a table named by several
     * parameters is read once) and takes the limits. Blocking (reads table files): call it while a
     * configuration snapshot is built, on a worker thread.
     *
     * @throws ConfigException with every table that cannot be opened, each at its main.cf line or
     *         at the file:line of the table error
     */
    public static ContentChecks from(Config config, Tables tables) throws ConfigException {
        Set<Diagnostic> errors = new LinkedHashSet<>(); // a table named twice reports its errors once
        List<LookupTable> header = open(config, tables, HEADER_CHECKS, errors);
        // Left at their default ($header_checks), these are header_checks' tables: no second error.
        List<LookupTable> mime = config.isExplicit(MIME_HEADER_CHECKS)
                ? open(config, tables, MIME_HEADER_CHECKS, errors) : header;
        List<LookupTable> nested = config.isExplicit(NESTED_HEADER_CHECKS)
                ? open(config, tables, NESTED_HEADER_CHECKS, errors) : header;
        List<LookupTable> body = open(config, tables, BODY_CHECKS, errors);
        if (!errors.isEmpty()) throw new ConfigException(List.copyOf(errors));
        boolean strict8bit = config.getBool("strict_8bitmime");
        Set<MimeError> report = EnumSet.noneOf(MimeError.class);
        if (!config.getBool("disable_mime_input_processing")) {
            // As Postfix cleanup_message(): which MIME errors reject mail.
            if (strict8bit || config.getBool("strict_7bit_headers")) report.add(MimeError.EIGHT_BIT_IN_HEADER);
            if (strict8bit || config.getBool("strict_8bitmime_body")) report.add(MimeError.EIGHT_BIT_IN_7BIT_BODY);
            if (config.getBool("strict_mime_encoding_domain")) report.add(MimeError.ENCODING_DOMAIN);
            if (!report.isEmpty() || !header.isEmpty() || !mime.isEmpty() || !nested.isEmpty()) {
                report.add(MimeError.NESTING);
            }
        }
        MimeState.Options options = new MimeState.Options(config.getInt("header_size_limit"),
                config.getInt("mime_nesting_limit"), config.getInt("mime_boundary_length_limit"),
                config.getBool("disable_mime_input_processing"), report);
        return new ContentChecks(header, mime, nested, body, config.getInt("body_checks_size_limit"), options);
    }

    /**
     * No inspection and no MIME error reports (Postfix without CLEANUP_FLAG_FILTER): for mail that
     * must pass untouched, such as released quarantine mail coming back through the reinject listener.
     */
    public static ContentChecks none() {
        return new ContentChecks(List.of(), List.of(), List.of(), List.of(), 0, MimeState.Options.defaults());
    }

    /** True when no table is configured, so no header or body line is looked up. */
    public boolean isEmpty() {
        return header.isEmpty() && mime.isEmpty() && nested.isEmpty() && body.isEmpty();
    }

    /** Starts inspecting one message; {@code listener} hears matches and problems as they happen. */
    public MessageChecks start(CheckListener listener) {
        return new MessageChecks(this, listener);
    }

    /** The tables for a section, in main.cf order. */
    List<LookupTable> tables(MimeState.Section section) {
        return switch (section) {
            case PRIMARY -> header;
            case MIME -> mime;
            case NESTED -> nested;
            case BODY -> body;
        };
    }

    /** The parameter that names the tables of a section. */
    static String parameter(MimeState.Section section) {
        return switch (section) {
            case PRIMARY -> HEADER_CHECKS;
            case MIME -> MIME_HEADER_CHECKS;
            case NESTED -> NESTED_HEADER_CHECKS;
            case BODY -> BODY_CHECKS;
        };
    }

    /** body_checks_size_limit: octets per body part looked up (0: no limit). */
    long bodySizeLimit() {
        return bodySizeLimit;
    }

    MimeState.Options mimeOptions() {
        return mimeOptions;
    }

    private static List<LookupTable> open(Config config, Tables tables, String parameter, Set<Diagnostic> errors) {
        List<LookupTable> out = new ArrayList<>();
        for (String spec : config.getList(parameter)) {
            try {
                out.add(tables.open(spec, config.originOf(parameter)));
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ContentChecks[header=" + header.size() + ", mime=" + mime.size() + ", nested=" + nested.size()
                + ", body=" + body.size() + " tables, body_checks_size_limit=" + bodySizeLimit + "]";
    }
}
