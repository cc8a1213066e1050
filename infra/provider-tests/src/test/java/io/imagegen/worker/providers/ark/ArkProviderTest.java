package io.imagegen.worker.providers.ark;

import static io.imagegen.worker.providers.ProviderFixtures.bytesOf;
import static io.imagegen.worker.providers.ProviderFixtures.decode;
import static io.imagegen.worker.providers.ProviderFixtures.failure;
import static io.imagegen.worker.providers.ProviderFixtures.result;
import static io.imagegen.worker.providers.ark.ArkFixtures.generation;
import static io.imagegen.worker.providers.ark.ArkFixtures.model;
import static io.imagegen.worker.providers.ark.ArkFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.Usage;
import io.imagegen.fake.Behaviour;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.fake.RecordedRequest;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.VendorProviderTestBase;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ArkProvider against the fake upstream over real HTTP; edit inputs come from a Mockito stand-in for S3. */
class ArkProviderTest extends VendorProviderTestBase {
  private static ArkProvider ark;

  @BeforeAll
  static void startArk() {
    ark = provider(FakeUpstream.API_KEY);
  }

  private static ArkProvider provider(String key) {
    return new ArkProvider(context("ARK_API_KEY", key));
  }

  private static Future<Generation> generate(Task task) {
    return generate(ark, task, model(fake.baseUrl()));
  }

  @Test
  void sendsTheDocumentedRequestAndReturnsTheDecodedImage() {
    Generation generation = result(generate(generation("a lighthouse at dusk", Map.of("seed", 42L,
        "response_format", "url", "user", "u-1"))));

    RecordedRequest request = fake.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/api/v3/images/generations");
    assertThat(request.header("Authorization")).isEqualTo("Bearer fake-key");
    assertThat(request.header("Content-Type")).startsWith("application/json");
    JsonObject body = request.json();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("model", "prompt", "size", "seed", "watermark",
        "response_format");
    assertThat(body.getString("model")).isEqualTo("doubao-seedream-4-5-251128");
    assertThat(body.getString("prompt")).isEqualTo("a lighthouse at dusk");
    assertThat(body.getString("size")).isEqualTo("1024x1024");
    assertThat(body.getLong("seed")).isEqualTo(42L);
    assertThat(body.getBoolean("watermark")).isFalse();
    assertThat(body.getString("response_format")).isEqualTo("b64_json");

    assertThat(generation.images()).singleElement().satisfies(image -> {
      assertThat(image.contentType()).isEqualTo("image/png");
      assertThat(image.revisedPrompt()).isNull();
      assertThat(decode(bytesOf(image)).getWidth()).isEqualTo(1024);
      assertThat(decode(bytesOf(image)).getHeight()).isEqualTo(1024);
    });
    // The fake bills like Ark: pixels / 256 output tokens.
    assertThat(generation.usage()).isEqualTo(new Usage(1, 4096, null, 4096));
  }

  @Test
  void sendsWatermarkOnlyWhenTheClientAskedForIt() {
    result(generate(generation("a lighthouse", Map.of("watermark", true))));

    assertThat(onlyRequestBody().getBoolean("watermark")).isTrue();
  }

  @Test
  void asksForASetOfUpToNImagesWhenSequentialGenerationIsAuto() {
    Generation generation = result(generate(task("three panels of a comic", "1024x1024", 3, "generation",
        Map.of("sequential_image_generation", "auto"))));

    JsonObject body = onlyRequestBody();
    assertThat(body.getString("sequential_image_generation")).isEqualTo("auto");
    assertThat(body.getJsonObject("sequential_image_generation_options"))
        .isEqualTo(new JsonObject().put("max_images", 3));
    assertThat(generation.images()).hasSize(3).allSatisfy(image -> assertThat(image.contentType())
        .isEqualTo("image/png"));
    assertThat(generation.usage().generatedImages()).isEqualTo(3);
  }

  @Test
  void passesDisabledSequentialGenerationWithoutOptions() {
    result(generate(generation("one image", Map.of("sequential_image_generation", "disabled"))));

    JsonObject body = onlyRequestBody();
    assertThat(body.getString("sequential_image_generation")).isEqualTo("disabled");
    assertThat(body.containsKey("sequential_image_generation_options")).isFalse();
  }

