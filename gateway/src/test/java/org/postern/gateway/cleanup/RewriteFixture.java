// RewriteFixture: builds AddressRewriting from a main.cf text and table files in a temporary directory
// (base settings like the Postfix 3.7 instance the expectations were measured on: myorigin example.test,
// mydestination mx.example.test, recipient_delimiter +) and makes envelopes. Test support for cleanup.
package org.postern.gateway.cleanup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.table.Tables;

final class RewriteFixture {
    static final QueueId ID = new QueueId("3F2A61C0A1B");
    static final ClientInfo CLIENT = new ClientInfo("c.test", "192.0.2.7", 5000, "c.test", "ESMTP", null, null, null, null);

    private final Path dir;

    RewriteFixture(Path dir) {
        this.dir = dir;
    }

    RewriteFixture file(String name, String... lines) {
        try {
            Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    AddressRewriting load(String mainCf) throws ConfigException {
        file("main.cf", "myhostname = mx.example.test", "mydomain = example.test", "myorigin = $mydomain",
                "mydestination = $myhostname, localhost", "relay_domains = relay.test", "recipient_delimiter = +",
                mainCf);
        file("master.cf", "smtp inet n - n - - smtpd");
        Config c = Config.load(dir);
        return AddressRewriting.from(c, new Tables(dir));
    }

    static Envelope envelope(String sender, Recipient... recipients) {
        return new Envelope(ID, Instant.EPOCH, CLIENT, sender, List.of(recipients), -1, Envelope.BodyType.SEVEN_BIT,
                false, null, null);
    }

    static Envelope envelope(String sender, String... recipients) {
        return envelope(sender, Arrays.stream(recipients).map(Recipient::of).toArray(Recipient[]::new));
    }

    /** The queued recipients' addresses. */
    static List<String> addresses(AddressRewriting.Result r) {
        if (r.envelope() == null) throw new AssertionError("refused: " + r.refusal() + " " + r.warnings());
        return r.envelope().recipients().stream().map(Recipient::address).toList();
    }

    static AddressRewriting.Result rewrite(AddressRewriting rw, String sender, String... recipients) {
        return rw.apply(envelope(sender, recipients), null, List.of());
    }
}
