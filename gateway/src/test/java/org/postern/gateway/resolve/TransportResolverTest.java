// TransportResolverTest: trivial-rewrite's resolve against real main.cf and table files in a temp dir --
// address classes (mydestination, [address] literals, virtual_alias_domains, relay_domains, default),
// relayhost, transport_maps search order and empty halves, error:/retry:/discard:, FILTER, the TLS and
// SASL tables, configuration errors naming file:line, and deferral for what routing cannot use.
package org.postern.gateway.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.core.SmtpReply;
import org.postern.gateway.qmgr.Router.Route;
import org.postern.gateway.smtp.Destination;
import org.postern.gateway.smtp.Destination.TlsPolicy;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.table.Tables;

class TransportResolverTest {
    private static final Envelope ENV = new Envelope(new QueueId("3F2A61C0A1B"), Instant.EPOCH,
            new ClientInfo("c.test", "192.0.2.7", 5000, "c.test", "ESMTP", null, null, null, null), "a@sender.test",
            List.of(Recipient.of("r@x.test")), -1, Envelope.BodyType.SEVEN_BIT, false, null, null);

    @TempDir
    Path dir;

    /** A resolver from main.cf lines (after myhostname = gw.example.test) and files given as name, content pairs. */
    private TransportResolver resolver(String mainCf, String... files) throws Exception {
        Files.writeString(dir.resolve("main.cf"), "myhostname = gw.example.test\n" + mainCf);
        Files.writeString(dir.resolve("master.cf"), "");
        for (int i = 0; i < files.length; i += 2) Files.writeString(dir.resolve(files[i]), files[i + 1]);
        return TransportResolver.from(Config.load(dir), new Tables(dir));
    }

    private static Route to(Destination d) {
        return Route.to(d);
    }

    private static SmtpReply reply(Route r) {
        assertThat(r.isDecided()).as("decided: " + r).isTrue();
        return r.reply();
    }

    @Test
    void addressClasses() throws Exception {
        TransportResolver r = resolver("relay_domains = example.com\nrelay_transport = relay:[inbound.example.com]\n"
                + "virtual_alias_domains = alias.test\n");
        SmtpReply local = reply(r.route("u@gw.example.test", ENV));
        assertThat(local).isEqualTo(SmtpReply.of(550, "5.1.1", "local mail delivery is disabled on this gateway"));
        assertThat(reply(r.route("u@localhost", ENV))).isEqualTo(local);
        assertThat(reply(r.route("u@GW.Example.TEST.", ENV))).isEqualTo(local);
        assertThat(reply(r.route("u@[127.0.0.1]", ENV))).as("an address of this machine").isEqualTo(local);
        assertThat(reply(r.route("u", ENV))).as("no domain: $myhostname").isEqualTo(local);
        assertThat(reply(r.route("u@alias.test", ENV))).isEqualTo(SmtpReply.of(550, "5.1.1", "User unknown in virtual alias table"));
        assertThat(r.route("u@example.com", ENV)).isEqualTo(to(Destination.smtp("inbound.example.com", 25)));
        assertThat(r.route("u@sub.example.com", ENV)).as("parent_domain_matches_subdomains has relay_domains")
                .isEqualTo(to(Destination.smtp("inbound.example.com", 25)));
        assertThat(r.route("u@other.test", ENV)).isEqualTo(to(Destination.smtpMx("other.test", 25)));
        assertThat(r.route("u@[192.0.2.9]", ENV)).isEqualTo(to(Destination.smtp("192.0.2.9", 25)));
        assertThat(r.route("u@[ipv6:2001:db8::9]", ENV)).isEqualTo(to(Destination.smtp("2001:db8::9", 25)));
    }

    @Test
    void virtualAliasDomainsFromTheAliasTablesAndNotOverriddenByTransportMaps() throws Exception {
        TransportResolver r = resolver("virtual_alias_maps = hash:virtual\ntransport_maps = hash:transport\n",
                "virtual", "alias2.test anything\nu@alias2.test v@elsewhere.test\n",
                "transport", "alias2.test smtp:[somewhere.test]\n");
        assertThat(reply(r.route("x@alias2.test", ENV)).dsn()).isEqualTo("5.1.1");
        assertThat(r.route("x@notalias.test", ENV)).isEqualTo(to(Destination.smtpMx("notalias.test", 25)));
    }

