// SessionFacts: the immutable snapshot of one SMTP session that restrictions look at -- client,
// HELO, envelope, SASL, TLS -- built by smtpd for each check (Stage says which command). Nothing a
// restriction does changes the session through it; the caller applies the Verdict it gets back.
package org.postern.policies.restrict;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What smtpd knows when a restriction list runs. Null means "not known yet" (no HELO, no MAIL FROM,
 * no RCPT TO); the null sender is the empty string. {@code recipientCount} counts the recipients
 * accepted so far in this transaction (at RCPT: not including the one being checked), as Postfix's
 * rcpt_count. {@code clientName} is the forward-confirmed name or "unknown"; {@code
 * reverseClientName} the PTR name or "unknown"; their statuses tell "no name" from "DNS down".
 *
 * @param illegalPipelining the client sent this command before our reply to an earlier one when it
 *                          had no right to (reject_unauth_pipelining)
 * @param discarded         a DISCARD already fired in this mail transaction: later lists are skipped
 * @param pendingDeferral   only with smtpd_delay_reject = no: {@link Verdict#pendingDeferral()} of the
 *                          previous stage (CONNECT to HELO to MAIL to RCPT), else null
 */
public record SessionFacts(Stage stage, InetAddress clientAddress, int clientPort,
                           String clientName, NameStatus clientNameStatus,
                           String reverseClientName, NameStatus reverseClientNameStatus,
                           String serverAddress, int serverPort, String heloName, String protocol,
                           String sender, String recipient, int recipientCount, long messageSize,
                           String saslMethod, String saslUsername, String saslSender,
                           boolean tlsActive, String tlsProtocol, String tlsCipher, int tlsCipherBits,
                           String queueId, String instance, boolean illegalPipelining, boolean smtputf8,
                           boolean discarded, Deferral pendingDeferral) {

    /** Outcome of a client name lookup: found, not found (or forged), or DNS trouble. */
    public enum NameStatus { OK, PERMFAIL, TEMPFAIL }

    public SessionFacts {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(clientAddress, "clientAddress");
        clientName = clientName == null || clientName.isEmpty() ? "unknown" : clientName;
        reverseClientName = reverseClientName == null || reverseClientName.isEmpty() ? "unknown" : reverseClientName;
        if (clientNameStatus == null) clientNameStatus = clientName.equals("unknown") ? NameStatus.PERMFAIL : NameStatus.OK;
        if (reverseClientNameStatus == null) {
            reverseClientNameStatus = reverseClientName.equals("unknown") ? NameStatus.PERMFAIL : NameStatus.OK;
        }
        if (recipientCount < 0 || messageSize < 0) throw new IllegalArgumentException("negative count or size");
    }

    public static Builder builder(Stage stage, InetAddress clientAddress) {
        return new Builder(stage, clientAddress);
    }

    /** The client address as Postfix prints it: dotted quad, or compressed lower-case IPv6. */
    public String clientAddressText() {
        return Addresses.format(clientAddress);
    }

    /** {@code name[address]}, Postfix's namaddr. */
    public String clientNamaddr() {
        return clientName + "[" + clientAddressText() + "]";
    }

    /** True when the client authenticated with SASL. */
    public boolean authenticated() {
        return saslUsername != null && !saslUsername.isEmpty();
    }

    public Builder toBuilder() {
        Builder b = new Builder(stage, clientAddress);
        b.clientPort = clientPort;
        b.clientName = clientName;
        b.clientNameStatus = clientNameStatus;
        b.reverseClientName = reverseClientName;
        b.reverseClientNameStatus = reverseClientNameStatus;
        b.serverAddress = serverAddress;
        b.serverPort = serverPort;
        b.heloName = heloName;
        b.protocol = protocol;
        b.sender = sender;
        b.recipient = recipient;
        b.recipientCount = recipientCount;
        b.messageSize = messageSize;
        b.saslMethod = saslMethod;
        b.saslUsername = saslUsername;
        b.saslSender = saslSender;
        b.tlsActive = tlsActive;
        b.tlsProtocol = tlsProtocol;
        b.tlsCipher = tlsCipher;
        b.tlsCipherBits = tlsCipherBits;
        b.queueId = queueId;
        b.instance = instance;
        b.illegalPipelining = illegalPipelining;
        b.smtputf8 = smtputf8;
        b.discarded = discarded;
        b.pendingDeferral = pendingDeferral;
        return b;
    }

    /** The same facts at another stage (smtpd_delay_reject runs the client list with RCPT facts). */
    public SessionFacts withStage(Stage s) {
        return toBuilder().stage(s).build();
    }

    /** Mutable builder; every field but stage and client address is optional. */
    public static final class Builder {
        private Stage stage;
        private final InetAddress clientAddress;
        private int clientPort;
        private String clientName;
        private NameStatus clientNameStatus;
        private String reverseClientName;
        private NameStatus reverseClientNameStatus;
        private String serverAddress;
        private int serverPort;
        private String heloName;
        private String protocol;
        private String sender;
        private String recipient;
        private int recipientCount;
        private long messageSize;
        private String saslMethod;
        private String saslUsername;
        private String saslSender;
        private boolean tlsActive;
        private String tlsProtocol;
        private String tlsCipher;
        private int tlsCipherBits;
        private String queueId;
        private String instance;
        private boolean illegalPipelining;
        private boolean smtputf8;
        private boolean discarded;
        private Deferral pendingDeferral;

        private Builder(Stage stage, InetAddress clientAddress) {
            this.stage = stage;
            this.clientAddress = clientAddress;
        }

        public Builder stage(Stage s) { this.stage = s; return this; }
        public Builder clientPort(int p) { this.clientPort = p; return this; }
        public Builder clientName(String n, NameStatus s) { this.clientName = n; this.clientNameStatus = s; return this; }
        public Builder clientName(String n) { return clientName(n, null); }
        public Builder reverseClientName(String n, NameStatus s) {
            this.reverseClientName = n;
            this.reverseClientNameStatus = s;
            return this;
        }
        public Builder reverseClientName(String n) { return reverseClientName(n, null); }
        public Builder server(String address, int port) { this.serverAddress = address; this.serverPort = port; return this; }
        public Builder helo(String name, String protocol) { this.heloName = name; this.protocol = protocol; return this; }
        public Builder protocol(String p) { this.protocol = p; return this; }
        public Builder sender(String s) { this.sender = s; return this; }
        public Builder recipient(String r) { this.recipient = r; return this; }
        public Builder recipientCount(int n) { this.recipientCount = n; return this; }
        public Builder messageSize(long n) { this.messageSize = n; return this; }
        public Builder sasl(String method, String username, String sender) {
            this.saslMethod = method;
            this.saslUsername = username;
            this.saslSender = sender;
            return this;
        }
        public Builder tls(String protocol, String cipher, int bits) {
            this.tlsActive = protocol != null;
            this.tlsProtocol = protocol;
            this.tlsCipher = cipher;
            this.tlsCipherBits = bits;
            return this;
        }
        public Builder queueId(String id) { this.queueId = id; return this; }
        public Builder instance(String i) { this.instance = i; return this; }
        public Builder illegalPipelining(boolean b) { this.illegalPipelining = b; return this; }
        public Builder smtputf8(boolean b) { this.smtputf8 = b; return this; }
        public Builder discarded(boolean b) { this.discarded = b; return this; }
        public Builder pendingDeferral(Deferral d) { this.pendingDeferral = d; return this; }

        public SessionFacts build() {
            return new SessionFacts(stage, clientAddress, clientPort, clientName, clientNameStatus, reverseClientName,
                    reverseClientNameStatus, serverAddress, serverPort, heloName, protocol, sender, recipient,
                    recipientCount, messageSize, saslMethod, saslUsername, saslSender, tlsActive, tlsProtocol,
                    tlsCipher, tlsCipherBits, queueId, instance, illegalPipelining, smtputf8, discarded,
                    pendingDeferral);
        }
    }
}
