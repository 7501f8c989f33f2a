// AccessLookupTest: the access(5) search order, recorded key by key as smtpd_check.c builds it (extensions,
// both parent-domain styles, IPv4/IPv6 prefixes, null sender, pattern tables seeing whole strings only),
// and real lookups where the first key found (DUNNO too) decides.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postern.core.Origin;
import org.postern.policies.conf.Config;

class AccessLookupTest {
    @TempDir
    Path dir;

    /** Records every key it is asked for and finds none. */
    private static final class Recorder implements LookupTable {
        final List<String> keys = new ArrayList<>();
        final boolean pattern;

        Recorder(boolean pattern) {
            this.pattern = pattern;
        }

        @Override
        public String spec() {
            return "recorder:";
        }

        @Override
        public Optional<TableEntry> find(String key) {
            keys.add(key);
            return Optional.empty();
        }

        @Override
        public boolean isPattern() {
            return pattern;
        }
    }

    private static AccessLookup.Options options(boolean parent, String delimiters) {
        return new AccessLookup.Options(parent, delimiters, true, "double-bounce", "<>");
    }

    @ParameterizedTest(name = "{0} parent={1} delim={2} pattern={3}")
    @CsvSource(delimiter = ';', emptyValue = "", textBlock = """
            user+foo@sub.example.com ; true  ; + ; false ; user+foo@sub.example.com user@sub.example.com sub.example.com example.com com user+foo@ user@
            user+foo@sub.example.com ; false ; + ; false ; user+foo@sub.example.com user@sub.example.com sub.example.com .example.com .com user+foo@ user@
            user+foo@sub.example.com ; true  ; '' ; false ; user+foo@sub.example.com sub.example.com example.com com user+foo@
            user+foo@sub.example.com ; true  ; + ; true  ; user+foo@sub.example.com
            user@[1.2.3.4]           ; true  ; '' ; false ; user@[1.2.3.4] [1.2.3.4] 2.3.4] 3.4] 4] user@
            joe-ext@x.org            ; true  ; -+ ; false ; joe-ext@x.org joe@x.org x.org org joe-ext@ joe@
            joe+a-b@x.org            ; true  ; -+ ; false ; joe+a-b@x.org joe@x.org x.org org joe+a-b@ joe@
            MAILER-DAEMON@x.org      ; true  ; - ; false ; MAILER-DAEMON@x.org x.org org MAILER-DAEMON@
            double-bounce@x.org      ; true  ; - ; false ; double-bounce@x.org x.org org double-bounce@
            owner-list@x.org         ; true  ; - ; false ; owner-list@x.org x.org org owner-list@
            list-request@x.org       ; true  ; - ; false ; list-request@x.org x.org org list-request@
            +foo@x.org               ; true  ; + ; false ; +foo@x.org x.org org +foo@
            a@b@x.org                ; true  ; '' ; false ; a@b@x.org x.org org a@b@
            nodomain                 ; true  ; '' ; false ;
            """)
    void mailAddressSearchOrder(String address, boolean parent, String delimiters, boolean pattern, String keys)
            throws Exception {
        Recorder r = new Recorder(pattern);
        new AccessLookup(r, options(parent, delimiters)).mailAddress(address);
        assertThat(r.keys).containsExactlyElementsOf(split(keys));
    }

    @Test
    void nullSenderUsesTheNullAccessKey() throws Exception {
        Recorder r = new Recorder(true);
        new AccessLookup(r, new AccessLookup.Options(true, "+", true, "double-bounce", "<null>")).mailAddress("");
        assertThat(r.keys).containsExactly("<null>");
    }

    @Test
    void ownerRequestSpecialOffSplitsOwnerAddresses() throws Exception {
        assertThat(AddressExtension.strip("owner-list@x", "-", false, "double-bounce")).contains("owner@x");
        assertThat(AddressExtension.strip("owner-list@x", "-", true, "double-bounce")).isEmpty();
        assertThat(AddressExtension.strip("owner-list@x", "+", true, "double-bounce")).isEmpty();
        assertThat(AddressExtension.strip("user+a+b", "+", true, "double-bounce")).contains("user");
        assertThat(AddressExtension.strip("user+@x", "+", true, "double-bounce")).contains("user@x");
        assertThat(AddressExtension.strip("postmaster@x", "", true, "double-bounce")).isEmpty();
    }