  @Test
  void rehostsImagesAnsweredAsUrls() {
    // The fake honours response_format, which we always set to b64_json; a stub plays an Ark that answers URLs anyway.
    HttpServer stub = result(vertx.createHttpServer().requestHandler(req -> {
      if (req.method() == HttpMethod.POST) {
        req.body().onSuccess(ignored -> req.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject()
                .put("data", new JsonArray().add(new JsonObject()
                    .put("url", "http://127.0.0.1:" + req.localAddress().port() + "/result.jpeg")
                    .put("size", "48x32")))
                .put("usage", new JsonObject().put("generated_images", 1).put("output_tokens", 6)
                    .put("total_tokens", 6))
                .encode()));
      } else {
        req.response().putHeader("Content-Type", "image/jpeg").end(Buffer.buffer(JPEG));
      }
    }).listen(0, "127.0.0.1"));
    try {
      Generation generation = result(generate(ark, generation("a fox", Map.of()),
          model("http://127.0.0.1:" + stub.actualPort())));

      assertThat(generation.images()).singleElement().satisfies(image -> {
        assertThat(bytesOf(image)).isEqualTo(JPEG);
        assertThat(image.contentType()).isEqualTo("image/jpeg");
      });
      assertThat(generation.usage()).isEqualTo(new Usage(1, 6, null, 6));
    } finally {
      stub.close();
    }
  }

  @Test
  void sendsOneInputImageAsADataUrlForAnEdit() {
    result(generate(task("make it night", "1024x1024", 1, "edit", Map.of("image_keys", List.of("inputs/one.png")))));

    assertThat(onlyRequestBody().getValue("image"))
        .isEqualTo("data:image/png;base64," + Base64.getEncoder().encodeToString(PNG));
  }

  @Test
  void sendsSeveralInputImagesAsAnArrayLabelledWithTheirOwnFormats() {
    result(generate(task("merge these", "1024x1024", 1, "edit",
        Map.of("image_keys", List.of("inputs/one.png", "inputs/two.jpg")))));

    assertThat(onlyRequestBody().getJsonArray("image")).containsExactly(
        "data:image/png;base64," + Base64.getEncoder().encodeToString(PNG),
        "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(JPEG));
  }

  @Test
  void spoolsLargeImagesToDiskWhole() {
    fake.behave(Behaviour.normal().withImageBytes(3_000_000));

    Generation generation = result(generate(generation("a detailed map", Map.of())));

    assertThat(generation.images()).singleElement().satisfies(image -> {
      assertSpooledWhole(image, 3_000_000);
      assertThat(decode(bytesOf(image)).getWidth()).isEqualTo(1024);
    });
  }

  @Test
  void reportsSensitiveContentAsAContentPolicyViolation() {
    fake.behave(Behaviour.normal().withContentPolicy(true));

    UpstreamException e = failure(generate(generation("something forbidden", Map.of())));

    assertThat(e.code()).isEqualTo("content_policy_violation");
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).contains("sensitive information");
  }

  @Test
  void reportsARejectedKeyAsAnOperatorProblemNotWorthRetrying() {
    UpstreamException e = failure(generate(provider("wrong-key"), generation("a fox", Map.of()),
        model(fake.baseUrl())));

    assertThat(e.code()).isEqualTo("upstream_auth_failed");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void retriesARateLimitAfterTheVendorsRetryAfter() {
    fake.behave(Behaviour.normal().withFailStatus(429).withRetryAfterSeconds(7));

    UpstreamException e = failure(generate(generation("a fox", Map.of())));

    assertThat(e.code()).isEqualTo("upstream_rate_limited");
    assertThat(e.retryable()).isTrue();
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(e.getMessage()).contains("images-per-minute");
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503})
  void retriesServerErrors(int status) {
    fake.behave(Behaviour.normal().withFailStatus(status));

    UpstreamException e = failure(generate(generation("a fox", Map.of())));

    assertThat(e.code()).isEqualTo(status == 503 ? "upstream_overloaded" : status == 504 ? "upstream_timeout" : "upstream_unavailable");
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void refusesAnInvalidParameterWithArksOwnCode() {
    fake.behave(Behaviour.normal().withFailStatus(400));

    UpstreamException e = failure(generate(generation("a fox", Map.of())));

    assertThat(e.code()).isEqualTo("InvalidParameter");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void treatsTruncatedJsonAsABadResponse() {
    fake.behave(Behaviour.normal().withMalformedBody(true));

    UpstreamException e = failure(generate(generation("a fox", Map.of())));

    assertThat(e.code()).isEqualTo("upstream_bad_response");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void treatsAnHtmlPageAsABadResponse() {
    fake.behave(Behaviour.normal().withWrongContentType(true));

    UpstreamException e = failure(generate(generation("a fox", Map.of())));

    assertThat(e.code()).isEqualTo("upstream_bad_response");
    assertThat(e.getMessage()).contains("text/html");
  }

  @Test
  void treatsAnAnswerWithoutImagesAsABadResponse() {
    fake.behave(Behaviour.normal().withEmptyData(true));

    UpstreamException e = failure(generate(generation("a fox", Map.of())));

    assertThat(e.code()).isEqualTo("upstream_bad_response");
    assertThat(e.getMessage()).contains("empty data");
  }

  @Test
  void givesUpOnASilentUpstreamAfterTheAttemptTimeoutAndAllowsARetry() {
    fake.behave(Behaviour.normal().withHang(true));

    UpstreamException e = failure(generate(ark, generation("a fox", Map.of()),
        model(fake.baseUrl(), Duration.ofMillis(300))));

    assertThat(e.code()).isEqualTo("upstream_timeout");
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void reportsAnUnreachableUpstreamAsRetryable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    UpstreamException e = failure(generate(ark, generation("a fox", Map.of()),
        model("http://127.0.0.1:" + closedPort)));

    assertThat(e.code()).isEqualTo("upstream_unreachable");
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void failsAsNotConfiguredWithoutAnApiKey() {
    ArkProvider unconfigured = new ArkProvider(new ProviderContext(vertx, web, objects, Map.of()));

    UpstreamException e = failure(generate(unconfigured, generation("a fox", Map.of()), model(fake.baseUrl())));

    assertThat(e.code()).isEqualTo("model_not_configured");
    assertThat(fake.requests()).isEmpty();
  }
}
