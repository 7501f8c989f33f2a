// MessageRows: the SQL of the quarantine index's messages and recipients tables -- insert a quarantined
// message, read entries back (find, list with filters), remove messages. Called by SqliteQuarantine inside
// IndexDatabase transactions; the recipients' state changes are in RecipientRows.
package org.postern.quarantine.store;

import io.vertx.core.json.JsonArray;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QuarantineStore;
import org.postern.core.QueueId;
import org.postern.core.Recipient;

final class MessageRows {
    private static final String MESSAGE_COLUMNS = "id, time, queue_id, arrival, client_name, client_address, client_port, "
            + "helo, protocol, tls_protocol, tls_cipher, sasl_method, sasl_user, sender, subject, size, verdict_class, "
            + "virus, spam_score, symbols, reason, rule, declared_size, body_type, smtputf8, ret, envid, envelope_filter";
    private static final String SELECT_ENTRIES = "SELECT m.id, m.time, m.queue_id, m.arrival, m.client_name, "
            + "m.client_address, m.client_port, m.helo, m.protocol, m.tls_protocol, m.tls_cipher, m.sasl_method, "
            + "m.sasl_user, m.sender, m.subject, m.size, m.verdict_class, m.virus, m.spam_score, m.symbols, m.reason, "
            + "m.rule, m.declared_size, m.body_type, m.smtputf8, m.ret, m.envid, m.envelope_filter, "
            + "r.address, r.notify, r.orcpt, r.state, r.state_time, r.who, r.release_queue_id FROM ";
    private static final String JOIN_RECIPIENTS = " m JOIN recipients r ON r.message_id = m.id ";

    private MessageRows() {}

    /** Inserts the message row and one QUARANTINED row per distinct recipient of {@code item}. */
    static void insert(Connection c, String id, Instant time, QuarantineStore.Item item, long size) throws SQLException {
        Envelope env = item.envelope();
        ClientInfo client = env.client();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO messages (" + MESSAGE_COLUMNS
                + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            int i = 0;
            s.setString(++i, id);
            s.setLong(++i, time.toEpochMilli());
            s.setString(++i, env.queueId().value());
            s.setString(++i, env.arrival().toString());
            s.setString(++i, client.name());
            s.setString(++i, client.address());
            s.setInt(++i, client.port());
            s.setString(++i, client.helo());
            s.setString(++i, client.protocol());
            s.setString(++i, client.tlsProtocol());
            s.setString(++i, client.tlsCipher());
            s.setString(++i, client.saslMethod());
            s.setString(++i, client.saslUsername());
            s.setString(++i, env.sender());
            s.setString(++i, item.subject());
            s.setLong(++i, size);
            s.setString(++i, item.verdictClass());
            s.setString(++i, item.virus());
            if (item.spamScore() == null) s.setNull(++i, Types.REAL); else s.setDouble(++i, item.spamScore());
            s.setString(++i, new JsonArray(new ArrayList<Object>(item.symbols())).encode());
            s.setString(++i, item.reason());
            s.setString(++i, item.rule().toString());
            s.setLong(++i, env.declaredSize());
            s.setString(++i, env.body().name());
            s.setInt(++i, env.smtputf8() ? 1 : 0);
            s.setString(++i, env.ret() == null ? null : env.ret().name());
            s.setString(++i, env.envid());
            s.setString(++i, env.filter());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO recipients (message_id, address, notify, orcpt, state, "
                + "state_time, who) VALUES (?,?,?,?,?,?,NULL)")) {
            for (Recipient r : recipientsOf(item)) {
                s.setString(1, id);
                s.setString(2, r.address());
                s.setString(3, String.join(",", r.notifyOn().stream().map(Enum::name).sorted().toList()));
                s.setString(4, r.orcpt());
                s.setString(5, RecipientState.QUARANTINED.dbName());
                s.setLong(6, time.toEpochMilli());
                s.executeUpdate();
            }
        }
    }

