package io.imagegen.common.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressRulesTest {
  /** Parses literals only (no DNS) and keeps IPv6 forms as IPv6, which InetAddress would fold to IPv4. */
  private static InetAddress ip(String literal) throws UnknownHostException {
    byte[] bytes = InetAddress.getByName(literal).getAddress();
    if (literal.startsWith("::ffff:")) {
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(bytes, 0, mapped, 12, 4);
      return Inet6Address.getByAddress(null, mapped, -1);
    }
    return InetAddress.getByAddress(bytes);
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(delimiter = '|', value = {
      "0.0.0.0         | \"this network\"",
      "0.255.255.255   | \"this network\"",
      "10.0.0.1        | private (10.0.0.0/8)",
      "100.64.0.1      | carrier-grade NAT",
      "100.127.255.255 | carrier-grade NAT",
      "127.0.0.1       | loopback",
      "127.255.255.254 | loopback",
      "169.254.169.254 | link-local (169.254.0.0/16, cloud metadata)",
      "172.16.0.1      | private (172.16.0.0/12)",
      "172.31.255.255  | private (172.16.0.0/12)",
      "192.0.0.170     | IETF protocol assignment",
      "192.168.1.1     | private (192.168.0.0/16)",
      "198.18.0.1      | benchmarking",
      "198.19.255.255  | benchmarking",
      "224.0.0.251     | multicast",
      "240.0.0.1       | reserved",
      "255.255.255.255 | broadcast",
      "::              | unspecified",
      "::1             | loopback (::1)",
      "::ffff:127.0.0.1 | IPv4-mapped loopback",
      "::ffff:169.254.169.254 | IPv4-mapped link-local",
      "::10.0.0.1      | IPv4-compatible private",
      "64:ff9b::7f00:1 | NAT64 loopback",
      "64:ff9b::a9fe:a9fe | NAT64 link-local",
      "64:ff9b:1::8.8.8.8 | local-use NAT64",
      "2002:a00:1::1   | 6to4 private",
      "2001:0:4136:e378:8000:63bf:80ff:fffe | Teredo loopback",
      "2001:db8::1     | documentation",
      "100::1          | discard-only",
      "fc00::1         | unique-local",
      "fd12:3456::1    | unique-local",
      "fe80::1         | link-local (fe80::/10)",
      "febf::1         | link-local (fe80::/10)",
      "fec0::1         | site-local",
      "ff02::1         | multicast"})
  void blockedAddressesSayWhichRangeTheyAreIn(String literal, String reason) throws UnknownHostException {
    assertThat(AddressRules.blockedReason(ip(literal))).startsWith(reason);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
      "126.255.255.255", "128.0.0.1", "169.253.255.255", "169.255.0.1", "172.15.255.255", "172.32.0.0",
      "192.0.1.1", "192.167.255.255", "192.169.0.1", "198.17.255.255", "198.20.0.1", "223.255.255.255",
      "2606:4700:4700::1111", "2001:4860:4860::8888", "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8",
      "fbff::1", "fe00::1"})
  void publicAddressesPass(String literal) throws UnknownHostException {
    assertThat(AddressRules.blockedReason(ip(literal))).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"2130706433", "0x7f.1", "0x7f000001", "0177.0.0.1", "127.1", "127.0.1", "0x7F.0.0.1",
      "127.0.0.01", "256.1.1.1", "1.2.3.4.5", "0", "0x", "127.0.0.1."})
  void numericHostsOutsideTheCanonicalDottedQuadAreAmbiguous(String host) {
    assertThat(AddressRules.isAmbiguousNumericHost(host)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "8.8.8.8", "0.0.0.0", "255.255.255.255", "example.com", "cafe.be",
      "1e100.net", "0x7f.example.com", "123.example", "images.0x.dev"})
  void dottedQuadsAndNamesAreNotAmbiguous(String host) {
    assertThat(AddressRules.isAmbiguousNumericHost(host)).isFalse();
  }
}
