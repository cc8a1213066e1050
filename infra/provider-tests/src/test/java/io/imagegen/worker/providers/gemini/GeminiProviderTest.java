package io.imagegen.worker.providers.gemini;

import static io.imagegen.worker.providers.ProviderFixtures.bytesOf;
import static io.imagegen.worker.providers.ProviderFixtures.decode;
import static io.imagegen.worker.providers.ProviderFixtures.failure;
import static io.imagegen.worker.providers.ProviderFixtures.result;
import static io.imagegen.worker.providers.gemini.GeminiFixtures.generation;
import static io.imagegen.worker.providers.gemini.GeminiFixtures.model;
import static io.imagegen.worker.providers.gemini.GeminiFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.Usage;
import io.imagegen.fake.Behaviour;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.fake.RecordedRequest;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.VendorProviderTestBase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** GeminiProvider against the fake upstream over real HTTP; edit inputs come from a Mockito stand-in for S3. */
class GeminiProviderTest extends VendorProviderTestBase {
  private static final String PROMPT = "a red fox in the snow";

  private static GeminiProvider gemini;

  @BeforeAll
  static void startGemini() {
    gemini = provider(FakeUpstream.API_KEY);
  }

  private static GeminiProvider provider(String key) {
    return new GeminiProvider(context("GEMINI_API_KEY", key));
  }

  private static Future<Generation> generate(Task task) {
    return generate(gemini, task, model(fake.baseUrl()));
  }

  @Test
  void sendsTheDocumentedRequestWithTheKeyInAHeaderOnly() {
    result(generate(generation(PROMPT, Map.of())));

    RecordedRequest request = fake.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1beta/models/gemini-3-pro-image-preview:generateContent");
    assertThat(request.header("x-goog-api-key")).isEqualTo("fake-key");
    assertThat(request.query()).isNull();
    assertThat(request.header("Authorization")).isNull();
    assertThat(request.json()).isEqualTo(new JsonObject()
        .put("contents", new JsonArray().add(new JsonObject()
            .put("role", "user")
            .put("parts", new JsonArray().add(new JsonObject().put("text", PROMPT)))))
        .put("generationConfig", new JsonObject()
            .put("responseModalities", new JsonArray().add("TEXT").add("IMAGE"))
            .put("imageConfig", new JsonObject().put("aspectRatio", "1:1").put("imageSize", "1K"))));
  }

  @Test
  void returnsTheDecodedImageWithItsTypeAndTheTokenUsage() {
    Generation generation = result(generate(generation(PROMPT, Map.of())));

    assertThat(generation.images()).singleElement().satisfies(image -> {
      assertThat(image.contentType()).isEqualTo("image/png");
      // The fake's text part is commentary, not a revised prompt.
      assertThat(image.revisedPrompt()).isNull();
      BufferedImage decoded = decode(bytesOf(image));
      assertThat(decoded.getWidth()).isEqualTo(1024);
      assertThat(decoded.getHeight()).isEqualTo(1024);
    });
    // The fake counts one prompt token per word and 1290 per image, as Gemini bills them.
    assertThat(generation.usage()).isEqualTo(new Usage(1, 6 + 1290, 6, 1290));
  }

  @ParameterizedTest
  @CsvSource({
      "16:9, 2K, 2688, 1536",
      "3:4,  1K,  864, 1184",
      "9:16, 1K,  768, 1344"})
  void asksForTheClientsRatioAndQualityPreset(String ratio, String quality, int width, int height) {
    Generation generation = result(generate(task(PROMPT, "1024x1024", quality, 1, "generation",
        Map.of("ratio", ratio))));

    assertThat(onlyRequestBody().getJsonObject("generationConfig").getJsonObject("imageConfig"))
        .isEqualTo(new JsonObject().put("aspectRatio", ratio).put("imageSize", quality));
    BufferedImage decoded = decode(bytesOf(generation.images().get(0)));
    assertThat(decoded.getWidth()).isEqualTo(width);
    assertThat(decoded.getHeight()).isEqualTo(height);
  }

  @Test
  void makesOneCallPerImageWhenAskedForSeveralAndAddsUpTheUsage() {
    Generation generation = result(generate(task(PROMPT, "2048x2048", "auto", 3, "generation", Map.of())));

    assertThat(fake.requests()).hasSize(3).allSatisfy(request -> assertThat(request.json()
        .getJsonObject("generationConfig").getJsonObject("imageConfig").getString("imageSize")).isEqualTo("2K"));
    assertThat(generation.images()).hasSize(3);
    assertThat(generation.usage()).isEqualTo(new Usage(3, 3 * (6 + 1290), 3 * 6, 3 * 1290));
  }