    /** The item's recipient addresses with the DSN parameters the envelope has for them. */
    private static Set<Recipient> recipientsOf(QuarantineStore.Item item) {
        Set<String> seen = new LinkedHashSet<>();
        Set<Recipient> result = new LinkedHashSet<>();
        for (String address : item.recipients()) {
            if (!seen.add(address)) continue;
            result.add(item.envelope().recipients().stream().filter(r -> r.address().equals(address)).findFirst()
                    .orElse(Recipient.of(address)));
        }
        return result;
    }

    static Optional<Entry> find(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(SELECT_ENTRIES + "messages" + JOIN_RECIPIENTS
                + "WHERE m.id = ? ORDER BY r.rowid")) {
            s.setString(1, id);
            List<Entry> found = entries(s);
            return found.stream().findFirst();
        }
    }

    static boolean exists(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM messages WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Newest first (time, then id, so pages are stable). */
    static List<Entry> list(Connection c, Query q) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (q.verdictClass() != null) {
            where.append(" AND verdict_class = ?");
            args.add(q.verdictClass());
        }
        if (q.since() != null) {
            where.append(" AND time >= ?");
            args.add(q.since().toEpochMilli());
        }
        if (q.recipient() != null || q.state() != null) {
            where.append(" AND EXISTS (SELECT 1 FROM recipients x WHERE x.message_id = messages.id");
            if (q.recipient() != null) {
                where.append(" AND x.address LIKE ? ESCAPE '\\'");
                args.add("%" + q.recipient().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            }
            if (q.state() != null) {
                where.append(" AND x.state = ?");
                args.add(q.state().dbName());
            }
            where.append(")");
        }
        String page = "(SELECT * FROM messages" + where + " ORDER BY time DESC, id DESC LIMIT ? OFFSET ?)";
        args.add(q.limit());
        args.add(q.offset());
        try (PreparedStatement s = c.prepareStatement(SELECT_ENTRIES + page + JOIN_RECIPIENTS
                + "ORDER BY m.time DESC, m.id DESC, r.rowid")) {
            for (int i = 0; i < args.size(); i++) s.setObject(i + 1, args.get(i));
            return entries(s);
        }
    }

    /** The recipients of one message in quarantine order; empty when there is no such message. */
    static List<RecipientStatus> recipients(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT address, notify, orcpt, state, state_time, who, "
                + "release_queue_id FROM recipients WHERE message_id = ? ORDER BY rowid")) {
            s.setString(1, id);
            List<RecipientStatus> result = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) result.add(recipient(rs, 1));
            }
            return result;
        }
    }

    /** Removes a message's rows; false when there were none. */
    static boolean delete(Connection c, String id) throws SQLException {
        try (PreparedStatement r = c.prepareStatement("DELETE FROM recipients WHERE message_id = ?");
             PreparedStatement m = c.prepareStatement("DELETE FROM messages WHERE id = ?")) {
            r.setString(1, id);
            r.executeUpdate();
            m.setString(1, id);
            return m.executeUpdate() > 0;
        }
    }

    /**
     * Up to {@code max} ids of messages quarantined before {@code cutoff}, oldest first; none that is being
     * released (a releaser holds a live claim: its copy may be on its way to the queue) or whose released copy
     * is still staged (the recovery needs the rows to send it on).
     */
    static List<String> quarantinedBefore(Connection c, Instant cutoff, int max) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM messages m WHERE time < ? AND NOT EXISTS "
                + "(SELECT 1 FROM recipients r WHERE r.message_id = m.id AND (r.state = ? OR r.release_staged = 1)) "
                + "ORDER BY time LIMIT ?")) {
            s.setLong(1, cutoff.toEpochMilli());
            s.setString(2, RecipientState.RELEASING.dbName());
            s.setInt(3, max);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) ids.add(rs.getString(1));
            }
            return ids;
        }
    }

    /** One entry per message, from rows of SELECT_ENTRIES ordered by message then recipient. */
    private static List<Entry> entries(PreparedStatement s) throws SQLException {
        Map<String, Head> heads = new LinkedHashMap<>();
        Map<String, List<RecipientStatus>> recipients = new LinkedHashMap<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                String id = rs.getString(1);
                if (!heads.containsKey(id)) {
                    heads.put(id, head(rs));
                    recipients.put(id, new ArrayList<>());
                }
                recipients.get(id).add(recipient(rs, 29));
            }
        }
        List<Entry> result = new ArrayList<>(heads.size());
        heads.forEach((id, head) -> result.add(head.entry(recipients.get(id))));
        return result;
    }

    /** The message columns of one row, until its recipients are read. */
    private record Head(String id, Instant time, QueueId queueId, Instant arrival, ClientInfo client, String sender,
                        String subject, long size, String verdictClass, String virus, Double spamScore,
                        List<String> symbols, String reason, String rule, long declaredSize, Envelope.BodyType body,
                        boolean smtputf8, Envelope.Ret ret, String envid, String filter) {
        Entry entry(List<RecipientStatus> rcpts) {
            Envelope envelope = envelope(rcpts.stream().map(RecipientStatus::recipient).toList());
            return new Entry(id, time, envelope, subject, size, verdictClass, virus, spamScore, symbols, reason, rule, rcpts);
        }

        Envelope envelope(List<Recipient> rcpts) {
            return new Envelope(queueId, arrival, client, sender, rcpts, declaredSize, body, smtputf8, ret, envid, filter);
        }
    }

    private static Head head(ResultSet rs) throws SQLException {
        ClientInfo client = new ClientInfo(rs.getString(5), rs.getString(6), rs.getInt(7), rs.getString(8),
                rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13));
        double score = rs.getDouble(19);
        Double spamScore = rs.wasNull() ? null : score;
        List<String> symbols = new JsonArray(rs.getString(20)).stream().map(String::valueOf).toList();
        String ret = rs.getString(26);
        return new Head(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), new QueueId(rs.getString(3)),
                Instant.parse(rs.getString(4)), client, rs.getString(14), rs.getString(15), rs.getLong(16),
                rs.getString(17), rs.getString(18), spamScore, symbols, rs.getString(21), rs.getString(22),
                rs.getLong(23), Envelope.BodyType.valueOf(rs.getString(24)), rs.getInt(25) != 0,
                ret == null ? null : Envelope.Ret.valueOf(ret), rs.getString(27), rs.getString(28));
    }

    /** A recipient from seven columns from {@code col}: address, notify, orcpt, state, state_time, who, release_queue_id. */
    private static RecipientStatus recipient(ResultSet rs, int col) throws SQLException {
        String notify = rs.getString(col + 1);
        Set<Recipient.Notify> notifyOn = new LinkedHashSet<>();
        if (!notify.isEmpty()) {
            for (String n : notify.split(",")) notifyOn.add(Recipient.Notify.valueOf(n));
        }
        Recipient r = new Recipient(rs.getString(col), notifyOn, rs.getString(col + 2));
        String copy = rs.getString(col + 6);
        return new RecipientStatus(r, RecipientState.fromDb(rs.getString(col + 3)),
                Instant.ofEpochMilli(rs.getLong(col + 4)), rs.getString(col + 5), copy == null ? null : new QueueId(copy));
    }

    /** The envelope of an entry limited to some of its recipients: what a release reinjects. */
    static Envelope envelopeFor(Entry entry, List<Recipient> rcpts) {
        Envelope e = entry.envelope();
        return new Envelope(e.queueId(), e.arrival(), e.client(), e.sender(), rcpts, e.declaredSize(), e.body(),
                e.smtputf8(), e.ret(), e.envid(), e.filter());
    }
}
