// IndexDatabase: the SQLite file behind the quarantine index (quarantine_database) -- migrates it with
// Flyway on open, then hands out transactions: writes through a pool of one connection, reads through two.
// The gateway and the `postern quarantine` CLI may have it open at once: WAL, busy_timeout, BEGIN IMMEDIATE.
package org.postern.quarantine.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Blocking: call on a worker thread only. SQLite allows one writer per database: within this process
 * the write pool of one connection queues writers; between processes, every write transaction starts
 * with BEGIN IMMEDIATE, so it waits (busy_timeout) for the write lock up front instead of failing when a
 * read turns into a write. Readers never wait for writers (WAL).
 */
final class IndexDatabase implements AutoCloseable {
    static final int BUSY_TIMEOUT_MS = 15_000;
    static final String MIGRATIONS = "classpath:db/quarantine";
    /** Flyway takes no lock on SQLite: migrations are serialized by this (in-process) and a lock file (between processes). */
    private static final Object MIGRATION_LOCK = new Object();

    /** Work done inside one transaction; an exception rolls it back. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws Exception;
    }

    private final HikariDataSource writer;
    private final HikariDataSource readers;

    private IndexDatabase(HikariDataSource writer, HikariDataSource readers) {
        this.writer = writer;
        this.readers = readers;
    }

    /** Creates the parent directory and the database as needed, brings the schema up to date, opens the pools. */
    static IndexDatabase open(Path database) throws IOException {
        Path file = database.toAbsolutePath();
        Files.createDirectories(file.getParent());
        migrate(file);
        HikariDataSource writer = pool("quarantine-writer", file, 1);
        try {
            return new IndexDatabase(writer, pool("quarantine-reader", file, 2));
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    /** Runs {@code work} in a write transaction (BEGIN IMMEDIATE ... COMMIT). */
    <T> T write(Work<T> work) throws Exception {
        return inTransaction(writer, "BEGIN IMMEDIATE", work);
    }

    /** Runs {@code work} in a read transaction: one consistent snapshot. */
    <T> T read(Work<T> work) throws Exception {
        return inTransaction(readers, "BEGIN DEFERRED", work);
    }

    @Override
    public void close() {
        try {
            readers.close();
        } finally {
            writer.close();
        }
    }

    // Transactions are explicit statements on an auto-commit connection: with setAutoCommit(false), sqlite-jdbc
    // begins the next transaction right after each commit (in IMMEDIATE mode: takes the write lock again).
    private static <T> T inTransaction(DataSource pool, String begin, Work<T> work) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(begin);
            boolean committed = false;
            try {
                T result = work.run(c);
                s.execute("COMMIT");
                committed = true;
                return result;
            } finally {
                if (!committed) rollback(s);
            }
        }
    }

    private static void rollback(Statement s) {
        try {
            s.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction left to roll back (SQLite may already have ended it on the error)
        }
    }

    private static void migrate(Path database) throws IOException {
        Path lockFile = database.resolveSibling(database.getFileName() + ".lock");
        synchronized (MIGRATION_LOCK) {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                Flyway.configure(IndexDatabase.class.getClassLoader())
                        .dataSource(dataSource(database))
                        .locations(MIGRATIONS)
                        .load()
                        .migrate();
            }
        }
    }

    private static HikariDataSource pool(String name, Path database, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name + "-" + database.getFileName());
        config.setDataSource(dataSource(database));
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(2L * BUSY_TIMEOUT_MS);
        return new HikariDataSource(config);
    }

    // Pragmas go through SQLiteConfig, which applies each on every new connection (an init SQL string would
    // run only its first statement). synchronous=FULL: a committed row survives a power loss, as the queue does.
    static SQLiteDataSource dataSource(Path database) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + database);
        return ds;
    }
}
