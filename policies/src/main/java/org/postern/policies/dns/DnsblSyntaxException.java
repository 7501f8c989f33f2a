// DnsblSyntaxException: a DNSBL specification ("zen.example.org=127.0.0.[2..11]") or an RBL reply
// template (default_rbl_reply, rbl_reply_maps values) that cannot be parsed; names the bad token so
// the restriction-list loader can report "main.cf:LINE: ... token". Thrown at load time only.
package org.postern.policies.dns;

/** {@link #getMessage()} is the whole diagnostic; {@link #token()} the offending piece of text. */
public final class DnsblSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String token;

    public DnsblSyntaxException(String message, String token) {
        super(message);
        this.token = token;
    }

    /** The offending token, as written. */
    public String token() {
        return token;
    }
}
