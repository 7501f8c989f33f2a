// SaslResponses: decodes the client side of smtpd's AUTH PLAIN (RFC 4616) and AUTH LOGIN exchanges
// (RFC 4954): base64, "=" for an empty initial response, "*" to cancel, NUL-separated PLAIN fields.
// Pure functions, no I/O; the password check itself is PasswordFile.verify. main.cf smtpd_sasl_*.
package org.postern.gateway.sasl;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.postern.gateway.sasl.SaslResult.Failure;

/**
 * Decoding of SASL client responses as they arrive on an SMTP line (CRLF already removed).
 *
 * <pre>
 * AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=      plain("dGVzdAB0ZXN0AHRlc3Q=")
 * AUTH PLAIN  -> 334 , then a line     plain(line)
 * AUTH LOGIN  -> 334 VXNlcm5hbWU6      user = base64Step(line)       (or the initial response)
 *             -> 334 UGFzc3dvcmQ6      pass = base64Step(line); login(user, pass)
 * </pre>
 */
public final class SaslResponses {
    /** RFC 4616 asks servers to accept at least 255 octets for each field; longer passwords are allowed. */
    private static final int MAX_AUTHCID_BYTES = 255;
    private static final int MAX_PASSWORD_BYTES = 1024;

    private SaslResponses() {}

    /**
     * Decodes an AUTH PLAIN response: base64 of {@code authzid NUL authcid NUL passwd}. Refuses "*"
     * (cancelled), bad base64, other than two NULs, an empty or non-UTF-8 authcid, an empty password,
     * and an authzid other than empty or equal to the authcid (no proxy authorization).
     */
    public static SaslResult<Credentials> plain(String response) {
        SaslResult<byte[]> decoded = base64Step(response);
        if (!(decoded instanceof SaslResult.Ok<byte[]> ok)) return cast(decoded);
        byte[] msg = ok.value();
        try {
            int nul1 = indexOf(msg, 0);
            int nul2 = nul1 < 0 ? -1 : indexOf(msg, nul1 + 1);
            if (nul1 < 0 || nul2 < 0) {
                return SaslResult.failed(Failure.MALFORMED, "PLAIN response lacks the two NUL separators");
            }
            if (indexOf(msg, nul2 + 1) >= 0) {
                return SaslResult.failed(Failure.MALFORMED, "PLAIN response has more than two NUL separators");
            }
            String authzid = utf8(msg, 0, nul1);
            String authcid = utf8(msg, nul1 + 1, nul2);
            if (authzid == null || authcid == null) {
                return SaslResult.failed(Failure.MALFORMED, "PLAIN identity is not valid UTF-8");
            }
            byte[] password = Arrays.copyOfRange(msg, nul2 + 1, msg.length);
            SaslResult<Credentials> creds = credentials(authcid, password);
            if (creds instanceof SaslResult.Ok<Credentials> && !authzid.isEmpty() && !authzid.equals(authcid)) {
                Arrays.fill(password, (byte) 0);
                return SaslResult.failed(Failure.AUTHZID_REJECTED,
                        "authorization identity \"" + authzid + "\" differs from \"" + authcid + "\"");
            }
            return creds;
        } finally {
            Arrays.fill(msg, (byte) 0);
        }
    }

    /**
     * Decodes one base64 client response (an AUTH LOGIN step or an initial response): "*" cancels,
     * "=" (or an empty line) is the empty response, anything else must be padded base64 (RFC 4648).
     */
    public static SaslResult<byte[]> base64Step(String response) {
        Objects.requireNonNull(response, "response");
        if (response.equals("*")) return SaslResult.failed(Failure.CANCELLED, "client cancelled the exchange");
        if (response.equals("=") || response.isEmpty()) return SaslResult.ok(new byte[0]);
        if (response.length() % 4 != 0) {
            return SaslResult.failed(Failure.MALFORMED, "base64 response length is not a multiple of 4");
        }
        try {
            return SaslResult.ok(Base64.getDecoder().decode(response));
        } catch (IllegalArgumentException e) {
            return SaslResult.failed(Failure.MALFORMED, "response is not valid base64");
        }
    }

    /**
     * Builds the credentials of an AUTH LOGIN exchange from its two decoded steps: the user name must
     * be non-empty UTF-8 without NUL, the password non-empty without NUL.
     */
    public static SaslResult<Credentials> login(byte[] username, byte[] password) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        String authcid = utf8(username, 0, username.length);
        if (authcid == null) return SaslResult.failed(Failure.MALFORMED, "LOGIN user name is not valid UTF-8");
        if (authcid.indexOf('\0') >= 0) return SaslResult.failed(Failure.MALFORMED, "LOGIN user name contains NUL");
        if (indexOf(password, 0) >= 0) return SaslResult.failed(Failure.MALFORMED, "LOGIN password contains NUL");
        return credentials(authcid, password.clone());
    }

    private static SaslResult<Credentials> credentials(String authcid, byte[] password) {
        if (authcid.isEmpty()) return SaslResult.failed(Failure.MALFORMED, "empty user name");
        if (authcid.getBytes(StandardCharsets.UTF_8).length > MAX_AUTHCID_BYTES) {
            return SaslResult.failed(Failure.MALFORMED, "user name longer than 255 bytes");
        }
        if (password.length == 0) return SaslResult.failed(Failure.MALFORMED, "empty password");
        if (password.length > MAX_PASSWORD_BYTES) {
            Arrays.fill(password, (byte) 0);
            return SaslResult.failed(Failure.MALFORMED, "password longer than " + MAX_PASSWORD_BYTES + " bytes");
        }
        return SaslResult.ok(new Credentials(authcid, password));
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) return i;
        }
        return -1;
    }

    /** Strict UTF-8, or null when the bytes are not UTF-8. */
    private static String utf8(byte[] b, int from, int to) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> SaslResult<T> cast(SaslResult<?> failed) {
        return (SaslResult<T>) failed; // only ever a Failed, which carries no value
    }
}
