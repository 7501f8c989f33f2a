// Spool: the layout of queue_directory (incoming, active, deferred, hold, corrupt, quarantine, spare, bounce),
// opened once at start-up before smtpd listens. Removes what interrupted sessions or a crash left (temporary
// files, so nothing half-received is seen as queued; bounce logs without their message). Governed by queue_directory.
package org.postern.gateway.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.core.QueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue directory. Committed queue files are named by their queue id alone; a file being
 * received is {@code incoming/<id>.tmp} until its commit renames it. Every listing here skips
 * names that are not queue ids, so readers never see a temporary file.
 */
public final class Spool {
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    /** Suffix of files still being written; they are not part of any queue. */
    static final String TEMP_SUFFIX = ".tmp";
    static final String QUARANTINE = "quarantine";
    static final String SPARE = "spare";
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    /**
     * How long bookkeeping that nobody waits on (a promoted message's leaving incoming/, a delivered message's
     * removal) waits for somebody else's fsync of the directory before running its own.
     */
    static final long SHARED_SYNC_WAIT_MILLIS = 10;

    private final Path root;
    private final Map<QueueName, Path> dirs;
    private final long highestId;
    private final Map<QueueName, DirectorySync> syncs = new EnumMap<>(QueueName.class);
    private final SpareFiles spares;
    /** Messages promoted to active/ whose leaving incoming/ may not be durable yet: id -> incoming/'s ticket. */
    private final Map<QueueId, Long> unsettled = new ConcurrentHashMap<>();

    private Spool(Path root, Map<QueueName, Path> dirs, long highestId, SpareFiles spares) {
        this.root = root;
        this.dirs = dirs;
        this.highestId = highestId;
        this.spares = spares;
        dirs.forEach((q, dir) -> syncs.put(q, new DirectorySync(dir.toString(), () -> syncDirectory(dir))));
    }

    /**
     * Opens (creating 0700 directories where missing) the spool at {@code queueDirectory} and deletes
     * left-over temporary files. Blocking: call at start-up, or from a worker thread.
     */
    public static Spool open(Path queueDirectory) throws IOException {
        return open(queueDirectory, true);
    }

    /**
     * Opens the spool of a gateway that may be running, from another process (`postern cat`, `postern
     * quarantine release`): as {@link #open} but nothing is removed -- a live session's {@code .tmp} file is
     * not a left-over. Blocking.
     */
    public static Spool attach(Path queueDirectory) throws IOException {
        return open(queueDirectory, false);
    }