    @Test
    void relayhostForDefaultAndRelayClassesButNotLocal() throws Exception {
        TransportResolver r = resolver("relayhost = [relay.test]:587\nrelay_domains = example.com\n"
                + "local_transport = lmtp:unix:/run/dovecot/lmtp\n");
        assertThat(r.route("u@other.test", ENV)).isEqualTo(to(Destination.smtp("relay.test", 587)));
        assertThat(r.route("u@example.com", ENV)).isEqualTo(to(Destination.smtp("relay.test", 587)));
        assertThat(r.route("u@gw.example.test", ENV)).isEqualTo(to(Destination.lmtp(Path.of("/run/dovecot/lmtp"))));
        TransportResolver own = resolver("relayhost = [relay.test]:587\ndefault_transport = smtp:[outbound.test]:2525\n");
        assertThat(own.route("u@other.test", ENV)).as("a next hop in the transport parameter beats relayhost")
                .isEqualTo(to(Destination.smtp("outbound.test", 2525)));
        TransportResolver mx = resolver("relayhost = relay.test\n");
        assertThat(mx.route("u@other.test", ENV)).as("relayhost without [] is an MX lookup")
                .isEqualTo(to(Destination.smtpMx("relay.test", 25)));
    }

    @Test
    void transportMapsSearchOrder() throws Exception {
        TransportResolver r = resolver("recipient_delimiter = +\ntransport_maps = hash:transport\n", "transport",
                "u+ext@t.test lmtp:[full.test]:24\n"
                        + "u@t.test smtp:[stripped.test]\n"
                        + "t.test smtp:[domain.test]\n"
                        + ".t.test smtp:[parent.test]\n"
                        + "* smtp:[wild.test]\n");
        assertThat(r.route("u+ext@t.test", ENV)).isEqualTo(to(Destination.lmtp("full.test", 24)));
        assertThat(r.route("u+other@t.test", ENV)).isEqualTo(to(Destination.smtp("stripped.test", 25)));
        assertThat(r.route("u@t.test", ENV)).isEqualTo(to(Destination.smtp("stripped.test", 25)));
        assertThat(r.route("v@t.test", ENV)).isEqualTo(to(Destination.smtp("domain.test", 25)));
        assertThat(r.route("v@a.sub.t.test", ENV)).isEqualTo(to(Destination.smtp("parent.test", 25)));
        assertThat(r.route("v@x.test", ENV)).isEqualTo(to(Destination.smtp("wild.test", 25)));
        assertThat(r.route("v@gw.example.test", ENV)).as("transport_maps apply to the local class too")
                .isEqualTo(to(Destination.smtp("wild.test", 25)));
    }

    @Test
    void parentStyleAndPatternTablesAndTableOrder() throws Exception {
        TransportResolver dotted = resolver("transport_maps = hash:transport\n", "transport", "t.test smtp:[domain.test]\n");
        assertThat(dotted.route("v@sub.t.test", ENV)).as("example.com does not match subdomains by default")
                .isEqualTo(to(Destination.smtpMx("sub.t.test", 25)));
        TransportResolver parent = resolver("transport_maps = hash:transport\n"
                + "parent_domain_matches_subdomains = transport_maps\n", "transport", "t.test smtp:[domain.test]\n");
        assertThat(parent.route("v@sub.t.test", ENV)).isEqualTo(to(Destination.smtp("domain.test", 25)));

        TransportResolver re = resolver("transport_maps = regexp:transport.re\n", "transport.re",
                "/^v@/ smtp:[re-user.test]\n/^a\\.test$/ smtp:[re-domain.test]\n");
        assertThat(re.route("v@b.test", ENV)).isEqualTo(to(Destination.smtp("re-user.test", 25)));
        assertThat(re.route("u@a.test", ENV)).as("a pattern table never sees the bare domain")
                .isEqualTo(to(Destination.smtpMx("a.test", 25)));

        TransportResolver two = resolver("transport_maps = hash:t1, hash:t2\n",
                "t1", "t.test smtp:[t1.test]\n", "t2", "u@t.test smtp:[t2.test]\n");
        assertThat(two.route("u@t.test", ENV)).as("each key in every table before the next key")
                .isEqualTo(to(Destination.smtp("t2.test", 25)));
        assertThat(two.route("v@t.test", ENV)).isEqualTo(to(Destination.smtp("t1.test", 25)));

        TransportResolver inline = resolver("transport_maps = inline:{ i.test=lmtp:[mda.test] }\n");
        assertThat(inline.route("u@i.test", ENV)).isEqualTo(to(Destination.lmtp("mda.test", 24)));
    }

