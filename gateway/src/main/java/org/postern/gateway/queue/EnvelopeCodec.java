// EnvelopeCodec: turns an Envelope into the envelope section of a queue file and back (record
// layout documented in QueueFile). Used by the incoming writer at commit and by every reader.
// Values are length-prefixed UTF-8, so no sender, HELO or ENVID can forge a record. A recipient that
// cleanup rewrote is followed by a Q record with the address the client gave (files without any Q,
// written before it existed, read as before).
package org.postern.gateway.queue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;

/**
 * Encoder and decoder of the envelope section. Stateless. Besides the records QueueFile lists: {@code Q}
 * original recipient (UTF-8, the address the client gave before cleanup rewrote it), optional, at most
 * once per recipient and only directly after that recipient's {@code R} record.
 */
final class EnvelopeCodec {
    static final byte QUEUE_ID = 'I', ARRIVAL = 'T', SENDER = 'S', CLIENT_NAME = 'N', CLIENT_ADDR = 'A',
            CLIENT_PORT = 'O', HELO = 'H', PROTOCOL = 'P', TLS_PROTOCOL = 'V', TLS_CIPHER = 'C',
            SASL_METHOD = 'M', SASL_USER = 'U', DECLARED_SIZE = 'Z', BODY = 'B', SMTPUTF8 = '8',
            RET = 'E', ENVID = 'J', FILTER = 'F', RECIPIENT = 'R', ORIGINAL = 'Q', END = 'X';
    /** Bits of the NOTIFY byte of a recipient record. */
    private static final int N_SUCCESS = 1, N_FAILURE = 2, N_DELAY = 4, N_NEVER = 8;
    /** Record header: type byte and 4-byte payload length. */
    static final int RECORD_HEADER = 5;
    private static final int MAX_RECORD = 1 << 20;

    private EnvelopeCodec() {}

    /** What a reader gets: the envelope, each recipient's status and the file offset of its status byte. */
    record Decoded(Envelope envelope, List<RecipientStatus> statuses, long[] statusOffsets) {}

