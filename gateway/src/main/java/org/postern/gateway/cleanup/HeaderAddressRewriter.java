// HeaderAddressRewriter: cleanup's rewriting of the addresses in message headers, as Postfix's
// cleanup_message.c does it for the header_sender and header_recipient classes -- qualify (append_at_myorigin,
// append_dot_mydomain or remote_header_rewrite_domain), sender_/recipient_canonical_maps, canonical_maps,
// masquerade_domains -- per *_classes. One logical header in, the same header or the rewritten one out.
package org.postern.gateway.cleanup;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postern.gateway.cleanup.AddressRewriter.AddressClass;

/**
 * Immutable; one per configuration snapshot and rewriting context (local or remote). Headers are
 * strings of octets (one char per octet, ISO-8859-1) with their folding (CRLF) inside; addresses in
 * them are read as UTF-8 when they are valid UTF-8.
 */
final class HeaderAddressRewriter {
    /**
     * The address headers of Postfix's header_opts.c: HDR_OPT_SENDER headers are header_sender, HDR_OPT_RECIP
     * ones header_recipient (Resent-Reply-To included, as Postfix has it).
     */
    private static final Map<String, AddressClass> HEADERS = Map.ofEntries(
            Map.entry("from", AddressClass.HEADER_SENDER),
            Map.entry("sender", AddressClass.HEADER_SENDER),
            Map.entry("reply-to", AddressClass.HEADER_SENDER),
            Map.entry("errors-to", AddressClass.HEADER_SENDER),
            Map.entry("return-path", AddressClass.HEADER_SENDER),
            Map.entry("return-receipt-to", AddressClass.HEADER_SENDER),
            Map.entry("disposition-notification-to", AddressClass.HEADER_SENDER),
            Map.entry("mail-followup-to", AddressClass.HEADER_SENDER),
            Map.entry("resent-from", AddressClass.HEADER_SENDER),
            Map.entry("resent-sender", AddressClass.HEADER_SENDER),
            Map.entry("to", AddressClass.HEADER_RECIPIENT),
            Map.entry("cc", AddressClass.HEADER_RECIPIENT),
            Map.entry("bcc", AddressClass.HEADER_RECIPIENT),
            Map.entry("apparently-to", AddressClass.HEADER_RECIPIENT),
            Map.entry("resent-to", AddressClass.HEADER_RECIPIENT),
            Map.entry("resent-cc", AddressClass.HEADER_RECIPIENT),
            Map.entry("resent-bcc", AddressClass.HEADER_RECIPIENT),
            Map.entry("resent-reply-to", AddressClass.HEADER_RECIPIENT));

    /** The longest name in {@link #HEADERS}: longer field names need no lookup. */
    static final int LONGEST_NAME = "disposition-notification-to".length();

    private final AddressRewriter sender;
    private final AddressRewriter recipient;

    /**
     * @param sender    the chain for header_sender addresses
     * @param recipient the chain for header_recipient addresses
     */
    private HeaderAddressRewriter(AddressRewriter sender, AddressRewriter recipient) {
        this.sender = sender;
        this.recipient = recipient;
    }

    /**
     * The header rewriting of one context. {@code form} qualifies bare addresses ($myorigin for the
     * local context, remote_header_rewrite_domain for the remote one); the tables and masquerading
     * are the envelope's, each applied to a header class when its *_classes parameter lists it.
     *
     * <p>AddressRewriter's envelope-recipient chain (qualify, one class-specific canonical table,
     * canonical_maps, masquerading, in that order) is exactly the chain Postfix's cleanup_rewrite_sender
     * and cleanup_rewrite_recip apply to a header address; so each header class gets an AddressRewriter
     * whose envelope-recipient steps are switched on when the parameters list that header class.
     */
    static HeaderAddressRewriter of(AddressForm form, AddressRewriter.Canonical senderCanonical,
                                    AddressRewriter.Canonical recipientCanonical, AddressRewriter.Canonical canonical,
                                    Masquerade masquerade, Set<AddressClass> masqueradeClasses, boolean propagate) {
        return new HeaderAddressRewriter(
                chain(form, senderCanonical, canonical, masquerade, masqueradeClasses, propagate,
                        AddressClass.HEADER_SENDER),
                chain(form, recipientCanonical, canonical, masquerade, masqueradeClasses, propagate,
                        AddressClass.HEADER_RECIPIENT));
    }

    private static AddressRewriter chain(AddressForm form, AddressRewriter.Canonical own,
                                         AddressRewriter.Canonical common, Masquerade masquerade,
                                         Set<AddressClass> masqueradeClasses, boolean propagate, AddressClass header) {
        Set<AddressClass> on = Set.of(AddressClass.ENVELOPE_RECIPIENT);
        Set<AddressClass> off = Set.of();
        return new AddressRewriter(form, new AddressRewriter.Canonical(own.map(), off),
                new AddressRewriter.Canonical(own.map(), own.classes().contains(header) ? on : off),
                new AddressRewriter.Canonical(common.map(), common.classes().contains(header) ? on : off),
                masquerade, masqueradeClasses.contains(header) ? on : off, propagate);
    }

    /** The address class of the header named {@code name} (any case, trailing blanks ignored), or empty. */
    static Optional<AddressClass> classOf(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.length() > LONGEST_NAME ? Optional.empty() : Optional.ofNullable(HEADERS.get(n));
    }

    /**
     * {@code header} ("Name: value", folded lines joined by CRLF, no final CRLF) with its addresses
     * rewritten, or null when nothing changed or it is no address header, or its value cannot be read
     * (then it stays exactly as it was). Only the addr-specs change: display names, comments, white
     * space and folding stay as they were.
     *
     * @param warnings receives the warnings to log (multi-valued canonical entries, map nesting)
     * @throws RewriteFailure when a table cannot answer: the message must not be queued now
     */
    String rewrite(String header, List<String> warnings) throws RewriteFailure {
        int colon = header.indexOf(':');
        if (colon <= 0) return null;
        Optional<AddressClass> cls = classOf(header.substring(0, colon));
        if (cls.isEmpty()) return null;
        AddressRewriter chain = cls.get() == AddressClass.HEADER_SENDER ? sender : recipient;
        String value = header.substring(colon + 1);
        Optional<List<HeaderAddresses.Found>> found = HeaderAddresses.parse(value);
        if (found.isEmpty()) return null;
        StringBuilder out = null;
        int copied = 0;
        for (HeaderAddresses.Found f : found.get()) {
            String utf8 = utf8(f.address()); // null: not UTF-8, the octets are taken as they are
            String address = utf8 != null ? utf8 : f.address();
            String rewritten = chain.recipient(address, warnings);
            if (rewritten.equals(address) && !f.routed()) continue;
            if (out == null) out = new StringBuilder(header.length() + 32).append(header, 0, colon + 1);
            boolean asRead = utf8 == null && rewritten.chars().allMatch(c -> c < 0x100);
            out.append(value, copied, f.start()).append(asRead ? rewritten : octets(rewritten));
            copied = f.end();
        }
        if (out == null) return null;
        return out.append(value, copied, value.length()).toString();
    }

    /** {@code s} in UTF-8, one char per octet. */
    private static String octets(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** The octets read as UTF-8; null when they are not valid UTF-8. */
    private static String utf8(String octets) {
        if (octets.chars().allMatch(c -> c < 0x80)) return octets;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(octets.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
