// CatCommand: `postern cat ID`, Postfix's postcat -q: prints one queued message -- its envelope (sender,
// client, recipients with their delivery status) and its content, headers and body, exactly as queued.
// Read-only, safe while the gateway runs. Governed by queue_directory.
package org.postern.appliance;

import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.ZoneId;
import java.util.List;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.gateway.queue.Spool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cat", description = "Print a queued message: envelope, headers and body (postcat -q).")
final class CatCommand extends ConfiguredCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "queue id as mailq shows it")
    String id;

    @Option(names = "-e", description = "envelope only")
    boolean envelopeOnly;

    @Option(names = "-b", description = "content only (headers and body)")
    boolean contentOnly;

    @Override
    public Integer call() throws Exception {
        InstanceSettings settings = InstanceSettings.of(loadConfig(false));
        if (!QueueId.isValid(id)) {
            main.err().println("postern/cat: fatal: bad queue id: " + id);
            return Main.USAGE;
        }
        Spool spool = Spool.attach(settings.queueDirectory());
        QueueId qid = new QueueId(id);
        for (int attempt = 0; attempt < 3; attempt++) {
            QueueName q = spool.find(qid);
            if (q == null) break;
            try {
                print(q, QueueFile.read(spool.file(q, qid)));
                return Main.OK;
            } catch (NoSuchFileException e) {
                // moved to another queue while we looked: find it again
            }
        }
        main.err().println("postern/cat: fatal: no message " + id + " in the queue");
        return Main.FAILURE;
    }

    private void print(QueueName q, QueueFile f) throws Exception {
        String where = q.dirName() + "/" + id;
        Envelope e = f.envelope();
        var out = main.out();
        if (!contentOnly) {
            out.println("*** ENVELOPE RECORDS " + where + " ***");
            out.println("message_size: " + f.contentLength());
            out.println("message_arrival_time: " + e.arrival().atZone(ZoneId.systemDefault()));
            ClientInfo c = e.client();
            out.println("client: " + c.hostAddr() + (c.helo() == null ? "" : " helo=" + c.helo())
                    + (c.protocol() == null ? "" : " protocol=" + c.protocol())
                    + (c.saslUsername() == null ? "" : " sasl_username=" + c.saslUsername()));
            out.println("sender: " + e.sender());
            if (e.envid() != null) out.println("envid: " + e.envid());
            if (e.filter() != null) out.println("content_filter: " + e.filter());
            List<RecipientStatus> st = f.recipientStatuses();
            for (int i = 0; i < e.recipients().size(); i++) {
                Recipient r = e.recipients().get(i);
                out.println("recipient: " + r.address() + " (" + st.get(i).name().toLowerCase(java.util.Locale.ROOT) + ")"
                        + (r.orcpt() == null ? "" : " orcpt=" + r.orcpt())
                        + (r.notifyOn().isEmpty() ? "" : " notify=" + r.notifyOn()));
            }
        }
        if (!envelopeOnly) {
            if (!contentOnly) out.println("*** MESSAGE CONTENTS " + where + " ***");
            out.flush();
            try (InputStream in = f.openContent();
                 var text = new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8)) {
                text.transferTo(out); // 8-bit text that is not UTF-8 shows as U+FFFD, as a terminal would garble it
            }
            if (!contentOnly) out.println("*** MESSAGE FILE END " + where + " ***");
        }
        out.flush();
    }
}