    @Test
    void emptyHalvesOfAnEntry() throws Exception {
        TransportResolver r = resolver("relayhost = [relay.test]\ntransport_maps = hash:transport\n", "transport",
                "keep.test :\n"
                        + "hop.test :[hop.test]:26\n"
                        + "reset.test smtp:\n"
                        + "lmtp.test lmtp\n"
                        + "err.test error:\n");
        assertThat(r.route("u@keep.test", ENV)).isEqualTo(to(Destination.smtp("relay.test", 25)));
        assertThat(r.route("u@hop.test", ENV)).isEqualTo(to(Destination.smtp("hop.test", 26)));
        assertThat(r.route("u@reset.test", ENV)).as("a transport alone resets the next hop to the domain")
                .isEqualTo(to(Destination.smtpMx("reset.test", 25)));
        assertThat(r.route("u@lmtp.test", ENV)).isEqualTo(to(Destination.lmtp("lmtp.test", 24)));
        assertThat(reply(r.route("u@err.test", ENV))).isEqualTo(SmtpReply.of(550, "5.0.0", "Address is undeliverable"));
    }

    @Test
    void specialTransports() throws Exception {
        TransportResolver r = resolver("transport_maps = hash:transport\n", "transport",
                "e1.test error:5.7.1 go away\n"
                        + "e2.test error:no mail here\n"
                        + "e3.test error:4.7.0 later\n"
                        + "r1.test retry:4.3.2 maintenance\n"
                        + "r2.test retry:5.1.1 wrong class\n"
                        + "r3.test retry:\n"
                        + "d1.test discard:spam trap\n"
                        + "d2.test discard:\n"
                        + "l1.test lmtp:unix:/run/dovecot/lmtp\n"
                        + "l2.test lmtp:[10.0.0.5]:2424\n"
                        + "l3.test lmtp:inet:mda.test\n"
                        + "s1.test smtp:mx.s1.test\n"
                        + "s2.test smtp:[10.0.0.6]:2525\n"
                        + "s3.test relay:\n"
                        + "u1.test local:\n"
                        + "u2.test smtp:[oops\n");
        assertThat(reply(r.route("u@e1.test", ENV))).isEqualTo(SmtpReply.of(550, "5.7.1", "go away"));
        assertThat(reply(r.route("u@e2.test", ENV))).isEqualTo(SmtpReply.of(550, "5.0.0", "no mail here"));
        assertThat(reply(r.route("u@e3.test", ENV))).isEqualTo(SmtpReply.of(450, "4.7.0", "later"));
        assertThat(reply(r.route("u@r1.test", ENV))).isEqualTo(SmtpReply.of(450, "4.3.2", "maintenance"));
        assertThat(reply(r.route("u@r2.test", ENV))).isEqualTo(SmtpReply.of(450, "4.1.1", "wrong class"));
        assertThat(reply(r.route("u@r3.test", ENV))).isEqualTo(SmtpReply.of(450, "4.0.0", "r3.test"));
        Route d1 = r.route("u@d1.test", ENV);
        assertThat(d1.isDiscard()).isTrue();
        assertThat(d1.reply()).isEqualTo(SmtpReply.of(250, "2.0.0", "spam trap"));
        assertThat(reply(r.route("u@d2.test", ENV))).isEqualTo(SmtpReply.of(250, "2.0.0", "d2.test"));
        assertThat(r.route("u@l1.test", ENV)).isEqualTo(to(Destination.lmtp(Path.of("/run/dovecot/lmtp"))));
        assertThat(r.route("u@l2.test", ENV)).isEqualTo(to(Destination.lmtp("10.0.0.5", 2424)));
        assertThat(r.route("u@l3.test", ENV)).isEqualTo(to(Destination.lmtp("mda.test", 24)));
        assertThat(r.route("u@s1.test", ENV)).isEqualTo(to(Destination.smtpMx("mx.s1.test", 25)));
        assertThat(r.route("u@s2.test", ENV)).isEqualTo(to(Destination.smtp("10.0.0.6", 2525)));
        assertThat(r.route("u@s3.test", ENV)).isEqualTo(to(Destination.smtpMx("s3.test", 25)));
        SmtpReply config = SmtpReply.of(451, "4.3.5", "mail system configuration error");
        assertThat(reply(r.route("u@u1.test", ENV))).as("unknown transport: nothing lost").isEqualTo(config);
        assertThat(reply(r.route("u@u2.test", ENV))).as("bad next hop").isEqualTo(config);
    }

