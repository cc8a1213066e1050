package io.imagegen.common.fetch;

import static io.imagegen.common.fetch.FetchTestSupport.PNG;
import static io.imagegen.common.fetch.FetchTestSupport.PUBLIC_LOCAL;
import static io.imagegen.common.fetch.FetchTestSupport.await;
import static io.imagegen.common.fetch.FetchTestSupport.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTPS through the vetted address: SNI and certificate checks must still use the host name from the URL. */
class SafeFetcherTlsTest {
  // Generating a key pair is slow, so the whole class shares one.
  private static SelfSignedCertificate certificate;
  private final List<String> serverNames = new CopyOnWriteArrayList<>();
  private FetchTestSupport support;

  @BeforeAll
  static void createCertificate() {
    certificate = SelfSignedCertificate.create("public.test");
  }

  @AfterAll
  static void deleteCertificate() {
    certificate.delete();
  }

  @BeforeEach
  void start() {
    support = new FetchTestSupport(new HttpServerOptions()
        .setSsl(true)
        .setSni(true)
        .setKeyCertOptions(certificate.keyCertOptions()));
  }

  @AfterEach
  void stop() {
    support.close();
  }

  private SafeFetcher fetcher(Map<String, List<InetAddress>> dns) {
    // A TLS handshake's first run (key generation, JIT) can take seconds on a loaded two-core machine; the connect
    // timeout is not what these tests are about, so it is generous here.
    FetchPolicy policy = new FetchPolicy(1000, Set.of("image/png"), Duration.ofSeconds(20), Duration.ofSeconds(30), 3,
        false);
    return support.fetcher(policy, host -> Future.succeededFuture(dns.get(host)),
        new HttpClientOptions().setTrustOptions(certificate.trustOptions()));
  }

  @Test
  void httpsToTheVettedAddressPresentsAndVerifiesTheOriginalHostName() {
    support.route("/image.png", request -> {
      serverNames.add(String.valueOf(request.connection().indicatedServerName()));
      request.response().putHeader("Content-Type", "image/png").end(io.vertx.core.buffer.Buffer.buffer(PNG));
    });

    SafeFetcher.Fetched fetched = await(fetcher(Map.of("public.test", List.of(PUBLIC_LOCAL)))
        .get("https://public.test:" + support.port() + "/image.png"));

    assertThat(fetched.body().getBytes()).isEqualTo(PNG);
    assertThat(serverNames).containsExactly("public.test");
  }

  @Test
  void aCertificateForAnotherNameIsRejectedAsANonRetryableFailure() {
    // Same vetted address, but the URL names other.test, which the server's certificate does not cover.
    Throwable failed = failure(fetcher(Map.of("other.test", List.of(PUBLIC_LOCAL)))
        .get("https://other.test:" + support.port() + "/image.png"));

    assertThat(failed).isInstanceOf(UpstreamException.class).hasMessageStartingWith("TLS with other.test failed");
    assertThat(((UpstreamException) failed).retryable()).isFalse();
    assertThat(support.hits).isEmpty();
  }
}