    /** The envelope section for {@code env}, every recipient PENDING. */
    static byte[] encode(Envelope env) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            ClientInfo c = env.client();
            string(out, QUEUE_ID, env.queueId().value());
            ByteBuffer t = ByteBuffer.allocate(12).putLong(env.arrival().getEpochSecond()).putInt(env.arrival().getNano());
            record(out, ARRIVAL, t.array());
            string(out, SENDER, env.sender());
            string(out, CLIENT_NAME, c.name());
            string(out, CLIENT_ADDR, c.address());
            record(out, CLIENT_PORT, ByteBuffer.allocate(4).putInt(c.port()).array());
            string(out, HELO, c.helo());
            string(out, PROTOCOL, c.protocol());
            string(out, TLS_PROTOCOL, c.tlsProtocol());
            string(out, TLS_CIPHER, c.tlsCipher());
            string(out, SASL_METHOD, c.saslMethod());
            string(out, SASL_USER, c.saslUsername());
            record(out, DECLARED_SIZE, ByteBuffer.allocate(8).putLong(env.declaredSize()).array());
            string(out, BODY, env.body().name());
            record(out, SMTPUTF8, new byte[] {(byte) (env.smtputf8() ? 1 : 0)});
            string(out, RET, env.ret() == null ? null : env.ret().name());
            string(out, ENVID, env.envid());
            string(out, FILTER, env.filter());
            for (Recipient r : env.recipients()) {
                byte[] addr = r.address().getBytes(StandardCharsets.UTF_8);
                byte[] orcpt = r.orcpt() == null ? null : r.orcpt().getBytes(StandardCharsets.UTF_8);
                ByteBuffer p = ByteBuffer.allocate(2 + 4 + addr.length + 4 + (orcpt == null ? 0 : orcpt.length));
                p.put(RecipientStatus.PENDING.code()).put((byte) notifyBits(r.notifyOn()));
                p.putInt(addr.length).put(addr);
                p.putInt(orcpt == null ? -1 : orcpt.length);
                if (orcpt != null) p.put(orcpt);
                record(out, RECIPIENT, p.array());
                string(out, ORIGINAL, r.original()); // Q: only for a rewritten recipient, right after its R
            }
            record(out, END, new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen: in memory
        }
        return bytes.toByteArray();
    }

    /**
     * Parses an envelope section read from {@code file} at file offset {@code base}. Strict: any
     * unknown, repeated, missing or malformed record makes the file corrupt.
     */
    static Decoded decode(byte[] data, long base, Path file) throws CorruptQueueFileException {
        ByteBuffer in = ByteBuffer.wrap(data);
        Map<Byte, ByteBuffer> single = new HashMap<>();
        List<Recipient> rcpts = new ArrayList<>();
        List<RecipientStatus> statuses = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        boolean originalAllowed = false; // a Q record may follow an R record only, once
        try {
            while (true) {
                byte type = in.get();
                int len = in.getInt();
                if (len < 0 || len > MAX_RECORD || len > in.remaining()) throw bad(file, "record length " + len);
                int start = in.position();
                ByteBuffer p = in.slice(start, len);
                in.position(start + len);
                if (type != ORIGINAL) originalAllowed = false;
                if (type == END) {
                    if (in.hasRemaining()) throw bad(file, in.remaining() + " bytes after end record");
                    break;
                } else if (type == RECIPIENT) {
                    RecipientStatus st = RecipientStatus.ofCode(p.get());
                    if (st == null) throw bad(file, "recipient status byte at " + (base + start));
                    Set<Recipient.Notify> notify = notify(p.get(), file);
                    String addr = text(p, p.getInt(), file);
                    int olen = p.getInt();
                    String orcpt = olen == -1 ? null : text(p, olen, file);
                    if (p.hasRemaining()) throw bad(file, "recipient record too long");
                    rcpts.add(new Recipient(addr, notify, orcpt));
                    statuses.add(st);
                    offsets.add(base + start);
                    originalAllowed = true;
                } else if (type == ORIGINAL) {
                    if (!originalAllowed) throw bad(file, "original recipient record not after a recipient record");
                    originalAllowed = false;
                    Recipient last = rcpts.remove(rcpts.size() - 1);
                    rcpts.add(new Recipient(last.address(), last.notifyOn(), last.orcpt(), text(p, len, file)));
                } else if (single.put(type, p) != null) {
                    throw bad(file, "repeated record '" + (char) type + "'");
                }
            }
            return new Decoded(envelope(single, rcpts, file), List.copyOf(statuses),
                    offsets.stream().mapToLong(Long::longValue).toArray());
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw bad(file, "truncated envelope record");
        } catch (IllegalArgumentException | NullPointerException | DateTimeException e) {
            throw bad(file, "bad envelope value: " + e.getMessage());
        }
    }

    private static Envelope envelope(Map<Byte, ByteBuffer> r, List<Recipient> rcpts, Path file)
            throws CorruptQueueFileException {
        ByteBuffer t = fixed(r, ARRIVAL, 12, file);
        Instant arrival = Instant.ofEpochSecond(t.getLong(), t.getInt());
        ClientInfo client = new ClientInfo(req(r, CLIENT_NAME, file), req(r, CLIENT_ADDR, file),
                fixed(r, CLIENT_PORT, 4, file).getInt(), opt(r, HELO, file), opt(r, PROTOCOL, file),
                opt(r, TLS_PROTOCOL, file), opt(r, TLS_CIPHER, file), opt(r, SASL_METHOD, file),
                opt(r, SASL_USER, file));
        byte utf8 = fixed(r, SMTPUTF8, 1, file).get();
        if (utf8 != 0 && utf8 != 1) throw bad(file, "SMTPUTF8 flag " + utf8);
        String ret = opt(r, RET, file);
        for (byte k : r.keySet()) {
            if (!known(k)) throw bad(file, "unknown record type " + (k & 0xff));
        }
        return new Envelope(new QueueId(req(r, QUEUE_ID, file)), arrival, client, req(r, SENDER, file), rcpts,
                fixed(r, DECLARED_SIZE, 8, file).getLong(), Envelope.BodyType.valueOf(req(r, BODY, file)),
                utf8 == 1, ret == null ? null : Envelope.Ret.valueOf(ret), opt(r, ENVID, file), opt(r, FILTER, file));
    }

    private static boolean known(byte k) {
        return "ITSNAOHPVCMUZB8EJF".indexOf(k) >= 0;
    }

    private static void record(DataOutputStream out, byte type, byte[] payload) throws IOException {
        out.writeByte(type);
        out.writeInt(payload.length);
        out.write(payload);
    }

    /** A string record; nothing at all for null. */
    private static void string(DataOutputStream out, byte type, String value) throws IOException {
        if (value != null) record(out, type, value.getBytes(StandardCharsets.UTF_8));
    }

    private static int notifyBits(Set<Recipient.Notify> notify) {
        int bits = 0;
        for (Recipient.Notify n : notify) {
            bits |= switch (n) {
                case SUCCESS -> N_SUCCESS;
                case FAILURE -> N_FAILURE;
                case DELAY -> N_DELAY;
                case NEVER -> N_NEVER;
            };
        }
        return bits;
    }

    private static Set<Recipient.Notify> notify(byte bits, Path file) throws CorruptQueueFileException {
        if ((bits & ~(N_SUCCESS | N_FAILURE | N_DELAY | N_NEVER)) != 0) throw bad(file, "NOTIFY bits " + bits);
        Set<Recipient.Notify> out = EnumSet.noneOf(Recipient.Notify.class);
        if ((bits & N_SUCCESS) != 0) out.add(Recipient.Notify.SUCCESS);
        if ((bits & N_FAILURE) != 0) out.add(Recipient.Notify.FAILURE);
        if ((bits & N_DELAY) != 0) out.add(Recipient.Notify.DELAY);
        if ((bits & N_NEVER) != 0) out.add(Recipient.Notify.NEVER);
        return out;
    }

    private static ByteBuffer fixed(Map<Byte, ByteBuffer> r, byte type, int size, Path file)
            throws CorruptQueueFileException {
        ByteBuffer p = r.get(type);
        if (p == null) throw bad(file, "missing record '" + (char) type + "'");
        if (p.remaining() != size) throw bad(file, "record '" + (char) type + "' has " + p.remaining() + " bytes");
        return p.duplicate();
    }

    private static String req(Map<Byte, ByteBuffer> r, byte type, Path file) throws CorruptQueueFileException {
        String s = opt(r, type, file);
        if (s == null) throw bad(file, "missing record '" + (char) type + "'");
        return s;
    }

    private static String opt(Map<Byte, ByteBuffer> r, byte type, Path file) throws CorruptQueueFileException {
        ByteBuffer p = r.get(type);
        return p == null ? null : text(p.duplicate(), p.remaining(), file);
    }

    /** Reads {@code len} bytes of strict UTF-8 (malformed input means a damaged file). */
    private static String text(ByteBuffer p, int len, Path file) throws CorruptQueueFileException {
        if (len < 0 || len > p.remaining()) throw bad(file, "string length " + len);
        ByteBuffer bytes = p.slice(p.position(), len);
        p.position(p.position() + len);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "malformed UTF-8");
        }
    }

    private static CorruptQueueFileException bad(Path file, String why) {
        return new CorruptQueueFileException(file, why);
    }
}
