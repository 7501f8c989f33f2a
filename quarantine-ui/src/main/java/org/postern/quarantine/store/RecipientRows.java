// RecipientRows: the state changes of quarantined recipients -- claim for release (quarantined -> releasing),
// complete (-> released), abort (-> quarantined), delete one (-> deleted), and reset of claims a crashed
// releaser left. Run by SqliteQuarantine inside one IndexDatabase write transaction each, so racing
// releasers (threads or processes) serialize on SQLite's write lock and only one claim can win.
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
import java.util.List;
import java.util.Optional;
import org.postern.core.Recipient;

final class RecipientRows {
    private RecipientRows() {}

    /**
     * Moves the wanted recipient, or every QUARANTINED one when none is named, to RELEASING and returns them.
     * Refuses when the message or recipient is unknown, or nothing is left to release.
     */
    static List<Recipient> claim(Connection c, String id, Optional<String> wanted, Instant now)
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
        for (RecipientStatus r : chosen) {
            if (move(c, id, r.address(), RecipientState.QUARANTINED, RecipientState.RELEASING, now, null) != 1) {
                throw new IllegalStateException("recipient changed under the write lock: " + r.address());
            }
            claimed.add(r.recipient());
        }
        return claimed;
    }

    /**
     * RELEASING -> RELEASED for each address; an address already RELEASED is left as it is. All or nothing.
     * Returns how many were marked.
     */
    static int complete(Connection c, String id, List<String> addresses, String who, Instant now)
            throws SQLException, QuarantineRefusal {
        List<RecipientStatus> all = existing(c, id);
        List<String> toMark = new ArrayList<>();
        for (String address : addresses) {
            RecipientStatus r = named(all, id, address);
            if (r.state() == RecipientState.RELEASING) {
                toMark.add(address);
            } else if (r.state() != RecipientState.RELEASED) {
                throw new QuarantineRefusal(NOT_BEING_RELEASED, "not being released: " + address + " (message " + id
                        + " has it " + r.state().dbName() + ")");
            }
        }
        for (String address : toMark) move(c, id, address, RecipientState.RELEASING, RecipientState.RELEASED, now, who);
        return toMark.size();
    }

    /** RELEASING -> QUARANTINED for each address; others (or a message gone meanwhile) are left alone. */
    static int abort(Connection c, String id, List<String> addresses, Instant now) throws SQLException {
        int moved = 0;
        for (String address : addresses) {
            moved += move(c, id, address, RecipientState.RELEASING, RecipientState.QUARANTINED, now, null);
        }
        return moved;
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

    /** True while some recipient of the message is QUARANTINED or RELEASING: its file is still needed. */
    static boolean anyPending(Connection c, String id) throws SQLException {
        return MessageRows.recipients(c, id).stream()
                .anyMatch(r -> r.state() == RecipientState.QUARANTINED || r.state() == RecipientState.RELEASING);
    }

    /** RELEASING claims older than {@code before} (their releaser died) go back to QUARANTINED. */
    static List<String> resetStaleClaims(Connection c, Instant before, Instant now) throws SQLException {
        List<String[]> stale = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT message_id, address FROM recipients "
                + "WHERE state = ? AND state_time < ?")) {
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
