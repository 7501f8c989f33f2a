// QueueFileTest: the queue file format -- every envelope field survives a round trip (hostile
// strings included), content is byte-faithful and streamed, recipient status is changed in place,
// and damaged files are reported as corrupt.
package org.postern.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.postern.gateway.queue.QueueFixtures.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;

class QueueFileTest {
    private static final QueueId ID = new QueueId("0AB12CD34EF");
    @TempDir
    Path dir;

    /** A queue file built from the documented layout, independently of the writer. */
    static Path writeFile(Path file, Envelope env, byte[] content) throws IOException {
        byte[] envelope = EnvelopeCodec.encode(env);
        ByteBuffer h = ByteBuffer.allocate(64);
        h.put("POSTERNQ".getBytes(StandardCharsets.US_ASCII)).putShort((short) 1).putShort((short) 64).putInt(0);
        h.putLong(64).putLong(content.length).putLong(64 + content.length).putLong(envelope.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(h.array());
        out.write(content);
        out.write(envelope);
        return Files.write(file, out.toByteArray());
    }

    static byte[] allByteValues() {
        byte[] b = new byte[256 * 4 + 7];
        for (int i = 0; i < 256 * 4; i++) b[i] = (byte) i;
        System.arraycopy("\r\n.\r\n\n\r".getBytes(StandardCharsets.US_ASCII), 0, b, 256 * 4, 7);
        return b;
    }

    @Test
    void everyEnvelopeFieldSurvivesARoundTripIncludingHostileStrings() throws IOException {
        Envelope env = hostile(ID);
        QueueFile f = QueueFile.read(writeFile(dir.resolve("f"), env, new byte[0]));
        assertThat(f.envelope()).isEqualTo(env);
        assertThat(f.envelope().recipients()).hasSize(4);
        assertThat(f.recipientStatuses()).containsOnly(RecipientStatus.PENDING).hasSize(4);
        assertThat(f.contentLength()).isZero();
    }

    @Test
    void absentOptionalFieldsStayAbsent() throws IOException {
        ClientInfo bare = new ClientInfo("unknown", "127.0.0.1", 0, null, null, null, null, null, null);
        Envelope env = new Envelope(ID, QueueFixtures.ARRIVAL, bare, "", List.of(Recipient.of("a@b")), -1,
                Envelope.BodyType.EIGHT_BIT_MIME, false, null, null);
        assertThat(QueueFile.read(writeFile(dir.resolve("f"), env, new byte[] {1})).envelope()).isEqualTo(env);
    }

    @Test
    void contentIsByteFaithfulAndStreamed() throws IOException {
        byte[] content = allByteValues();
        QueueFile f = QueueFile.read(writeFile(dir.resolve("f"), hostile(ID), content));
        assertThat(f.contentOffset()).isEqualTo(64);
        assertThat(f.contentLength()).isEqualTo(content.length);
        try (InputStream in = f.openContent()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        try (InputStream in = f.openContent()) {
            assertThat(in.skip(1000)).isEqualTo(1000);
            assertThat(in.read()).isEqualTo(1000 & 0xff);
            assertThat(in.readAllBytes()).hasSize(content.length - 1001);
            assertThat(in.read()).isEqualTo(-1); // never runs into the envelope
        }
    }

    @Test
    void recipientStatusIsOverwrittenInPlaceAndSurvivesReRead() throws IOException {
        Path file = writeFile(dir.resolve("f"), hostile(ID), allByteValues());
        byte[] before = Files.readAllBytes(file);
        QueueFile.markRecipient(file, 1, RecipientStatus.DELIVERED);
        QueueFile.read(file).markRecipient(3, RecipientStatus.BOUNCED);
        byte[] after = Files.readAllBytes(file);
        assertThat(after).hasSameSizeAs(before);
        int changed = 0;
        for (int i = 0; i < before.length; i++) if (before[i] != after[i]) changed++;
        assertThat(changed).isEqualTo(2); // one status byte per mark, nothing else moves
        QueueFile again = QueueFile.read(file);
        assertThat(again.recipientStatuses()).containsExactly(RecipientStatus.PENDING, RecipientStatus.DELIVERED,
                RecipientStatus.PENDING, RecipientStatus.BOUNCED);
        assertThat(again.pendingRecipients()).containsExactly(0, 2);
        assertThat(again.envelope()).isEqualTo(hostile(ID));
        QueueFile.markRecipient(file, 0, RecipientStatus.DEFERRED);
        assertThat(QueueFile.read(file).recipientStatuses().get(0)).isEqualTo(RecipientStatus.DEFERRED);
        assertThat(QueueFile.read(file).pendingRecipients()).containsExactly(0, 2);
    }

    @Test
    void markingAMissingRecipientFails() throws IOException {
        Path file = writeFile(dir.resolve("f"), hostile(ID), new byte[0]);
        assertThatThrownBy(() -> QueueFile.markRecipient(file, 4, RecipientStatus.DELIVERED))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void hostileValuesCannotAddRecipients() throws IOException {
        // values in hostile() embed a complete encoded recipient record and an end record
        byte[] encoded = EnvelopeCodec.encode(hostile(ID));
        EnvelopeCodec.Decoded d = EnvelopeCodec.decode(encoded, 0, dir);
        assertThat(d.envelope().recipients()).hasSize(4);
        assertThat(d.statusOffsets()).hasSize(4);
        for (long off : d.statusOffsets()) assertThat(encoded[(int) off]).isEqualTo((byte) 'P');
    }

    @Test
    void truncatedFileIsCorrupt() throws IOException {
        Path file = writeFile(dir.resolve("f"), hostile(ID), allByteValues());
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 1));
        assertThatThrownBy(() -> QueueFile.read(file)).isInstanceOf(CorruptQueueFileException.class)
                .hasMessageContaining("inconsistent header");
    }

    @Test
    void fileWithoutHeaderIsCorrupt() throws IOException {
        Path file = dir.resolve("f");
        Files.write(file, new byte[200]); // what an uncommitted writer has on disk
        assertThatThrownBy(() -> QueueFile.read(file)).isInstanceOf(CorruptQueueFileException.class)
                .hasMessageContaining("bad magic");
    }

    @Test
    void damagedEnvelopeRecordIsCorrupt() throws IOException {
        Path file = writeFile(dir.resolve("f"), QueueFixtures.envelope(ID, "a@b", "c@d"), new byte[10]);
        byte[] all = Files.readAllBytes(file);
        all[64 + 10 + 1] = 0x7f; // length of the first record
        Files.write(file, all);
        assertThatThrownBy(() -> QueueFile.read(file)).isInstanceOf(CorruptQueueFileException.class);
    }

    @Test
    void unknownVersionIsCorrupt() throws IOException {
        Path file = writeFile(dir.resolve("f"), QueueFixtures.envelope(ID, "a@b", "c@d"), new byte[10]);
        byte[] all = Files.readAllBytes(file);
        all[9] = 2;
        Files.write(file, all);
        assertThatThrownBy(() -> QueueFile.read(file)).isInstanceOf(CorruptQueueFileException.class)
                .hasMessageContaining("version 2");
    }

    @Test
    void invalidStatusByteIsCorrupt() throws IOException {
        Path file = writeFile(dir.resolve("f"), QueueFixtures.envelope(ID, "a@b", "c@d"), new byte[10]);
        long off = QueueFile.read(file).recipientStatuses().size() == 1
                ? EnvelopeCodec.decode(EnvelopeCodec.encode(QueueFixtures.envelope(ID, "a@b", "c@d")), 74, file)
                        .statusOffsets()[0] : -1;
        byte[] all = Files.readAllBytes(file);
        all[(int) off] = 'Q';
        Files.write(file, all);
        assertThatThrownBy(() -> QueueFile.read(file)).isInstanceOf(CorruptQueueFileException.class)
                .hasMessageContaining("status");
    }
}