    @Test
    void filterWinsOverEverything() throws Exception {
        TransportResolver r = resolver("transport_maps = hash:transport\nvirtual_alias_domains = alias.test\n",
                "transport", "* error:no\n");
        assertThat(r.route("u@x.test", ENV.withFilter("smtp:[127.0.0.1]:10025")))
                .isEqualTo(to(Destination.smtp("127.0.0.1", 10025)));
        assertThat(r.route("u@alias.test", ENV.withFilter("lmtp:unix:/run/filter")))
                .isEqualTo(to(Destination.lmtp(Path.of("/run/filter"))));
        assertThat(r.route("u@x.test", ENV.withFilter("smtp:"))).as("no next hop: $myhostname")
                .isEqualTo(to(Destination.smtpMx("gw.example.test", 25)));
        assertThat(r.route("u@x.test", ENV.withFilter("discard:filtered")).isDiscard()).isTrue();
        assertThat(reply(r.route("u@x.test", ENV.withFilter("pipe:x"))).dsn()).isEqualTo("4.3.5");
    }

    @Test
    void tlsPolicyTable() throws Exception {
        String policy = "[relay.test]:587 encrypt\nsecure.test verify match=.secure.test\ndane.test dane\n"
                + "odd.test fingerprint\n";
        TransportResolver relay = resolver("relayhost = [relay.test]:587\nsmtp_tls_policy_maps = hash:tls_policy\n",
                "tls_policy", policy);
        assertThat(relay.route("u@x.test", ENV).destination().tls()).isEqualTo(TlsPolicy.ENCRYPT);
        TransportResolver r = resolver("smtp_tls_security_level = may\nsmtp_tls_policy_maps = hash:tls_policy\n"
                + "transport_maps = hash:transport\n", "tls_policy", policy, "transport", "mda.test lmtp:[mda.test]\n");
        assertThat(r.route("u@secure.test", ENV).destination().tls()).isEqualTo(TlsPolicy.VERIFY);
        assertThat(r.route("u@dane.test", ENV).destination().tls()).isEqualTo(TlsPolicy.MAY);
        assertThat(r.route("u@other.test", ENV).destination().tls()).as("smtp_tls_security_level").isEqualTo(TlsPolicy.MAY);
        assertThat(r.route("u@mda.test", ENV).destination().tls()).as("not for lmtp").isEqualTo(TlsPolicy.NONE);
        assertThat(reply(r.route("u@odd.test", ENV)).dsn()).isEqualTo("4.3.5");
        assertThat(resolver("").route("u@other.test", ENV).destination().tls()).isEqualTo(TlsPolicy.NONE);
    }