    @ParameterizedTest(name = "{0} parent={1}")
    @CsvSource(delimiter = ';', textBlock = """
            a.b.example.com ; true  ; a.b.example.com b.example.com example.com com
            a.b.example.com ; false ; a.b.example.com .b.example.com .example.com .com
            example.com.    ; true  ; example.com. com.
            example.com.    ; false ; example.com. .com. .
            a..b            ; true  ; a..b .b
            .example.com    ; true  ; .example.com com
            localhost       ; true  ; localhost
            1.2.3.4         ; true  ; 1.2.3.4
            2001:db8::1     ; false ; 2001:db8::1
            """)
    void domainSearchOrder(String domain, boolean parent, String keys) throws Exception {
        Recorder r = new Recorder(false);
        new AccessLookup(r, options(parent, "")).domain(domain);
        assertThat(r.keys).containsExactlyElementsOf(split(keys));
        Recorder p = new Recorder(true);
        new AccessLookup(p, options(parent, "")).domain(domain);
        assertThat(p.keys).containsExactly(domain);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', textBlock = """
            1.2.3.4                ; 1.2.3.4 1.2.3 1.2 1
            2001:DB8:0:0:0:0:0:1   ; 2001:db8::1 2001:db8: 2001:db8 2001
            2001:db8:1:2:3:4:5:6   ; 2001:db8:1:2:3:4:5:6 2001:db8:1:2:3:4:5 2001:db8:1:2:3:4 2001:db8:1:2:3 2001:db8:1:2 2001:db8:1 2001:db8 2001
            fe80::1:0:0:1          ; fe80::1:0:0:1 fe80::1:0:0 fe80::1:0 fe80::1 fe80: fe80
            ::ffff:1.2.3.4         ; 1.2.3.4 1.2.3 1.2 1
            ::1                    ; ::1 :
            not-an-address         ; not-an-address
            """)
    void clientAddressSearchOrder(String address, String keys) throws Exception {
        Recorder r = new Recorder(false);
        new AccessLookup(r, AccessLookup.Options.defaults()).clientAddress(address);
        assertThat(r.keys).containsExactlyElementsOf(split(keys));
        Recorder p = new Recorder(true);
        new AccessLookup(p, AccessLookup.Options.defaults()).clientAddress(address);
        assertThat(p.keys).containsExactly(split(keys).get(0));
    }

    @Test
    void clientNameThenAddress() throws Exception {
        Recorder r = new Recorder(false);
        new AccessLookup(r, AccessLookup.Options.defaults()).client("mail.example.com", "1.2.3.4");
        assertThat(r.keys).containsExactly("mail.example.com", "example.com", "com", "1.2.3.4", "1.2.3", "1.2", "1");
    }

    @Test
    void firstKeyFoundDecidesAndDunnoStopsTheSearch() throws Exception {
        TableFixtures.write(dir, "access", """
                sub.example.com     DUNNO
                example.com         REJECT
                user@               OK
                1.2.3               REJECT net
                1.2.3.4             DUNNO
                2001:db8:           REJECT v6 net
                """);
        AccessLookup a = new AccessLookup(TableFixtures.open(dir, "hash:access"), AccessLookup.Options.defaults());
        AccessLookup.Match m = a.mailAddress("x@a.sub.example.com").orElseThrow();
        assertThat(m.key()).isEqualTo("sub.example.com");
        assertThat(m.entry().value()).isEqualTo("DUNNO");
        assertThat(m.entry().origin()).isEqualTo(new Origin(dir.resolve("access").toString(), 1));
        assertThat(a.mailAddress("x@other.example.com").orElseThrow().key()).isEqualTo("example.com");
        assertThat(a.mailAddress("USER@elsewhere.org").orElseThrow().key()).isEqualTo("USER@");
        assertThat(a.clientAddress("1.2.3.4").orElseThrow().entry().value()).isEqualTo("DUNNO");
        assertThat(a.clientAddress("1.2.3.5").orElseThrow().key()).isEqualTo("1.2.3");
        assertThat(a.clientAddress("2001:db8::5").orElseThrow().entry().value()).isEqualTo("REJECT v6 net");
        assertThat(a.domain("example.org")).isEmpty();
    }

    @Test
    void patternTablesMatchTheWholeString() throws Exception {
        AccessLookup a = new AccessLookup(TableFixtures.open(dir, "regexp:{ {/^example\\.com$/ whole}, {/^user@/ local} }"),
                AccessLookup.Options.defaults());
        assertThat(a.mailAddress("x@example.com")).isEmpty();
        assertThat(a.mailAddress("user@example.org").orElseThrow().key()).isEqualTo("user@example.org");
        assertThat(a.domain("example.com").orElseThrow().entry().value()).isEqualTo("whole");
        assertThat(a.domain("sub.example.com")).isEmpty();
    }

    @Test
    void lookupErrorsReachTheCaller() throws Exception {
        AccessLookup a = new AccessLookup(TableFixtures.open(dir, "fail:down"), AccessLookup.Options.defaults());
        assertThatThrownBy(() -> a.mailAddress("x@y")).isInstanceOf(TableLookupException.class);
        assertThatThrownBy(() -> a.clientAddress("1.2.3.4")).isInstanceOf(TableLookupException.class);
    }

    @Test
    void optionsFromConfiguration() throws Exception {
        Config defaults = Config.defaults(dir);
        assertThat(AccessLookup.Options.from(defaults)).isEqualTo(AccessLookup.Options.defaults());
        Config changed = defaults.withOverrides(Map.of("parent_domain_matches_subdomains", "relay_domains",
                "recipient_delimiter", "+-", "owner_request_special", "no", "double_bounce_sender", "bounce-bounce",
                "smtpd_null_access_lookup_key", "<null>"));
        assertThat(AccessLookup.Options.from(changed))
                .isEqualTo(new AccessLookup.Options(false, "+-", false, "bounce-bounce", "<null>"));
    }

    private static List<String> split(String keys) {
        return keys == null || keys.isBlank() ? List.of() : List.of(keys.trim().split("\\s+"));
    }
}
