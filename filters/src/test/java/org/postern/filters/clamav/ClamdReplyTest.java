// ClamdReplyTest: the mapping of clamd's zINSTREAM replies to verdicts -- OK, FOUND, limit heuristics
// and size-limit errors (UNSCANNABLE), other errors and garbage (TEMPFAIL). Unit test; no I/O.
package org.postern.filters.clamav;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postern.filters.FilterResult.Kind;

class ClamdReplyTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            stream: OK                                              | CLEAN       | ""
            "stream: OK\n"                                          | CLEAN       | ""
            stream: Eicar-Signature FOUND                           | INFECTED    | Eicar-Signature
            stream: Postern-Test-Signature.UNOFFICIAL FOUND         | INFECTED    | Postern-Test-Signature.UNOFFICIAL
            stream: Heuristics.Encrypted.Zip FOUND                  | INFECTED    | Heuristics.Encrypted.Zip
            stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND    | UNSCANNABLE | stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND
            stream: Heuristics.Limits.Exceeded.MaxScanTime FOUND    | UNSCANNABLE | stream: Heuristics.Limits.Exceeded.MaxScanTime FOUND
            INSTREAM size limit exceeded. ERROR                     | UNSCANNABLE | INSTREAM size limit exceeded. ERROR
            stream: Limits exceeded ERROR                           | UNSCANNABLE | stream: Limits exceeded ERROR
            stream: Can't allocate memory ERROR                     | TEMPFAIL    | clamd error: stream: Can't allocate memory ERROR
            COMMAND READ TIMED OUT                                  | TEMPFAIL    | unexpected clamd reply: COMMAND READ TIMED OUT
            Error processing command. ERROR                         | TEMPFAIL    | clamd error: Error processing command. ERROR
            UNKNOWN COMMAND                                         | TEMPFAIL    | unexpected clamd reply: UNKNOWN COMMAND
            PONG                                                    | TEMPFAIL    | unexpected clamd reply: PONG
            stream: OK FOUND                                        | INFECTED    | OK
            stream:  FOUND                                          | TEMPFAIL    | clamd reported a malformed signature name: stream:  FOUND
            stream: OKAY                                            | TEMPFAIL    | unexpected clamd reply: stream: OKAY
            OK                                                      | TEMPFAIL    | unexpected clamd reply: OK
            ""                                                      | TEMPFAIL    | clamd sent an empty reply
            """)
    void mapsReplies(String reply, Kind kind, String detail) {
        ClamdReply r = ClamdReply.parse(reply);
        assertThat(r.kind()).isEqualTo(kind);
        assertThat(r.detail()).isEqualTo(detail);
    }

    @org.junit.jupiter.api.Test
    void nonPrintableBytesAreEscapedAndLongRepliesCut() {
        assertThat(ClamdReply.parse("stream: Bad\u0001Name FOUND").kind()).isEqualTo(Kind.TEMPFAIL);
        String detail = ClamdReply.parse("\u00ff" + "x".repeat(500)).detail();
        assertThat(detail).startsWith("unexpected clamd reply: \\xff").endsWith("...").hasSizeLessThan(260);
    }
}
