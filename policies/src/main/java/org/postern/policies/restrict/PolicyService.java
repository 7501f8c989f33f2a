// PolicyService: check_policy_service -- sends the session (SMTPD_POLICY_README attributes:
// request=smtpd_access_policy, protocol_state, client_address, sender, recipient, sasl_*, size, ...)
// to a policy server and applies its action= as an access(5) result; on failure the default action.
package org.postern.policies.restrict;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.restrict.Evaluation.Status;

/** Immutable; the connection handling is in PolicyClient. */
record PolicyService(String name, Origin origin, Env env, Place place, PolicyClient client) implements Stateful {

    /** The factory: one PolicyClient per distinct service text, shared by every list that names it. */
    static Restriction create(Env env, Place p, String written, String spec) throws ConfigException {
        PolicyClient client = env.policyClients.get(spec);
        if (client == null) {
            try {
                client = new PolicyClient(PolicySettings.parse(spec, env.config), env.services);
            } catch (IllegalArgumentException e) {
                throw Env.error(p, "check_policy_service: " + e.getMessage());
            }
            env.policyClients.put(spec, client);
        }
        return new PolicyService(written, p.origin(), env, p, client);
    }

    @Override
    public CompletionStage<Status> evaluate(Evaluation ev) {
        SessionFacts f = ev.facts;
        PolicySettings s = client.settings();
        return client.request(request(f, s.policyContext())).thenCompose(reply -> {
            String action = reply.attributes().get("action");
            List<String> warnings = List.of();
            if (!reply.ok()) {
                warnings = List.of("problem talking to server " + s.endpoint() + ": " + reply.problem()
                        + "; using default action \"" + s.defaultAction() + "\"");
                action = s.defaultAction();
            } else if (action.indexOf('\uFFFD') >= 0) {
                warnings = List.of("malformed UTF-8 in policy server " + s.endpoint() + " response: \"" + action + "\"");
                action = s.defaultAction();
            }
            ReplyClass cls = place.replyClass();
            AccessResults.Query q = new AccessResults.Query(s.endpoint(), "policy query", cls.replyName(f), cls, place,
                    origin, name, f);
            AccessResults.Outcome outcome = env.accessResults.interpret(q, action);
            if (outcome instanceof AccessResults.Leaf leaf) {
                return RestrictionList.done(ev.apply(leaf.decision().withWarnings(warnings)));
            }
            for (String w : warnings) ev.apply(Decision.dunno(origin, name).withWarnings(List.of(w)));
            return ((AccessResults.Nested) outcome).list().run(ev);
        });
    }

    /** The request: one name=value line per attribute, in Postfix's order, then an empty line. */
    static String request(SessionFacts f, String policyContext) {
        StringBuilder sb = new StringBuilder(512);
        boolean afterData = f.stage() == Stage.DATA || f.stage() == Stage.END_OF_DATA;
        attr(sb, "request", "smtpd_access_policy");
        attr(sb, "protocol_state", f.stage().where(f.protocol()));
        attr(sb, "protocol_name", f.protocol() == null ? "SMTP" : f.protocol());
        attr(sb, "client_address", f.clientAddressText());
        attr(sb, "client_name", f.clientName());
        attr(sb, "client_port", Integer.toString(f.clientPort()));
        attr(sb, "reverse_client_name", f.reverseClientName());
        attr(sb, "server_address", f.serverAddress());
        attr(sb, "server_port", f.serverPort() == 0 ? "" : Integer.toString(f.serverPort()));
        attr(sb, "helo_name", f.heloName());
        attr(sb, "sender", f.sender());
        attr(sb, "recipient", f.recipient());
        attr(sb, "recipient_count", Integer.toString(afterData ? f.recipientCount() : 0));
        attr(sb, "queue_id", f.queueId());
        attr(sb, "instance", f.instance());
        attr(sb, "size", Long.toString(f.messageSize()));
        attr(sb, "etrn_domain", "");
        attr(sb, "stress", "");
        attr(sb, "sasl_method", f.saslMethod());
        attr(sb, "sasl_username", f.saslUsername());
        attr(sb, "sasl_sender", f.saslSender());
        attr(sb, "ccert_subject", "");
        attr(sb, "ccert_issuer", "");
        attr(sb, "ccert_fingerprint", "");
        attr(sb, "ccert_pubkey_fingerprint", "");
        attr(sb, "encryption_protocol", f.tlsActive() ? f.tlsProtocol() : "");
        attr(sb, "encryption_cipher", f.tlsActive() ? f.tlsCipher() : "");
        attr(sb, "encryption_keysize", Integer.toString(f.tlsActive() ? f.tlsCipherBits() : 0));
        attr(sb, "policy_context", policyContext);
        return sb.append('\n').toString();
    }

    /** A value never carries a line end into the protocol. */
    private static void attr(StringBuilder sb, String name, String value) {
        String v = value == null ? "" : value.replace('\n', ' ').replace('\r', ' ');
        sb.append(name).append('=').append(v).append('\n');
    }
}
