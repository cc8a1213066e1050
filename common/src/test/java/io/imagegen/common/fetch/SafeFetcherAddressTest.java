package io.imagegen.common.fetch;

import static io.imagegen.common.fetch.FetchTestSupport.PUBLIC_LOCAL;
import static io.imagegen.common.fetch.FetchTestSupport.address;
import static io.imagegen.common.fetch.FetchTestSupport.await;
import static io.imagegen.common.fetch.FetchTestSupport.failure;
import static io.imagegen.common.fetch.FetchTestSupport.permissivePolicy;
import static io.imagegen.common.fetch.FetchTestSupport.strictPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagegen.common.errors.InvalidRequestException;
import io.vertx.core.Future;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which URLs and addresses {@link SafeFetcher} refuses before (or instead of) connecting. */
class SafeFetcherAddressTest {
  /** The one refusal of a host name, whatever it resolves to (or not). */
  private static final String NOT_PUBLIC =
      "could not be resolved to public internet addresses; only public internet addresses may be fetched";

  private final FetchTestSupport support = new FetchTestSupport();

  @AfterEach
  void stop() {
    support.close();
  }

  private InvalidRequestException refusal(Future<?> future) {
    Throwable failure = failure(future);
    assertThat(failure).isInstanceOf(InvalidRequestException.class);
    InvalidRequestException invalid = (InvalidRequestException) failure;
    assertThat(invalid.param()).isNull();
    assertThat(invalid.retryable()).isFalse();
    assertThat(support.hits).as("the server must never be reached").isEmpty();
    return invalid;
  }

  @Test
  void theLocalTestServerIsRefusedWhenPrivateNetworksAreNotAllowed() {
    support.servePng("/image.png");

    InvalidRequestException refused = refusal(support.fetcher(strictPolicy()).get(support.local("/image.png")));

    assertThat(refused.code()).isEqualTo("invalid_url");
    assertThat(refused).hasMessageContaining("127.0.0.1 is a loopback (127.0.0.0/8) address");
  }