  @Test
  void sendsEditInputsAsInlineDataAfterThePrompt() {
    result(generate(task("put them side by side", "1024x1024", "auto", 1, "edit",
        Map.of("image_keys", List.of("inputs/one.png", "inputs/two.jpg")))));

    JsonArray parts = onlyRequestBody().getJsonArray("contents").getJsonObject(0).getJsonArray("parts");
    assertThat(parts).containsExactly(
        new JsonObject().put("text", "put them side by side"),
        new JsonObject().put("inlineData", new JsonObject().put("mimeType", "image/png")
            .put("data", Base64.getEncoder().encodeToString(PNG))),
        new JsonObject().put("inlineData", new JsonObject().put("mimeType", "image/jpeg")
            .put("data", Base64.getEncoder().encodeToString(JPEG))));
  }

  @Test
  void spoolsLargeImagesToDiskWhole() {
    fake.behave(Behaviour.normal().withImageBytes(3_000_000));

    Generation generation = result(generate(generation(PROMPT, Map.of())));

    assertThat(generation.images()).singleElement().satisfies(image -> {
      assertSpooledWhole(image, 3_000_000);
      assertThat(decode(bytesOf(image)).getWidth()).isEqualTo(1024);
    });
  }

  @Test
  void oneFailedCallOfSeveralFailsTheTaskAndLeavesNoSpoolFileOfTheOthers() {
    // The other answers trickle for a while after the failed one, which ends the task at once.
    fake.behave(Behaviour.normal().withImageBytes(2_000_000).withSlowStreamBytesPerSecond(10_000_000)
        .withFailStatus(500).withFailTimes(1));
    List<Path> before = spoolFiles();

    UpstreamException e = failure(generate(task(PROMPT, "1024x1024", "auto", 3, "generation", Map.of())));

    assertThat(e.code()).isEqualTo("upstream_unavailable");
    assertThat(fake.requests()).hasSize(3);
    // Long enough for the trickling answers to have ended: none of them may leave a file behind either.
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
        .until(() -> spoolFiles().equals(before));
  }

  @Test
  void reportsAnImageSafetyStopAsAContentPolicyViolation() {
    fake.behave(Behaviour.normal().withContentPolicy(true));

    UpstreamException e = failure(generate(generation(PROMPT, Map.of())));

    assertThat(e.code()).isEqualTo("content_policy_violation");
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).contains("IMAGE_SAFETY");
  }

  @Test
  void reportsARejectedKeyAsAnOperatorProblemNotWorthRetrying() {
    UpstreamException e = failure(generate(provider("wrong-key"), generation(PROMPT, Map.of()),
        model(fake.baseUrl())));

    assertThat(e.code()).isEqualTo("upstream_auth_failed");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void retriesWhenTheQuotaIsExhausted() {
    fake.behave(Behaviour.normal().withFailStatus(429).withRetryAfterSeconds(5));

    UpstreamException e = failure(generate(generation(PROMPT, Map.of())));

    assertThat(e.code()).isEqualTo("upstream_rate_limited");
    assertThat(e.retryable()).isTrue();
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 503, 504})
  void retriesServerErrors(int status) {
    fake.behave(Behaviour.normal().withFailStatus(status));

    UpstreamException e = failure(generate(generation(PROMPT, Map.of())));

    assertThat(e.code()).isEqualTo(status == 503 ? "upstream_overloaded" : status == 504 ? "upstream_timeout" : "upstream_unavailable");
    assertThat(e.retryable()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({"400, INVALID_ARGUMENT", "404, NOT_FOUND", "409, ABORTED"})
  void refusesOtherClientErrorsWithGooglesStatusName(int status, String code) {
    fake.behave(Behaviour.normal().withFailStatus(status));

    UpstreamException e = failure(generate(generation(PROMPT, Map.of())));

    assertThat(e.code()).isEqualTo(code);
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void treatsAnAnswerWithoutAnImageAsABadResponse() {
    fake.behave(Behaviour.normal().withEmptyData(true));

    UpstreamException e = failure(generate(generation(PROMPT, Map.of())));

    assertThat(e.code()).isEqualTo("upstream_bad_response");
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).contains("no image in response");
  }

  @Test
  void treatsTruncatedJsonAsABadResponse() {
    fake.behave(Behaviour.normal().withMalformedBody(true));

    assertThat(failure(generate(generation(PROMPT, Map.of()))).code()).isEqualTo("upstream_bad_response");
  }

  @Test
  void treatsAnHtmlPageAsABadResponse() {
    fake.behave(Behaviour.normal().withWrongContentType(true));

    UpstreamException e = failure(generate(generation(PROMPT, Map.of())));

    assertThat(e.code()).isEqualTo("upstream_bad_response");
    assertThat(e.getMessage()).contains("text/html");
  }

  @Test
  void givesUpOnASilentUpstreamAfterTheAttemptTimeoutAndAllowsARetry() {
    fake.behave(Behaviour.normal().withHang(true));

    UpstreamException e = failure(generate(gemini, generation(PROMPT, Map.of()),
        model(fake.baseUrl(), Duration.ofMillis(300))));

    assertThat(e.code()).isEqualTo("upstream_timeout");
    assertThat(e.retryable()).isTrue();
  }
}
