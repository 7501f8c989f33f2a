// VirtualAliasExpansionTest: virtual_alias_maps as cleanup applies it -- lookup order, extensions,
// one-to-many, self-reference, duplicates, loops and the three limits, lookup failures, original and
// ORCPT. Every expectation here was first observed on Postfix 3.7.11 with the same tables (postcat).
package org.postern.gateway.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.postern.gateway.cleanup.RewriteFixture.addresses;
import static org.postern.gateway.cleanup.RewriteFixture.rewrite;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Recipient;

class VirtualAliasExpansionTest {
    @TempDir
    Path dir;
    RewriteFixture fx;
    AddressRewriting rw;

    @BeforeEach
    void setUp() throws Exception {
        fx = new RewriteFixture(dir);
        fx.file("virtual",
                "a@relay.test        x@relay.test, y@relay.test",
                "self@relay.test     self@relay.test, other@relay.test",
                "loop1@relay.test    loop2@relay.test",
                "loop2@relay.test    loop1@relay.test",
                "big@relay.test      b1@relay.test, b2@relay.test, b3@relay.test, b4@relay.test, b5@relay.test, b6@relay.test",
                "five@relay.test     b1@relay.test, b2@relay.test, b3@relay.test, b4@relay.test, b5@relay.test",
                "ext@relay.test      extdest@relay.test",
                "@catch.test         catchall@relay.test",
                "dup1@relay.test     same@relay.test",
                "dup2@relay.test     same@relay.test, dup1@relay.test",
                "bare@relay.test     localonly",
                "deep1@relay.test    deep2@relay.test",
                "deep2@relay.test    deep3@relay.test",
                "deep3@relay.test    deep4@relay.test",
                "deep4@relay.test    deep5@relay.test",
                "deep5@relay.test    deep6@relay.test",
                "four1@relay.test    four2@relay.test",
                "four2@relay.test    four3@relay.test",
                "four3@relay.test    four4@relay.test",
                "four4@relay.test    four5@relay.test",
                "@dom.relay.test     @relay.test",
                "vuser               vlocal@relay.test",
                "ws@relay.test       w1@relay.test w2@relay.test",
                "angle@relay.test    Some Name <an1@relay.test>, (comment) an2@relay.test",
                "case@relay.test     CaseDest@Relay.Test",
                "empty@relay.test    (nothing here)");
        rw = fx.load("virtual_alias_maps = hash:virtual\nvirtual_alias_recursion_limit = 5\n"
                + "virtual_alias_expansion_limit = 5\n");
    }