  @Test
  void localhostIsRefusedByWhatItResolvesTo() {
    InvalidRequestException refused = refusal(support.fetcher(strictPolicy()).get(support.url("localhost", "/")));

    assertThat(refused).hasMessage("URL host localhost " + NOT_PUBLIC);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"169.254.169.254", "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "::1", "fe80::1",
      "fc00::1", "::ffff:127.0.0.1", "0.0.0.0", "198.18.0.1", "224.0.0.1", "255.255.255.255", "64:ff9b::a9fe:a9fe"})
  void aHostResolvingIntoABlockedRangeIsRefused(String ip) throws UnknownHostException {
    // Built from raw bytes so ::ffff:127.0.0.1 stays an Inet6Address instead of being folded to IPv4.
    byte[] bytes = InetAddress.getByName(ip).getAddress();
    InetAddress blocked = ip.startsWith("::ffff:")
        ? Inet6Address.getByAddress("evil.test", ipv4Mapped(bytes), -1) : address("evil.test", bytes);

    InvalidRequestException refused = refusal(support.fetcher(strictPolicy(), Map.of("evil.test", List.of(blocked)))
        .get(support.url("evil.test", "/image.png")));

    // The same words as for a name that does not exist, and no address: the refusal is no DNS oracle.
    assertThat(refused).hasMessage("URL host evil.test " + NOT_PUBLIC);
    assertThat(refused.getMessage()).doesNotContain(blocked.getHostAddress()).doesNotContain(ip);
  }

  @Test
  void oneBlockedAddressAmongPublicOnesIsEnoughToRefuse() {
    InetAddress metadata = address("mixed.test", new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254});

    InvalidRequestException refused = refusal(support.fetcher(strictPolicy(),
        Map.of("mixed.test", List.of(PUBLIC_LOCAL, metadata))).get(support.url("mixed.test", "/")));

    assertThat(refused).hasMessage("URL host mixed.test " + NOT_PUBLIC);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/",
      "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/", "http://10.1.2.3:8080/x"})
  void literalIpHostsGetTheSameChecks(String url) {
    InvalidRequestException refused = refusal(support.fetcher(strictPolicy()).get(url));

    assertThat(refused).hasMessageContaining(" is a ").hasMessageContaining("only public internet addresses");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://2130706433/", "http://0x7f.1/", "http://0x7f000001/", "http://0177.0.0.1/",
      "http://127.1/", "http://017700000001/", "http://0x7f.0x0.0x0.0x1/", "http://127.0.0.01/"})
  void numericHostsInNonStandardFormsAreRefusedEvenWhenPrivateNetworksAreAllowed(String url) {
    InvalidRequestException refused = refusal(support.fetcher(permissivePolicy(), Map.of()).get(url));

    assertThat(refused).hasMessageContaining("non-standard form");
    assertThat(support.resolved).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"file:///etc/passwd", "ftp://example.com/a.png", "gopher://example.com:70/_GET",
      "jar:file:/app.jar!/a.png", "data:image/png;base64,iVBORw0KGgo=", "javascript:alert(1)"})
  void onlyHttpAndHttpsSchemesAreAccepted(String url) {
    InvalidRequestException refused = refusal(support.fetcher(permissivePolicy(), Map.of()).get(url));

    assertThat(refused).hasMessageStartingWith("URL scheme must be http or https, got '");
    assertThat(support.resolved).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"//example.com/a.png", "example.com/a.png", "/a.png"})
  void relativeUrlsAreRefused(String url) {
    assertThat(refusal(support.fetcher(permissivePolicy(), Map.of()).get(url))).hasMessageContaining("absolute");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://user:pass@example.com/a.png", "http://user@example.com/", "http://example.com@127.0.0.1/",
      "https://:token@example.com/", "http://a@my_host.com/"})
  void credentialsInTheUrlAreRefused(String url) {
    InvalidRequestException refused = refusal(support.fetcher(permissivePolicy(), Map.of()).get(url));

    assertThat(refused).hasMessage("URL must not contain credentials (user:password@host)");
    assertThat(support.resolved).isEmpty();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"http:///a.png", "http:/a.png", "https://", "http://my_host.com/", "http://exa mple.com/", ""})
  void aUsableHostIsRequired(String url) {
    InvalidRequestException refused = refusal(support.fetcher(permissivePolicy(), Map.of()).get(url));

    assertThat(refused.getMessage()).containsAnyOf("host", "not valid", "must not be empty");
    assertThat(support.resolved).isEmpty();
  }

  @Test
  void anUnresolvableHostIsTheClientsMistake() {
    InvalidRequestException refused = refusal(support.fetcher(strictPolicy(), Map.of()).get("http://nx.test/a.png"));

    assertThat(refused).hasMessage("URL host nx.test " + NOT_PUBLIC);
  }

  @Test
  void theRequestGoesToTheVettedAddressWithTheOriginalHostHeader() {
    support.servePng("/image.png");
    // "public.test" exists only in the seam: had the client re-resolved the name itself, this could not connect.
    SafeFetcher fetcher = support.fetcher(strictPolicy(), Map.of("public.test", List.of(PUBLIC_LOCAL)));

    SafeFetcher.Fetched fetched = await(fetcher.get(support.url("public.test", "/image.png")));

    assertThat(fetched.finalUrl()).isEqualTo(support.url("public.test", "/image.png"));
    assertThat(support.hits).containsExactly(new FetchTestSupport.Hit("GET", "/image.png",
        "public.test:" + support.port()));
  }

  @Test
  void anIpv6LiteralKeepsItsBracketsInTheHostHeader() {
    support.servePng("/image.png");
    SafeFetcher fetcher = support.fetcher(strictPolicy(), Map.of("2001:db8::7", List.of(PUBLIC_LOCAL)));

    await(fetcher.get("http://[2001:db8::7]:" + support.port() + "/image.png"));

    assertThat(support.hits).extracting(FetchTestSupport.Hit::host).containsExactly("[2001:db8::7]:" + support.port());
  }

  @Test
  void theHostIsResolvedOnceSoALaterPrivateAnswerCannotRebindTheConnection() {
    support.servePng("/image.png");
    AtomicInteger lookups = new AtomicInteger();
    InetAddress metadata = address("public.test", new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254});
    SafeFetcher fetcher = support.fetcher(strictPolicy(), host -> Future.succeededFuture(
        List.of(lookups.getAndIncrement() == 0 ? PUBLIC_LOCAL : metadata)));

    SafeFetcher.Fetched fetched = await(fetcher.get(support.url("public.test", "/image.png")));

    assertThat(fetched.body().getBytes()).isEqualTo(FetchTestSupport.PNG);
    assertThat(support.resolved).containsExactly("public.test");
  }

  @Test
  void aRedirectFromAPublicHostToABlockedOneIsRefused() {
    support.route("/start", r -> r.response().setStatusCode(302)
        .putHeader("Location", support.url("internal.test", "/secret")).end());
    support.servePng("/secret");
    // Same loopback address, but only the public.test object is exempt: the second hop must be re-checked.
    SafeFetcher fetcher = support.fetcher(strictPolicy(), Map.of(
        "public.test", List.of(PUBLIC_LOCAL),
        "internal.test", List.of(address("internal.test", new byte[] {127, 0, 0, 1}))));

    Throwable refused = failure(fetcher.get(support.url("public.test", "/start")));

    assertThat(refused).isInstanceOf(InvalidRequestException.class)
        .hasMessage("URL host internal.test " + NOT_PUBLIC);
    assertThat(support.hits).extracting(FetchTestSupport.Hit::path).containsExactly("/start");
    assertThat(support.resolved).containsExactly("public.test", "internal.test");
  }

  @Test
  void aRedirectToAFileUrlIsRefused() {
    support.route("/start", r -> r.response().setStatusCode(301).putHeader("Location", "file:///etc/passwd").end());

    Throwable refused = failure(support.fetcher(strictPolicy(), Map.of("public.test", List.of(PUBLIC_LOCAL)))
        .get(support.url("public.test", "/start")));

    assertThat(refused).isInstanceOf(InvalidRequestException.class)
        .hasMessage("URL scheme must be http or https, got 'file'");
  }

  @Test
  void webhookPostsToBlockedAddressesAreRefusedToo() {
    InvalidRequestException refused = refusal(support.fetcher(strictPolicy())
        .post(support.local("/hook"), Map.of(), io.vertx.core.buffer.Buffer.buffer("{}")));

    assertThat(refused).hasMessageContaining("127.0.0.1 is a loopback");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"https://127.0.0.1/hook", "https://10.1.2.3/hook", "http://169.254.169.254/latest",
      "https://[::1]:8443/hook", "https://[::ffff:192.168.0.1]/", "https://0.0.0.0/"})
  void aPrecheckRefusesAnIpLiteralInABlockedRange(String url) {
    assertThatThrownBy(() -> SafeFetcher.precheck(url, false)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(" is a ").hasMessageEndingWith("only public internet addresses may be fetched");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ftp://example.com/hook", "https://user:pw@example.com/", "https://2130706433/", "hook"})
  void aPrecheckRefusesWhatNoFetchWouldAccept(String url) {
    assertThatThrownBy(() -> SafeFetcher.precheck(url, true)).isInstanceOf(InvalidRequestException.class)
        .hasFieldOrPropertyWithValue("code", "invalid_url");
  }

  @Test
  void aPrecheckLeavesNamesToTheFetchAndLoopbackLiteralsToTheDevelopmentFlag() {
    // localhost is refused by what it resolves to when a fetch happens; the precheck does no DNS.
    assertThatCode(() -> SafeFetcher.precheck("https://localhost/hook", false)).doesNotThrowAnyException();
    assertThatCode(() -> SafeFetcher.precheck("https://93.184.215.14/hook", false)).doesNotThrowAnyException();
    assertThatCode(() -> SafeFetcher.precheck("http://127.0.0.1:8080/hook", true)).doesNotThrowAnyException();
    assertThatCode(() -> SafeFetcher.precheck("http://127.9.9.9/hook", true)).doesNotThrowAnyException();
    assertThatCode(() -> SafeFetcher.precheck("http://[::1]:8080/hook", true)).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://169.254.169.254/latest/meta-data/", "http://10.0.0.8/hook", "http://192.168.1.1/",
      "http://172.16.0.1/", "http://[fd00::1]/", "http://[fe80::1]/", "http://0.0.0.0/", "http://100.64.0.1/"})
  void theDevelopmentFlagOpensLoopbackOnlySoAPrecheckStillRefusesEveryOtherRange(String url) {
    assertThatThrownBy(() -> SafeFetcher.precheck(url, true)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(" is a ").hasMessageEndingWith("only public internet addresses may be fetched");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"169.254.169.254", "10.0.0.1", "172.16.0.1", "192.168.1.1", "fd00::1", "fe80::1",
      "100.64.0.1"})
  void theDevelopmentFlagOpensLoopbackOnlySoANameResolvingElsewhereIsStillRefused(String ip)
      throws UnknownHostException {
    InetAddress blocked = address("dev.test", InetAddress.getByName(ip).getAddress());

    InvalidRequestException refused = refusal(support.fetcher(permissivePolicy(), Map.of("dev.test", List.of(blocked)))
        .get(support.url("dev.test", "/image.png")));

    assertThat(refused).hasMessage("URL host dev.test " + NOT_PUBLIC);
  }

  @Test
  void theDevelopmentFlagLetsANameResolvingToLoopbackThrough() {
    support.servePng("/image.png");
    InetAddress loopback = address("dev.test", new byte[] {127, 0, 0, 1});

    SafeFetcher.Fetched fetched = await(support.fetcher(permissivePolicy(), Map.of("dev.test", List.of(loopback)))
        .get(support.url("dev.test", "/image.png")));

    assertThat(fetched.body().getBytes()).isEqualTo(FetchTestSupport.PNG);
  }

  private static byte[] ipv4Mapped(byte[] v4) {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(v4, 0, mapped, 12, 4);
    return mapped;
  }
}