    private static Spool open(Path queueDirectory, boolean cleanUp) throws IOException {
        Path root = queueDirectory.toAbsolutePath().normalize();
        if (root.getParent() != null) Files.createDirectories(root.getParent());
        boolean created = makeDirectory(root);
        Map<QueueName, Path> dirs = new EnumMap<>(QueueName.class);
        for (QueueName q : QueueName.values()) {
            Path dir = root.resolve(q.dirName());
            created |= makeDirectory(dir);
            dirs.put(q, dir);
        }
        created |= makeDirectory(root.resolve(QUARANTINE));
        created |= makeDirectory(root.resolve(SPARE));
        created |= makeDirectory(root.resolve(BounceLog.DIR));
        if (created) syncDirectory(root);
        int removed = 0;
        long highest = -1;
        Map<QueueName, Set<String>> names = new EnumMap<>(QueueName.class); // each queue's committed names
        for (QueueName q : QueueName.values()) {
            int here = 0;
            Set<String> committed = new HashSet<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dirs.get(q))) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(TEMP_SUFFIX)) {
                        if (cleanUp && Files.deleteIfExists(f)) here++;
                    } else {
                        committed.add(name);
                        highest = Math.max(highest, QueueIdGenerator.valueOf(name).orElse(-1));
                    }
                }
            }
            if (here > 0) syncDirectory(dirs.get(q));
            removed += here;
            names.put(q, committed);
        }
        if (cleanUp) {
            int stale = removeInterruptedPromotions(dirs, names);
            if (stale > 0) LOG.warn("queue_directory {}: removed {} incoming/ name{} of message{} already in a later "
                    + "queue (a crash after vscan moved {})", root, stale, stale == 1 ? "" : "s", stale == 1 ? "" : "s",
                    stale == 1 ? "it" : "them");
            int orphans = BounceLog.removeOrphans(root, id -> names.values().stream().anyMatch(n -> n.contains(id.value())));
            if (orphans > 0) LOG.info("queue_directory {}: removed {} bounce log{} of message{} no longer queued", root,
                    orphans, orphans == 1 ? "" : "s", orphans == 1 ? "" : "s");
            LOG.info("queue_directory {}: removed {} left-over temporary file{}", root, removed, removed == 1 ? "" : "s");
        }
        return new Spool(root, Collections.unmodifiableMap(dirs), highest,
                cleanUp ? SpareFiles.open(root.resolve(SPARE)) : SpareFiles.attached(root.resolve(SPARE)));
    }

    /**
     * A crash right after {@link #promote} can leave a message's name in incoming/ beside its name in
     * active/ (or wherever qmgr moved it since): both name the same file. The later queue is where it
     * went on; the incoming/ name goes, so vscan does not scan and deliver it a second time. Two different
     * files under one id are two messages (ids clashing between processes): both stay, with a warning.
     */
    private static int removeInterruptedPromotions(Map<QueueName, Path> dirs, Map<QueueName, Set<String>> names)
            throws IOException {
        int removed = 0;
        for (String name : names.get(QueueName.INCOMING)) {
            if (!QueueId.isValid(name)) continue;
            Path incoming = dirs.get(QueueName.INCOMING).resolve(name);
            for (QueueName q : QueueName.values()) {
                if (q == QueueName.INCOMING || !names.get(q).contains(name)) continue;
                try {
                    if (!Files.isSameFile(incoming, dirs.get(q).resolve(name))) {
                        LOG.warn("{}: incoming/{} and {}/{} are different messages under one queue id; both kept", name,
                                name, q.dirName(), name);
                    } else if (Files.deleteIfExists(incoming)) {
                        removed++;
                    }
                } catch (NoSuchFileException gone) {
                    // one of them went meanwhile: nothing left to resolve
                }
                break;
            }
        }
        if (removed > 0) syncDirectory(dirs.get(QueueName.INCOMING));
        return removed;
    }

    /** queue_directory itself. */
    public Path root() {
        return root;
    }

    /** The directory of one queue. */
    public Path dir(QueueName q) {
        return dirs.get(q);
    }

    /** Where the quarantine store keeps its files (queue_directory/quarantine). */
    public Path quarantineDir() {
        return root.resolve(QUARANTINE);
    }

    /** The path a committed message with this id has in queue {@code q} (it may not exist). */
    public Path file(QueueName q, QueueId id) {
        return dirs.get(q).resolve(id.value());
    }

    /** The queue holding a committed file with this id, or null when there is none. Blocking. */
    public QueueName find(QueueId id) {
        for (QueueName q : QueueName.values()) {
            if (Files.exists(file(q, id))) return q;
        }
        return null;
    }

    /**
     * Moves a committed message from one queue to another by an atomic rename, then fsyncs both
     * directories, so it is in exactly one queue at any moment, also after a crash. When it returns
     * both directory entries are durable; concurrent moves share directory fsyncs ({@link #sync}).
     * Never replaces a file: fails with FileAlreadyExistsException when {@code to} already holds this
     * id. Blocking.
     */
    public Path move(QueueId id, QueueName from, QueueName to) throws IOException {
        settle(id);
        Path target = rename(id, from, to);
        sync(to);
        sync(from);
        return target;
    }

    /** The atomic rename of a move; never replaces a file. Not yet durable. */
    private Path rename(QueueId id, QueueName from, QueueName to) throws IOException {
        Path target = file(to, id);
        if (Files.exists(target)) throw new FileAlreadyExistsException(target.toString());
        Files.move(file(from, id), target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /**
     * vscan's hand-on: moves a scanned message from incoming/ to active/ and fsyncs active/, so from here on
     * it is in active/ also after a crash. Its leaving incoming/ is made durable lazily: by the next
     * incoming/ fsync that anyone runs (new mail commits one every few milliseconds under load), at the
     * latest by {@link #settle} before the message leaves active/, which waits a little for such an fsync
     * before it runs one itself. Until then a crash may leave its name in
     * both queues, which {@link #open} resolves. Never replaces a file. Blocking.
     */
    public Path promote(QueueId id) throws IOException {
        Path target = rename(id, QueueName.INCOMING, QueueName.ACTIVE);
        unsettled.put(id, syncs.get(QueueName.INCOMING).ticket());
        sync(QueueName.ACTIVE);
        return target;
    }

    /**
     * Makes a {@link #promote}d message's leaving incoming/ durable (an incoming/ fsync, unless one that
     * started after the promotion has completed). Callers do this before the message leaves active/, so no
     * crash can bring it back into incoming/ once it was delivered, deferred or deleted. Blocking.
     */
    public void settle(QueueId id) throws IOException {
        Long ticket = unsettled.get(id);
        if (ticket == null) return;
        syncs.get(QueueName.INCOMING).syncSince(ticket, SHARED_SYNC_WAIT_MILLIS);
        unsettled.remove(id, ticket);
    }

    /**
     * Makes an unlink or rename just made in queue {@code q} durable, like {@link #sync}, but first waits up to
     * {@link #SHARED_SYNC_WAIT_MILLIS} for an fsync of the directory that someone else starts meanwhile (under
     * load vscan hands a message on to active/ every few milliseconds). For changes no client waits on: the
     * removal of a delivered message. Blocking: worker threads only.
     */
    public void syncShared(QueueName q) throws IOException {
        DirectorySync d = syncs.get(q);
        d.syncSince(d.ticket(), SHARED_SYNC_WAIT_MILLIS);
    }

    /**
     * Deletes message {@code id} from queue {@code q} and fsyncs the directory (after {@link #settle}, so a
     * promoted message cannot come back into incoming/). False when it was not there. Blocking.
     */
    public boolean remove(QueueId id, QueueName q) throws IOException {
        settle(id);
        if (!Files.deleteIfExists(file(q, id))) return false;
        sync(q);
        return true;
    }

    /**
     * Takes message {@code id}'s finished queue file of {@code size} bytes out of queue {@code q} and makes that
     * durable (a shared fsync of {@code q}, see {@link #syncShared}); only then is the file kept as a spare for
     * the next new message (or it is unlinked). Blocking.
     */
    public void discard(QueueId id, QueueName q, Path file, long size) throws IOException {
        settle(id);
        Path spare = spares.keep(file, size);
        syncShared(q);
        spares.offer(spare);
    }

    /** Tests: the spare-file half of {@link #discard}, for a file in no queue (nothing to settle or sync). */
    void keepSpare(Path file, long size) throws IOException {
        spares.offer(spares.keep(file, size));
    }

    /** Tests: runs {@code before} ahead of every fsync of queue {@code q}'s directory. */
    void beforeDirectorySync(QueueName q, DirectorySync.Fsync before) {
        Path dir = dirs.get(q);
        syncs.put(q, new DirectorySync(dir.toString(), () -> {
            before.run();
            syncDirectory(dir);
        }));
    }

    /** Moves a spare file to {@code target} (a new temporary name); false when there is none. Blocking. */
    boolean takeSpare(Path target) throws IOException {
        return spares.take(target);
    }

    /**
     * Makes the changes already made to queue {@code q}'s directory entries (renames, deletions)
     * durable: returns once an fsync of the directory that started after this call has completed.
     * Concurrent callers share one fsync. Blocking: worker threads only.
     */
    public void sync(QueueName q) throws IOException {
        syncs.get(q).sync();
    }

    /** Directory fsyncs {@link #sync} has run for queue {@code q}. */
    long directorySyncs(QueueName q) {
        return syncs.get(q).fsyncs();
    }

    /** Ids of the committed files in queue {@code q}, sorted (i.e. by arrival). Blocking. */
    public List<QueueId> ids(QueueName q) throws IOException {
        return ids(dirs.get(q));
    }

    /** Ids of the committed queue files in {@code dir}, sorted; skips temporary and foreign names. */
    static List<QueueId> ids(Path dir) throws IOException {
        List<QueueId> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (QueueId.isValid(name)) out.add(new QueueId(name));
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        Collections.sort(out);
        return out;
    }

    /** The greatest generated id found at open, or -1; new ids are taken above it. */
    long highestIdAtOpen() {
        return highestId;
    }

    /** Makes a directory's entries (creations, renames, deletions) durable. Blocking. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static boolean makeDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return false;
        try {
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(DIR_MODE);
                Files.createDirectory(dir, mode);
                Files.setPosixFilePermissions(dir, DIR_MODE); // the umask may have narrowed it
            } else {
                Files.createDirectory(dir);
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            if (Files.isDirectory(dir)) return false;
            throw new IOException(dir + ": exists and is not a directory", e);
        }
    }
}
