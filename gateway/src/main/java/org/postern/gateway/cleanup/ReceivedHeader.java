// ReceivedHeader: builds the Received: trace header (RFC 5321 section 4.4, protocol names of RFC
// 3848) that cleanup prepends to every message smtpd accepts, in Postfix's layout. Uses myhostname
// and mail_name.
package org.postern.gateway.cleanup;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.postern.core.ClientInfo;
import org.postern.core.QueueId;
import org.postern.core.SecondStamp;

public final class ReceivedHeader {
    private static final SecondStamp DATE =
            new SecondStamp(DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z (zzz)", Locale.ENGLISH));

    private ReceivedHeader() {}

    /**
     * @param tlsBits the cipher strength for the "(using ...)" clause, ignored without TLS
     * @param singleRecipient the recipient for the "for" clause, or null when there are several
     */
    public static String build(ClientInfo client, String myhostname, String mailName, QueueId id,
                               int tlsBits, String singleRecipient, ZonedDateTime now) {
        StringBuilder sb = new StringBuilder("Received: from ");
        sb.append(clean(client.helo() == null ? client.name() : client.helo()))
          .append(" (").append(clean(client.name())).append(" [").append(client.address()).append("])\r\n");
        if (client.tlsProtocol() != null) {
            sb.append("\t(using ").append(client.tlsProtocol()).append(" with cipher ").append(client.tlsCipher())
              .append(" (").append(tlsBits).append('/').append(tlsBits).append(" bits))\r\n");
        }
        sb.append("\tby ").append(myhostname).append(" (").append(mailName).append(") with ")
          .append(client.protocol()).append(" id ").append(id);
        if (singleRecipient != null) {
            sb.append("\r\n\tfor <").append(clean(singleRecipient)).append(">; ");
        } else {
            sb.append(";\r\n\t");
        }
        sb.append(DATE.format(now.toInstant(), now.getZone())).append("\r\n");
        return sb.toString();
    }

    /** Keeps header text on one line and printable: smtpd has validated it, this is belt and braces. */
    private static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }
}