    @Test
    void oneToManyKeepsTheGivenAddressAndMakesAnOrcpt() {
        AddressRewriting.Result r = rewrite(rw, "s@sender.test", "a@relay.test");
        assertThat(r.envelope().recipients()).containsExactly(
                new Recipient("x@relay.test", Set.of(), "rfc822;a@relay.test", "a@relay.test"),
                new Recipient("y@relay.test", Set.of(), "rfc822;a@relay.test", "a@relay.test"));
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void theClientsOrcptAndNotifyAreKept() {
        Recipient given = new Recipient("a@relay.test", Set.of(Recipient.Notify.FAILURE), "rfc822;list@elsewhere.test");
        AddressRewriting.Result r = rw.apply(RewriteFixture.envelope("s@sender.test", given), null, List.of());
        assertThat(r.envelope().recipients()).extracting(Recipient::orcpt).containsOnly("rfc822;list@elsewhere.test");
        assertThat(r.envelope().recipients()).extracting(Recipient::notifyOn).containsOnly(Set.of(Recipient.Notify.FAILURE));
    }

    @Test
    void anUnknownAddressIsLeftAlone() {
        AddressRewriting.Result r = rewrite(rw, "s@sender.test", "nobody@relay.test");
        assertThat(r.envelope().recipients()).containsExactly(Recipient.of("nobody@relay.test"));
    }

    @Test
    void anAddressMayExpandIntoItselfOnce() {
        AddressRewriting.Result r = rewrite(rw, "s@sender.test", "self@relay.test");
        assertThat(r.envelope().recipients()).containsExactly(Recipient.of("self@relay.test"),
                new Recipient("other@relay.test", Set.of(), "rfc822;self@relay.test", "self@relay.test"));
    }

    @Test
    void anUnmatchedExtensionIsPropagated() {
        assertThat(addresses(rewrite(rw, "s@sender.test", "ext+foo@relay.test"))).containsExactly("extdest+foo@relay.test");
        // @domain -> @other keeps the user part, extension included
        assertThat(addresses(rewrite(rw, "s@sender.test", "user+e@dom.relay.test"))).containsExactly("user+e@relay.test");
        assertThat(addresses(rewrite(rw, "s@sender.test", "any@catch.test"))).containsExactly("catchall@relay.test");
    }

    @Test
    void withoutPropagationTheExtensionIsDropped() throws Exception {
        AddressRewriting noProp = fx.load("virtual_alias_maps = hash:virtual\npropagate_unmatched_extensions = canonical\n");
        assertThat(addresses(rewrite(noProp, "s@sender.test", "ext+foo@relay.test"))).containsExactly("extdest@relay.test");
    }

    @Test
    void bareUserKeysMatchOnlyMyoriginAndMydestination() {
        assertThat(addresses(rewrite(rw, "s@sender.test", "vuser@example.test"))).containsExactly("vlocal@relay.test");
        assertThat(addresses(rewrite(rw, "s@sender.test", "vuser@mx.example.test"))).containsExactly("vlocal@relay.test");
        assertThat(addresses(rewrite(rw, "s@sender.test", "vuser+x@example.test"))).containsExactly("vlocal+x@relay.test");
        assertThat(addresses(rewrite(rw, "s@sender.test", "vuser@relay.test"))).containsExactly("vuser@relay.test");
    }

    @Test
    void aResultWithoutDomainGetsMyorigin() {
        assertThat(addresses(rewrite(rw, "s@sender.test", "bare@relay.test"))).containsExactly("localonly@example.test");
    }

    @Test
    void resultsAreSplitAsAddressLists() {
        assertThat(addresses(rewrite(rw, "s@sender.test", "ws@relay.test"))).containsExactly("w1@relay.test", "w2@relay.test");
        assertThat(addresses(rewrite(rw, "s@sender.test", "angle@relay.test")))
                .containsExactly("an1@relay.test", "an2@relay.test");
        assertThat(addresses(rewrite(rw, "s@sender.test", "CASE@relay.test"))).containsExactly("CaseDest@Relay.Test");
    }

    @Test
    void duplicatesGoPerGivenAddressAsPostfixKeepsThem() {
        // dup1 and dup2 both reach same@: Postfix keeps one copy per original recipient (enable_original_recipient)
        AddressRewriting.Result r = rewrite(rw, "s@sender.test", "dup1@relay.test", "dup2@relay.test");
        assertThat(r.envelope().recipients()).extracting(Recipient::address, Recipient::original).containsExactly(
                tuple("same@relay.test", "dup1@relay.test"),
                tuple("same@relay.test", "dup2@relay.test"));
        // the same recipient given twice, in any case, is queued once
        assertThat(addresses(rewrite(rw, "s@sender.test", "y@relay.test", "Y@relay.test", "y@relay.test")))
                .containsExactly("y@relay.test");
        assertThat(addresses(rewrite(rw, "s@sender.test", "self@relay.test", "self@relay.test")))
                .containsExactly("self@relay.test", "other@relay.test");
    }

    @Test
    void aLoopDefersTheWholeMessage() {
        AddressRewriting.Result r = rewrite(rw, "s@sender.test", "ok@relay.test", "loop1@relay.test");
        assertThat(r.envelope()).isNull();
        assertThat(r.refusal().oneLine()).isEqualTo("451 4.6.0 Alias expansion error");
        assertThat(r.warnings()).containsExactly("3F2A61C0A1B: unreasonable virtual_alias_maps map nesting for "
                + "loop1@relay.test -- message not accepted, try again later");
    }

    @Test
    void theRecursionLimitCountsLookups() {
        // limit 5: four successive rewrites pass, five do not (the fifth result is never looked up)
        assertThat(addresses(rewrite(rw, "s@sender.test", "four1@relay.test"))).containsExactly("four5@relay.test");
        assertThat(rewrite(rw, "s@sender.test", "deep1@relay.test").refusal().oneLine())
                .isEqualTo("451 4.6.0 Alias expansion error");
    }

    @Test
    void theExpansionLimitCountsAddresses() {
        assertThat(addresses(rewrite(rw, "s@sender.test", "five@relay.test"))).hasSize(5);
        AddressRewriting.Result r = rewrite(rw, "s@sender.test", "big@relay.test");
        assertThat(r.refusal().oneLine()).isEqualTo("451 4.6.0 Alias expansion error");
        assertThat(r.warnings()).containsExactly("3F2A61C0A1B: unreasonable virtual_alias_maps map expansion size for "
                + "big@relay.test -- message not accepted, try again later");
    }

    @Test
    void theAddressLengthLimit() throws Exception {
        fx.file("long", "long@relay.test " + "x".repeat(60) + "@relay.test");
        AddressRewriting limited = fx.load("virtual_alias_maps = hash:long\nvirtual_alias_address_length_limit = 50\n");
        AddressRewriting.Result r = rewrite(limited, "s@sender.test", "long@relay.test");
        assertThat(r.refusal().oneLine()).isEqualTo("451 4.6.0 Alias expansion error");
        assertThat(r.warnings().get(0)).startsWith("3F2A61C0A1B: unreasonable virtual_alias_maps result xxxx");
    }

    @Test
    void aTableThatCannotAnswerRefusesTheMessageForNow() throws Exception {
        AddressRewriting failing = fx.load("virtual_alias_maps = hash:virtual, fail:va\n");
        AddressRewriting.Result r = rewrite(failing, "s@sender.test", "a@relay.test");
        assertThat(r.refusal().oneLine()).isEqualTo("451 4.3.0 Error: queue file write error");
        assertThat(r.warnings().get(0)).startsWith("3F2A61C0A1B: virtual_alias_maps map lookup problem for a@relay.test"
                + " -- message not accepted, try again later");
        // an entry without any address counts as a lookup problem, as in Postfix
        assertThat(rewrite(rw, "s@sender.test", "empty@relay.test").refusal().oneLine())
                .isEqualTo("451 4.3.0 Error: queue file write error");
    }

    @Test
    void patternTablesSeeTheFullAddressOnly() throws Exception {
        fx.file("virtual.re", "/^(.*)\\+(.*)@pat\\.test$/ $1-$2@relay.test", "/^pat$/ never@relay.test");
        AddressRewriting re = fx.load("virtual_alias_maps = regexp:virtual.re\nmydestination = pat.test\n");
        assertThat(addresses(rewrite(re, "s@sender.test", "u+box@pat.test"))).containsExactly("u-box@relay.test");
        assertThat(addresses(rewrite(re, "s@sender.test", "pat@pat.test"))).containsExactly("pat@pat.test");
    }

    @Test
    void redirectReplacesAndBccAddsExpandedRecipients() {
        AddressRewriting.Result r = rw.apply(RewriteFixture.envelope("s@sender.test", "a@relay.test"), null,
                List.of("dup1@relay.test", "x@relay.test"));
        assertThat(r.envelope().recipients()).extracting(Recipient::address)
                .containsExactly("x@relay.test", "y@relay.test", "same@relay.test");
        assertThat(r.envelope().recipients().get(2).notifyOn()).containsExactly(Recipient.Notify.NEVER);
        AddressRewriting.Result redirected = rw.apply(RewriteFixture.envelope("s@sender.test", "a@relay.test"),
                "audit", List.of());
        assertThat(addresses(redirected)).containsExactly("audit@example.test");
    }
}
