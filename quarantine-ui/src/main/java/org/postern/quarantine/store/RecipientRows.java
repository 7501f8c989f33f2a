// RecipientRows: the state changes of quarantined recipients -- claim for release under the copy's queue id
// (quarantined -> releasing), complete (-> released), copy sent on, abort (-> quarantined), delete one (-> deleted).
// Run by SqliteQuarantine in one IndexDatabase write transaction each: racing releasers serialize, one claim wins.
package org.postern.quarantine.store;

import static org.postern.quarantine.store.QuarantineRefusal.Kind.ALREADY_RELEASED;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.DELETED;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.NOT_BEING_RELEASED;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.NO_SUCH_MESSAGE;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.NO_SUCH_RECIPIENT;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.RELEASE_IN_PROGRESS;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postern.core.QueueId;
import org.postern.core.Recipient;

final class RecipientRows {
    private RecipientRows() {}

    /**
     * Moves the wanted recipient, or every QUARANTINED one when none is named, to RELEASING under {@code copy}
     * (staged) and returns them. Refuses when the message or recipient is unknown, or nothing is left to release.
     */
    static List<Recipient> claim(Connection c, String id, Optional<String> wanted, QueueId copy, String who, Instant now)
            throws SQLException, QuarantineRefusal {
        List<RecipientStatus> all = existing(c, id);
        List<RecipientStatus> chosen;
        if (wanted.isPresent()) {
            RecipientStatus r = named(all, id, wanted.get());
            switch (r.state()) {
                case QUARANTINED -> chosen = List.of(r);
                case RELEASING -> throw new QuarantineRefusal(RELEASE_IN_PROGRESS,
                        "release in progress: " + r.address() + " (message " + id + ")");
                case RELEASED -> throw new QuarantineRefusal(ALREADY_RELEASED,
                        "already released: " + r.address() + " (message " + id + ")");
                default -> throw new QuarantineRefusal(DELETED, "deleted: " + r.address() + " (message " + id + ")");
            }
        } else {
            chosen = all.stream().filter(r -> r.state() == RecipientState.QUARANTINED).toList();
            if (chosen.isEmpty()) {
                boolean inProgress = all.stream().anyMatch(r -> r.state() == RecipientState.RELEASING);
                throw inProgress
                        ? new QuarantineRefusal(RELEASE_IN_PROGRESS, "release in progress: message " + id)
                        : new QuarantineRefusal(ALREADY_RELEASED, "already released: no recipient of message " + id
                                + " is left in quarantine");
            }
        }
        List<Recipient> claimed = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("UPDATE recipients SET state = ?, state_time = ?, who = ?, "
                + "release_queue_id = ?, release_staged = 1 WHERE message_id = ? AND address = ? AND state = ?")) {
            for (RecipientStatus r : chosen) {
                s.setString(1, RecipientState.RELEASING.dbName());
                s.setLong(2, now.toEpochMilli());
                s.setString(3, who);
                s.setString(4, copy.value());
                s.setString(5, id);
                s.setString(6, r.address());
                s.setString(7, RecipientState.QUARANTINED.dbName());
                if (s.executeUpdate() != 1) throw new IllegalStateException("recipient changed under the write lock: " + r.address());
                claimed.add(r.recipient());
            }
        }
        return claimed;
    }

    /**
     * RELEASING -> RELEASED for the recipients claimed under {@code copy} (who claimed stays recorded); those
     * already RELEASED under it stay so. Refused when no recipient of the message is claimed under {@code copy}
     * (the claim was undone: its copy must not be sent). Returns the addresses marked now.
     */
    static List<String> complete(Connection c, String id, QueueId copy, Instant now) throws SQLException, QuarantineRefusal {
        List<RecipientStatus> all = existing(c, id);
        List<RecipientStatus> mine = all.stream().filter(r -> copy.equals(r.releaseQueueId())).toList();
        if (mine.isEmpty()) {
            throw new QuarantineRefusal(NOT_BEING_RELEASED, "not being released: no recipient of message " + id
                    + " is claimed for copy " + copy);
        }
        List<String> marked = new ArrayList<>();
        for (RecipientStatus r : mine) {
            if (r.state() == RecipientState.RELEASING) {
                move(c, id, r.address(), RecipientState.RELEASING, RecipientState.RELEASED, now, r.who());
                marked.add(r.address());
            }
        }
        return marked;
    }

    /** The copy of a completed release has left hold/ for active/: no longer staged. Returns the rows changed. */
    static int sent(Connection c, String id, QueueId copy) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE recipients SET release_staged = 0 WHERE message_id = ? "
                + "AND release_queue_id = ? AND state = ? AND release_staged = 1")) {
            s.setString(1, id);
            s.setString(2, copy.value());
            s.setString(3, RecipientState.RELEASED.dbName());
            return s.executeUpdate();
        }
    }

    /** RELEASING under {@code copy} -> QUARANTINED, the copy forgotten; others are left alone. Returns the addresses moved. */
    static List<String> abort(Connection c, String id, QueueId copy, Instant now) throws SQLException {
        List<String> moved = new ArrayList<>();
        for (RecipientStatus r : MessageRows.recipients(c, id)) {
            if (r.state() == RecipientState.RELEASING && copy.equals(r.releaseQueueId())) moved.add(r.address());
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE recipients SET state = ?, state_time = ?, who = NULL, "
                + "release_queue_id = NULL, release_staged = 0 WHERE message_id = ? AND release_queue_id = ? AND state = ?")) {
            s.setString(1, RecipientState.QUARANTINED.dbName());
            s.setLong(2, now.toEpochMilli());
            s.setString(3, id);
            s.setString(4, copy.value());
            s.setString(5, RecipientState.RELEASING.dbName());
            s.executeUpdate();
        }
        return moved;
    }

    /** True when a copy of the message may still wait in hold/ (a claim under way, or complete and not sent on). */
    static boolean anyStaged(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM recipients WHERE message_id = ? AND release_staged = 1")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Every claim whose copy may still wait in hold/ (release_staged), one per message and copy. */
    static List<StagedRelease> staged(Connection c) throws SQLException {
        Map<String, StagedRelease> found = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT message_id, release_queue_id, state, state_time, address "
                + "FROM recipients WHERE release_staged = 1 ORDER BY state_time, message_id, rowid")) {
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    QueueId copy = new QueueId(rs.getString(2));
                    RecipientState state = RecipientState.fromDb(rs.getString(3));
                    Instant since = Instant.ofEpochMilli(rs.getLong(4));
                    found.merge(id + " " + copy + " " + state.dbName(),
                            new StagedRelease(id, copy, state, since, List.of(rs.getString(5))), StagedRelease::with);
                }
            }
        }
        return List.copyOf(found.values());
    }

    /**
     * QUARANTINED -> DELETED for one address. False when there is no such message or recipient, or it was
     * already released or deleted; refuses while it is being released.
     */
    static boolean deleteOne(Connection c, String id, String address, Instant now, String who)
            throws SQLException, QuarantineRefusal {
        for (RecipientStatus r : MessageRows.recipients(c, id)) {
            if (!r.address().equals(address)) continue;
            if (r.state() == RecipientState.RELEASING) {
                throw new QuarantineRefusal(RELEASE_IN_PROGRESS, "release in progress: " + address + " (message " + id + ")");
            }
            return move(c, id, address, RecipientState.QUARANTINED, RecipientState.DELETED, now, who) == 1;
        }
        return false;
    }

    /**
     * True while some recipient of the message is QUARANTINED or RELEASING, or has a released copy still staged:
     * its file, or its rows (which tell the recovery to send that copy on), are still needed.
     */
    static boolean anyPending(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM recipients WHERE message_id = ? "
                + "AND (state IN (?, ?) OR release_staged = 1)")) {
            s.setString(1, id);
            s.setString(2, RecipientState.QUARANTINED.dbName());
            s.setString(3, RecipientState.RELEASING.dbName());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * RELEASING claims older than {@code before} that name no copy go back to QUARANTINED: left by a releaser of
     * an older version (which named none) that died. Claims with a copy are settled by the recovery instead.
     */
    static List<String> resetStaleClaims(Connection c, Instant before, Instant now) throws SQLException {
        List<String[]> stale = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT message_id, address FROM recipients "
                + "WHERE state = ? AND state_time < ? AND release_queue_id IS NULL")) {
            s.setString(1, RecipientState.RELEASING.dbName());
            s.setLong(2, before.toEpochMilli());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) stale.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        List<String> reset = new ArrayList<>();
        for (String[] r : stale) {
            move(c, r[0], r[1], RecipientState.RELEASING, RecipientState.QUARANTINED, now, null);
            reset.add(r[0] + " " + r[1]);
        }
        return reset;
    }

    private static List<RecipientStatus> existing(Connection c, String id) throws SQLException, QuarantineRefusal {
        List<RecipientStatus> all = MessageRows.recipients(c, id);
        if (all.isEmpty()) throw new QuarantineRefusal(NO_SUCH_MESSAGE, "no such message: " + id);
        return all;
    }

    private static RecipientStatus named(List<RecipientStatus> all, String id, String address) throws QuarantineRefusal {
        for (RecipientStatus r : all) {
            if (r.address().equals(address)) return r;
        }
        throw new QuarantineRefusal(NO_SUCH_RECIPIENT, "no such recipient: " + address + " (message " + id
                + " is for " + String.join(", ", all.stream().map(RecipientStatus::address).toList()) + ")");
    }

    private static int move(Connection c, String id, String address, RecipientState from, RecipientState to,
                            Instant now, String who) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE recipients SET state = ?, state_time = ?, who = ? "
                + "WHERE message_id = ? AND address = ? AND state = ?")) {
            s.setString(1, to.dbName());
            s.setLong(2, now.toEpochMilli());
            s.setString(3, who);
            s.setString(4, id);
            s.setString(5, address);
            s.setString(6, from.dbName());
            return s.executeUpdate();
        }
    }
}
