package io.imagegen.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.imagegen.api.images.ImageService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a key or an address may spend at the edge: reads by their storage cost, failed keys per address. */
class ApiEdgeRateLimitsTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private EdgeServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> get(String path, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void wrongKeysFromOneAddressAreThrottledAfterTheLimitEvenWhenTheRightKeyFollows() throws Exception {
    server = new EdgeServer(EdgeServer.limits(Map.of("IMAGEGEN_AUTH_FAILURE_LIMIT", "20",
        "IMAGEGEN_AUTH_FAILURE_WINDOW", "10m")), 200, 400, null);
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> last = null;
    for (int i = 0; i < 300; i++) {
      last = get("/v1/models", "sk-wrong-" + i);
      statuses.add(last.statusCode());
    }
    assertThat(statuses.subList(0, 20)).containsOnly(401);
    assertThat(statuses.subList(20, 300)).containsOnly(429);
    assertThat(last.headers().firstValue("Retry-After")).hasValueSatisfying(
        seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
    assertThat(last.body()).contains("\"code\":\"rate_limit_exceeded\"");
    // While throttled a hit looks like a miss, so guessing gains nothing.
    assertThat(get("/v1/models", EdgeServer.KEY).statusCode()).isEqualTo(429);
    // Endpoints without a key are not affected.
    assertThat(get("/health", "").statusCode()).isEqualTo(200);
  }

  @Test
  void behindTrustedProxiesFailuresAreCountedPerForwardedAddress() throws Exception {
    server = new EdgeServer(EdgeServer.limits(Map.of("IMAGEGEN_AUTH_FAILURE_LIMIT", "3",
        "IMAGEGEN_AUTH_FAILURE_WINDOW", "10m", "IMAGEGEN_HTTP_TRUSTED_PROXY_HOPS", "1")), 200, 400, null);
    for (int i = 0; i < 4; i++) {
      // The leftmost entry is the client's own claim and changes every time; the proxy's entry does not.
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.port() + "/v1/models"))
          .header("Authorization", "Bearer wrong")
          .header("X-Forwarded-For", "10.0.0." + i + ", 203.0.113.7").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(i < 3 ? 401 : 429);
    }
    HttpResponse<String> other = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/v1/models"))
        .header("Authorization", "Bearer " + EdgeServer.KEY)
        .header("X-Forwarded-For", "203.0.113.8").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(200);
  }

  @Test
  void aListingIsChargedOneReadTokenPerImageItMayRead() throws Exception {
    ImageService images = mock(ImageService.class);
    when(images.list(any(), any(), anyInt())).thenReturn(Future.succeededFuture(
        new JsonObject().put("object", "list").put("data", new JsonArray()).put("has_more", false)));
    // 400 tokens refilling at 1 per second: three full pages (101 tokens each) fit in the burst, a fourth not.
    server = new EdgeServer(EdgeServer.limits(Map.of()), 1, 400, images);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      statuses.add(get("/v1/images?limit=100", EdgeServer.KEY).statusCode());
    }
    assertThat(statuses.subList(0, 3)).containsOnly(200);
    assertThat(statuses.get(3)).isEqualTo(429);
  }
}
