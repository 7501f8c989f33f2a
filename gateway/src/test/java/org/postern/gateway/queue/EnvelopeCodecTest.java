// EnvelopeCodecTest: the Q record (original recipient of a rewritten recipient) -- round trip, files
// written before it existed still read, and a misplaced Q makes the file corrupt.
package org.postern.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;

class EnvelopeCodecTest {
    private static final Path FILE = Path.of("incoming/3F2A61C0A1B");

    private static Envelope envelope(List<Recipient> rcpts) {
        return new Envelope(new QueueId("3F2A61C0A1B"), QueueFixtures.ARRIVAL, QueueFixtures.CLIENT, "s@sender.test",
                rcpts, -1, Envelope.BodyType.SEVEN_BIT, false, null, null);
    }

    @Test
    void originalRecipientsRoundTrip() throws Exception {
        List<Recipient> rcpts = List.of(
                new Recipient("x@relay.test", Set.of(Recipient.Notify.FAILURE), "rfc822;a@relay.test", "a@relay.test"),
                Recipient.of("plain@relay.test"),
                new Recipient("y@relay.test", Set.of(), "utf-8;δοκιμή@relay.test", "δοκιμή@relay.test"));
        byte[] bytes = EnvelopeCodec.encode(envelope(rcpts));
        EnvelopeCodec.Decoded d = EnvelopeCodec.decode(bytes, 1000, FILE);
        assertThat(d.envelope().recipients()).isEqualTo(rcpts);
        assertThat(d.statuses()).containsOnly(RecipientStatus.PENDING);
        // each status offset still points at its R record's status byte
        for (long offset : d.statusOffsets()) {
            assertThat(bytes[(int) (offset - 1000)]).isEqualTo(RecipientStatus.PENDING.code());
            assertThat(bytes[(int) (offset - 1000) - EnvelopeCodec.RECORD_HEADER]).isEqualTo(EnvelopeCodec.RECIPIENT);
        }
    }

    @Test
    void anEnvelopeWithoutRewritingIsWrittenAsBefore() throws Exception {
        byte[] bytes = EnvelopeCodec.encode(QueueFixtures.hostile(new QueueId("3F2A61C0A1B")));
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain("Q\0\0"); // no Q record at all
        assertThat(EnvelopeCodec.decode(bytes, 0, FILE).envelope()).isEqualTo(QueueFixtures.hostile(new QueueId("3F2A61C0A1B")));
    }

    @Test
    void aMisplacedOriginalRecordMakesTheFileCorrupt() throws Exception {
        byte[] one = EnvelopeCodec.encode(envelope(List.of(
                new Recipient("x@relay.test", Set.of(), null, "a@relay.test"))));
        // a second Q after the first one
        assertThatThrownBy(() -> EnvelopeCodec.decode(insertBeforeEnd(one, record('Q', "b@relay.test")), 0, FILE))
                .isInstanceOf(CorruptQueueFileException.class).hasMessageContaining("original recipient record");
        // a Q before any R: at the very start
        byte[] plain = EnvelopeCodec.encode(envelope(List.of(Recipient.of("x@relay.test"))));
        byte[] early = concat(record('Q', "a@relay.test"), plain);
        assertThatThrownBy(() -> EnvelopeCodec.decode(early, 0, FILE))
                .isInstanceOf(CorruptQueueFileException.class).hasMessageContaining("original recipient record");
    }

    private static byte[] record(char type, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + v.length).put((byte) type).putInt(v.length).put(v).array();
    }

    /** {@code extra} inserted before the final X record (5 bytes). */
    private static byte[] insertBeforeEnd(byte[] section, byte[] extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(section, 0, section.length - 5);
        out.writeBytes(extra);
        out.write(section, section.length - 5, 5);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
