// MailqCommand: `postern mailq`, as Postfix's mailq / postqueue -p: lists the messages in the
// queue. Safe while the gateway runs: it only reads committed queue files. Governed by queue_directory.
package org.postern.appliance;

import org.postern.gateway.queue.MailQueue;
import picocli.CommandLine.Command;

@Command(name = "mailq", description = "List the mail queue (postqueue -p format).")
final class MailqCommand extends ConfiguredCommand {
    @Override
    public Integer call() throws Exception {
        InstanceSettings settings = InstanceSettings.of(loadConfig(false));
        String listing = MailQueue.postqueueListing(settings.queueDirectory());
        main.out().print(listing.endsWith("\n") ? listing : listing + "\n");
        main.out().flush();
        return Main.OK;
    }
}
