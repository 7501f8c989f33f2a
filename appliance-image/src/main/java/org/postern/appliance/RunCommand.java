// RunCommand: `postern run`, the instance itself in the foreground (systemd Type=simple, or the
// child of `postern start`): mail log, Vert.x, Gateway; master.pid once every listener accepts;
// on SIGTERM/SIGINT a graceful stop, then exit 0. Governed by smtpd_shutdown_timeout,
// data_directory and the mail log parameters (MailLogSetup).
package org.postern.appliance;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.postern.quarantine.store.SqliteQuarantine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.postern.gateway.Gateway;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.Diagnostic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", description = "Run the Postern mail system in the foreground (for systemd); stop it with SIGTERM.")
final class RunCommand extends ConfiguredCommand {
    /** Longest wait for every listener to bind; `postern start` gives up after 60 s anyway. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(55);
    /** Time allowed beyond smtpd_shutdown_timeout for the gateway, then for Vert.x, to close. */
    static final Duration CLOSE_ALLOWANCE = Duration.ofSeconds(5);

    @Option(names = "--detached", hidden = true, description = "Started by `postern start`: no copy of the mail log on stdout.")
    boolean detached;

    @Override
    public Integer call() throws Exception {
        // Before Vert.x loads: its own lines must reach Logback, whatever else is on the class path.
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
        Config config = loadConfig(false);
        InstanceSettings settings = InstanceSettings.of(config);
        createDataDirectory(settings);
        MailLogSetup mailLog = MailLogSetup.configure(settings, !detached);
        Logger master = LoggerFactory.getLogger(MailLogSetup.MAIL_LOGGER_PREFIX + ".master");
        for (Diagnostic w : config.warnings()) master.warn("{}: {}", w.origin(), w.message());

        Optional<InstanceLock> lock = InstanceLock.tryAcquire(settings.lockFile());
        if (lock.isEmpty()) {
            mailLog.close();
            throw new Fatal("the Postern mail system is already running");
        }
        Vertx vertx = Vertx.vertx(vertxOptions());
        Gateway gateway;
        try {
            SqliteQuarantine quarantine = null;
            if (config.lists("qmgr")) {
                quarantine = await(QuarantineSetup.open(vertx, config), START_TIMEOUT);
                QuarantineSetup.schedulePurge(vertx, quarantine, config, master);
            }
            gateway = await(Gateway.start(vertx, config, java.time.Clock.systemDefaultZone(), quarantine), START_TIMEOUT);
        } catch (ExecutionException | TimeoutException e) {
            String why = e instanceof TimeoutException
                    ? "listeners not ready after " + START_TIMEOUT.toSeconds() + " s"
                    : String.valueOf(e.getCause().getMessage());
            // an expected failure (port in use, unreadable key): one line, no stack trace
            master.error("cannot start the Postern mail system: {}",
                    e instanceof TimeoutException ? why : e.getCause().toString());
            closeQuietly(vertx);
            mailLog.close();
            lock.get().close();
            throw new Fatal("cannot start the Postern mail system: " + why);
        }
        long pid = ProcessHandle.current().pid();
        PidFile pidFile = pidFile(settings);
        // The hook goes in before master.pid appears: whoever saw the pid file may send SIGTERM at once.
        Shutdown shutdown = new Shutdown(master, gateway, vertx, settings.shutdownTimeout(), pidFile, pid, lock.get(), mailLog);
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown::run, "postern-shutdown"));
        ReloadSignal.install(settings.configDir(), ReloadSignal.statusFile(settings), gateway, master);
        if (shutdown.announceReadyOrFail()) {
            master.info("daemon started -- version {}, configuration {}", Main.Version.current(), settings.configDir());
            master.info("listening on {}", gateway.listening().stream().map(Object::toString).collect(Collectors.joining(", ")));
        }
        new CountDownLatch(1).await(); // the shutdown hook ends the JVM
        return Main.OK;
    }

    /** Blocked-thread warnings on (Vert.x defaults, stated), one event loop per core. */
    static VertxOptions vertxOptions() {
        return new VertxOptions()
                .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
                .setBlockedThreadCheckInterval(1)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS)
                .setMaxEventLoopExecuteTime(2)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS)
                .setMaxWorkerExecuteTime(60)
                .setMaxWorkerExecuteTimeUnit(TimeUnit.SECONDS)
                .setWarningExceptionTime(5)
                .setWarningExceptionTimeUnit(TimeUnit.SECONDS);
    }

    static <T> T await(Future<T> future, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void closeQuietly(Vertx vertx) {
        try {
            await(vertx.close(), CLOSE_ALLOWANCE);
        } catch (Exception e) {
            // exiting anyway
        }
    }

    /** The JVM shutdown hook: graceful stop, then exit status 0 (not the 143 SIGTERM would give). */
    private static final class Shutdown {
        private final Logger master;
        private final Gateway gateway;
        private final Vertx vertx;
        private final Duration grace;
        private final PidFile pidFile;
        private final long pid;
        private final InstanceLock lock;
        private final MailLogSetup mailLog;
        private boolean stopping;
        private volatile int exitStatus = Main.OK;

        Shutdown(Logger master, Gateway gateway, Vertx vertx, Duration grace, PidFile pidFile, long pid,
                 InstanceLock lock, MailLogSetup mailLog) {
            this.master = master;
            this.gateway = gateway;
            this.vertx = vertx;
            this.grace = grace;
            this.pidFile = pidFile;
            this.pid = pid;
            this.lock = lock;
            this.mailLog = mailLog;
        }

        /**
         * Writes master.pid, the readiness signal, unless the stop already began. If it cannot, the
         * caller's exception ends the JVM with status 1, and this hook must not turn that into 0.
         */
        synchronized boolean announceReadyOrFail() throws java.io.IOException {
            if (stopping) return false;
            try {
                pidFile.write(pid);
            } catch (java.io.IOException | RuntimeException e) {
                exitStatus = Main.FAILURE;
                throw e;
            }
            return true;
        }

        void run() {
            synchronized (this) {
                stopping = true;
            }
            master.info("stopping: SMTP sessions get up to {} s to finish", grace.toSeconds());
            try {
                await(gateway.stop(grace), grace.plus(CLOSE_ALLOWANCE));
            } catch (Exception e) {
                master.warn("gateway did not stop cleanly: {}", e instanceof ExecutionException ? e.getCause() : e);
            }
            closeQuietly(vertx);
            try {
                pidFile.removeIfOwnedBy(pid);
                lock.close();
            } catch (Exception e) {
                master.warn("cannot remove {}: {}", pidFile.path(), e.toString());
            }
            master.info("daemon stopped");
            mailLog.close();
            Runtime.getRuntime().halt(exitStatus);
        }
    }
}