    @Test
    void saslPasswordTable() throws Exception {
        String passwords = "[relay.test]:587 user1:pw:with:colons\nmail.isp.test user2:pw2\n[bad.test] nocolon\n";
        TransportResolver r = resolver("relayhost = [relay.test]:587\nsmtp_sasl_auth_enable = yes\n"
                + "smtp_sasl_password_maps = hash:sasl_passwd\n", "sasl_passwd", passwords);
        assertThat(r.route("u@x.test", ENV).destination().sasl())
                .isEqualTo(new Destination.SaslCredentials("user1", "pw:with:colons", false));
        TransportResolver byHost = resolver("relayhost = [mail.isp.test]:465\nsmtp_sasl_auth_enable = yes\n"
                + "smtp_sasl_password_maps = hash:sasl_passwd\nsmtp_sasl_security_options = noanonymous\n",
                "sasl_passwd", passwords);
        assertThat(byHost.route("u@x.test", ENV).destination().sasl())
                .isEqualTo(new Destination.SaslCredentials("user2", "pw2", true));
        TransportResolver off = resolver("relayhost = [relay.test]:587\nsmtp_sasl_password_maps = hash:sasl_passwd\n",
                "sasl_passwd", passwords);
        assertThat(off.route("u@x.test", ENV).destination().sasl()).as("smtp_sasl_auth_enable = no").isNull();
        TransportResolver bad = resolver("relayhost = [bad.test]\nsmtp_sasl_auth_enable = yes\n"
                + "smtp_sasl_password_maps = hash:sasl_passwd\n", "sasl_passwd", passwords);
        assertThat(reply(bad.route("u@x.test", ENV)).dsn()).isEqualTo("4.3.5");
    }

    @Test
    void specialRecipients() throws Exception {
        TransportResolver r = resolver("");
        assertThat(reply(r.route("", ENV))).isEqualTo(SmtpReply.of(550, "5.1.3", "null recipient address"));
        assertThat(reply(r.route("-oops@x.test", ENV))).isEqualTo(SmtpReply.of(550, "5.1.3", "bad address syntax"));
        Route db = r.route("double-bounce@gw.example.test", ENV);
        assertThat(db.isDiscard()).isTrue();
        assertThat(db.reply().text()).isEqualTo("undeliverable postmaster notification discarded");
    }

    @Test
    void aTableThatCannotAnswerDefers() throws Exception {
        TransportResolver r = resolver("transport_maps = fail:broken\n");
        assertThat(reply(r.route("u@x.test", ENV))).isEqualTo(SmtpReply.of(451, "4.3.0", "address resolver failure"));
    }

    @Test
    void configurationErrorsNameFileAndLine() throws Exception {
        assertThatThrownBy(() -> resolver("\ntransport_maps = hash:missing\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("main.cf:3").hasMessageContaining("missing");
        assertThatThrownBy(() -> resolver("transport_maps = regexp:bad.re\n", "bad.re", "/ok/ smtp:\n/(/ smtp:\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bad.re:2");
        assertThatThrownBy(() -> resolver("relayhost = [relay.test\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("main.cf:2").hasMessageContaining("relayhost");
        assertThatThrownBy(() -> resolver("\n\ndefault_transport = :x\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("main.cf:4").hasMessageContaining("null transport");
        assertThatThrownBy(() -> resolver("relayhost = a.test, b.test\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("one next hop only");
        assertThatThrownBy(() -> resolver("virtual_alias_domains = hash:nothere\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("main.cf:2");
    }

    @Test
    void dsnSplit() {
        assertThat(TransportResolver.reply("5.1.1 User unknown", "5.0.0", "x")).isEqualTo(SmtpReply.of(550, "5.1.1", "User unknown"));
        assertThat(TransportResolver.reply("5.1.1", "5.0.0", "empty")).isEqualTo(SmtpReply.of(550, "5.1.1", "empty"));
        assertThat(TransportResolver.reply("5.1.1x text", "5.0.0", "e")).isEqualTo(SmtpReply.of(550, "5.0.0", "5.1.1x text"));
        assertThat(TransportResolver.reply("", "2.0.0", "discarded")).isEqualTo(SmtpReply.of(250, "2.0.0", "discarded"));
    }

    @Test
    void checkNamesTransportMapsEntriesWithAnUnknownTransport_atTheirLine() throws Exception {
        resolver("transport_maps = hash:transport, inline:{ { b.test = smpt:[mx.b.test] } }\n",
                "transport", "# routes\na.test  smtp:[mx.a.test]\nc.test  frobnicate:[x]\nd.test  :[only.nexthop]\n"
                        + "e.test  error:5.1.1 gone\n");
        List<String> problems = TransportResolver.unknownTransports(Config.load(dir), new Tables(dir)).stream()
                .map(Object::toString).toList();
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith(dir.resolve("transport") + ":3: error: transport_maps: unknown mail transport \"frobnicate\"");
        assertThat(problems.get(1)).contains("unknown mail transport \"smpt\"");
    }
}
