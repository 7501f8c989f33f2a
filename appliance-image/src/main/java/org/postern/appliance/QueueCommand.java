// QueueCommand: `postern queue delete|hold|release|requeue ID|ALL [QUEUE]`, Postfix's postsuper -d/-h/-H/-r.
// Asks the running gateway (so a message being delivered is changed only when its delivery ends), or
// works on the bare spool when none runs. Governed by queue_directory.
package org.postern.appliance;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postern.gateway.qmgr.QueueCommands;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.Spool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "queue", description = {"Delete, hold, release or requeue queued mail (postsuper -d/-h/-H/-r).",
        "  postern queue delete ID|ALL [QUEUE]   remove (default queues: hold incoming active deferred)",
        "  postern queue hold ID|ALL [QUEUE]     put on hold: never delivered until released",
        "  postern queue release ID|ALL          back from hold to the deferred queue, due now",
        "  postern queue requeue ID|ALL [QUEUE]  back to incoming: scanned and routed again"})
final class QueueCommand extends ConfiguredCommand {
    @Parameters(index = "0", paramLabel = "OPERATION", description = "delete, hold, release or requeue")
    String operation;

    @Parameters(index = "1", paramLabel = "ID|ALL", description = "a queue id as mailq shows it (without * or !), or ALL")
    String target;

    @Parameters(index = "2", arity = "0..1", paramLabel = "QUEUE", description = "incoming, active, deferred or hold")
    String queue;

    @Override
    public Integer call() throws Exception {
        QueueCommands.Op op;
        QueueName q = null;
        try {
            op = QueueCommands.Op.of(operation);
            if (queue != null) q = queueName(queue);
        } catch (IllegalArgumentException e) {
            main.err().println("postern: fatal: unknown operation or queue: " + operation + " " + (queue == null ? "" : queue));
            return Main.USAGE;
        }
        InstanceSettings settings = InstanceSettings.of(loadConfig(false));
        String request = "queue " + op.name().toLowerCase(Locale.ROOT) + " " + target + (q == null ? "" : " " + q.dirName());
        Optional<ControlClient.Answer> answer = ControlClient.ask(settings.queueDirectory(), request);
        List<String> lines;
        boolean ok;
        if (answer.isPresent()) {
            lines = answer.get().lines();
            ok = answer.get().ok();
        } else {
            if (pidFile(settings).liveProcess().isPresent()) {
                main.err().println("postern: fatal: the gateway runs but does not answer on its control socket");
                return Main.FAILURE;
            }
            Spool spool = Spool.open(settings.queueDirectory());
            lines = new QueueCommands(spool).run(op, target, q).toCompletionStage().toCompletableFuture().get();
            ok = true;
        }
        for (String l : lines) (ok ? main.out() : main.err()).println("postern/queue: " + l);
        main.out().flush();
        return ok ? Main.OK : Main.FAILURE;
    }

    static QueueName queueName(String s) {
        for (QueueName n : List.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED, QueueName.HOLD)) {
            if (n.dirName().equals(s.toLowerCase(Locale.ROOT))) return n;
        }
        throw new IllegalArgumentException(s);
    }
}
