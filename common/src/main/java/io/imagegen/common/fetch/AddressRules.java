package io.imagegen.common.fetch;

import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * Which addresses a server-side fetch may reach: only public unicast space. Everything that could land on our own
 * host, our VPC, cloud metadata or a peer's private network is refused, including IPv6 forms that embed such an
 * IPv4 address.
 */
final class AddressRules {
  /** Labels that are all decimal digits or 0x-hex: what inet_aton-style parsers read as an IPv4 number. */
  private static final Pattern NUMERIC_HOST =
      Pattern.compile("(?i)(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+))*\\.?");
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

  private AddressRules() {
  }

  /**
   * Whether {@code host} looks like a number but is not a canonical dotted quad (2130706433, 0x7f.1, 0177.0.0.1,
   * 127.1). Parsers disagree on these (Java reads 0177 as decimal, curl as octal), so they are refused outright.
   */
  static boolean isAmbiguousNumericHost(String host) {
    return NUMERIC_HOST.matcher(host).matches() && !DOTTED_QUAD.matcher(host).matches();
  }

  /** Whether {@code host} (without brackets) is an IP literal rather than a name. */
  static boolean isIpLiteral(String host) {
    return host.indexOf(':') >= 0 || DOTTED_QUAD.matcher(host).matches();
  }

  /** Why {@code address} must not be fetched (e.g. "loopback (127.0.0.0/8)"), or {@code null} if it is public. */
  static String blockedReason(InetAddress address) {
    byte[] b = address.getAddress();
    return b.length == 4 ? ipv4(b, 0) : ipv6(b);
  }

  private static String ipv4(byte[] b, int at) {
    int a = b[at] & 0xff;
    int c = b[at + 1] & 0xff;
    if (a == 0) {
      return "\"this network\" (0.0.0.0/8)";
    }
    if (a == 10) {
      return "private (10.0.0.0/8)";
    }
    if (a == 100 && (c & 0xc0) == 64) {
      return "carrier-grade NAT (100.64.0.0/10)";
    }
    if (a == 127) {
      return "loopback (127.0.0.0/8)";
    }
    if (a == 169 && c == 254) {
      return "link-local (169.254.0.0/16, cloud metadata)";
    }
    if (a == 172 && (c & 0xf0) == 16) {
      return "private (172.16.0.0/12)";
    }
    if (a == 192 && c == 0 && (b[at + 2] & 0xff) == 0) {
      return "IETF protocol assignment (192.0.0.0/24)";
    }
    if (a == 192 && c == 168) {
      return "private (192.168.0.0/16)";
    }
    if (a == 198 && (c & 0xfe) == 18) {
      return "benchmarking (198.18.0.0/15)";
    }
    if (a >= 224 && a < 240) {
      return "multicast (224.0.0.0/4)";
    }
    if (a >= 240) {
      return (b[at] & b[at + 1] & b[at + 2] & b[at + 3]) == -1
          ? "broadcast (255.255.255.255)" : "reserved (240.0.0.0/4)";
    }
    return null;
  }

  private static String ipv6(byte[] b) {
    if (zero(b, 0, 15)) {
      int last = b[15] & 0xff;
      if (last == 0) {
        return "unspecified (::)";
      }
      if (last == 1) {
        return "loopback (::1)";
      }
    }
    if (zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      return embedded("IPv4-mapped", b, 12);
    }
    if (zero(b, 0, 12)) {
      return embedded("IPv4-compatible", b, 12);
    }
    int first = (b[0] & 0xff) << 8 | (b[1] & 0xff);
    int second = (b[2] & 0xff) << 8 | (b[3] & 0xff);
    if (first == 0x64 && second == 0xff9b && zero(b, 4, 12)) {
      return embedded("NAT64", b, 12);
    }
    if (first == 0x64 && second == 0xff9b && b[4] == 0 && b[5] == 1) {
      // The local-use NAT64 prefix may translate to any IPv4 space an operator chooses: never public by design.
      return "local-use NAT64 (64:ff9b:1::/48)";
    }
    if (first == 0x2002) {
      return embedded("6to4", b, 2);
    }
    if (first == 0x2001 && second == 0) {
      // Teredo stores the client's IPv4 address bit-inverted in the last four bytes.
      byte[] client = {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]};
      return embedded("Teredo", client, 0);
    }
    if (first == 0x2001 && second == 0x0db8) {
      return "documentation (2001:db8::/32)";
    }
    if (first == 0x0100 && zero(b, 2, 8)) {
      return "discard-only (100::/64)";
    }
    if ((b[0] & 0xfe) == 0xfc) {
      return "unique-local (fc00::/7)";
    }
    if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
      return "link-local (fe80::/10)";
    }
    if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
      return "site-local (fec0::/10)";
    }
    if ((b[0] & 0xff) == 0xff) {
      return "multicast (ff00::/8)";
    }
    return null;
  }

  private static String embedded(String form, byte[] b, int at) {
    String inner = ipv4(b, at);
    return inner == null ? null : form + " " + inner;
  }

  /** Whether bytes {@code [from, to)} are all zero. */
  private static boolean zero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
