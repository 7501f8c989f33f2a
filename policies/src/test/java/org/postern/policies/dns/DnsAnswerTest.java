// DnsAnswerTest: the answer value type -- its invariants, record helpers (addresses, MX by
// preference, null MX, TXT joining, targets) and the A+AAAA combination rules.
package org.postern.policies.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class DnsAnswerTest {
    private static Name n(String s) throws Exception {
        return Name.fromString(s, Name.root);
    }

    @Test
    void foundNeedsRecordsAndOthersNone() throws Exception {
        assertThatThrownBy(() -> DnsAnswer.found("x.example", Type.A, List.of(), 1)).isInstanceOf(IllegalArgumentException.class);
        ARecord a = new ARecord(n("x.example"), DClass.IN, 5, InetAddress.getByName("192.0.2.1"));
        assertThatThrownBy(() -> new DnsAnswer(DnsAnswer.Status.NXDOMAIN, "x.example", Type.A, List.of(a), 5, ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DnsAnswer.nxdomain("x.example", Type.A, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void helpers() throws Exception {
        DnsAnswer mx = DnsAnswer.found("example.org", Type.MX, List.of(
                new MXRecord(n("example.org"), DClass.IN, 300, 20, n("Backup.Example.org")),
                new MXRecord(n("example.org"), DClass.IN, 300, 10, n("mx.example.org"))), 300);
        assertThat(mx.mxHosts()).containsExactly(new DnsAnswer.MxHost(10, "mx.example.org"),
                new DnsAnswer.MxHost(20, "backup.example.org"));
        assertThat(mx.isNullMx()).isFalse();
        assertThat(mx.targets()).containsExactly("backup.example.org", "mx.example.org");
        assertThat(mx).hasToString("example.org/MX FOUND ttl=300 [20 Backup.Example.org., 10 mx.example.org.]");

        DnsAnswer nullMx = DnsAnswer.found("example.net", Type.MX,
                List.of(new MXRecord(n("example.net"), DClass.IN, 300, 0, Name.root)), 300);
        assertThat(nullMx.isNullMx()).isTrue();

        DnsAnswer txt = DnsAnswer.found("example.org", Type.TXT, List.of(
                new TXTRecord(n("example.org"), DClass.IN, 300, List.of("v=spf1 ", "-all")),
                new TXTRecord(n("example.org"), DClass.IN, 300, "second")), 300);
        assertThat(txt.texts()).containsExactly("v=spf1 -all", "second");

        DnsAnswer ptr = DnsAnswer.found("1.2.0.192.in-addr.arpa", Type.PTR,
                List.of(new PTRRecord(n("1.2.0.192.in-addr.arpa"), DClass.IN, 300, n("Host.Example.org"))), 300);
        assertThat(ptr.targets()).containsExactly("host.example.org");
    }

    @Test
    void combineAddresses() throws Exception {
        DnsAnswer a = DnsAnswer.found("h.example", Type.A,
                List.of(new ARecord(n("h.example"), DClass.IN, 300, InetAddress.getByName("192.0.2.1"))), 300);
        DnsAnswer aaaa = DnsAnswer.found("h.example", Type.AAAA,
                List.of(new AAAARecord(n("h.example"), DClass.IN, 60, InetAddress.getByName("2001:db8::1"))), 60);
        DnsAnswer nodata = DnsAnswer.nodata("h.example", Type.AAAA, 30);
        DnsAnswer nx = DnsAnswer.nxdomain("h.example", Type.AAAA, 30);
        DnsAnswer fail = DnsAnswer.tempfail("h.example", Type.AAAA, "timeout");

        DnsAnswer both = DnsAnswer.combine(a, aaaa);
        assertThat(both.status()).isEqualTo(DnsAnswer.Status.FOUND);
        assertThat(both.addresses()).containsExactly(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("2001:db8::1"));
        assertThat(both.ttl()).isEqualTo(60);
        assertThat(DnsAnswer.combine(a, fail).status()).isEqualTo(DnsAnswer.Status.FOUND);
        assertThat(DnsAnswer.combine(a, fail).ttl()).isEqualTo(300);
        assertThat(DnsAnswer.combine(nodata, fail).status()).isEqualTo(DnsAnswer.Status.TEMPFAIL);
        assertThat(DnsAnswer.combine(nx, nodata).status()).isEqualTo(DnsAnswer.Status.NXDOMAIN);
        assertThat(DnsAnswer.combine(nodata, nodata).status()).isEqualTo(DnsAnswer.Status.NODATA);
        assertThat(DnsAnswer.combine(nodata, nodata).type()).isEqualTo(Type.ANY);
    }
}
