package io.imagegen.worker.providers.openai;

import static io.imagegen.worker.providers.ProviderFixtures.bytesOf;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.PNG_SIGNATURE;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.failure;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.generation;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.model;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.result;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.withPassthrough;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.common.tasks.Usage;
import io.imagegen.fake.Behaviour;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.fake.RecordedRequest;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.ProviderContext;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generations against the fake upstream over real HTTP: what goes on the wire and what comes back. */
class OpenAiGenerationTest {
  private static FakeUpstream fake;
  private static Vertx vertx;
  private static WebClient web;
  private static ProviderContext context;
  private static OpenAiProvider openai;
  private static OpenAiProvider relay;
  @TempDir
  static Path spool;

  @BeforeAll
  static void start() {
    fake = FakeUpstream.start(0);
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    context = contextWith(Map.of("OPENAI_API_KEY", FakeUpstream.API_KEY,
        "IMAGEGEN_RELAY_API_KEY", FakeUpstream.API_KEY, "IMAGEGEN_RELAY_BASE_URL", fake.baseUrl() + "/"));
    openai = new OpenAiProvider(context, "openai");
    relay = new OpenAiProvider(context, "openai-compatible");
  }

  @AfterAll
  static void stop() {
    web.close();
    vertx.close();
    fake.close();
  }

  @BeforeEach
  void reset() {
    fake.reset();
  }

  private static ProviderContext contextWith(Map<String, String> env) {
    return new ProviderContext(vertx, web, new InMemoryObjectStore(), env, spool);
  }

  private static ModelSpec atFake(String id) {
    return model(id, fake.baseUrl());
  }

  private static RecordedRequest onlyRequest() {
    assertThat(fake.requests()).hasSize(1);
    return fake.requests().get(0);
  }

  @Test
  void gptImageGenerationSendsItsDocumentedFieldsAndCopiesTokenUsage() {
    Generation generation = result(openai.generate(generation(atFake("gpt-image-1"), "a red fox in snow",
        "1536x1024", "high", 2, Map.of("output_format", "jpeg", "output_compression", 80L, "background", "opaque",
            "moderation", "low", "user", "user-7"))));

    RecordedRequest sent = onlyRequest();
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.path()).isEqualTo("/v1/images/generations");
    assertThat(sent.header("Authorization")).isEqualTo("Bearer fake-key");
    assertThat(sent.header("Content-Type")).startsWith("application/json");
    assertThat(sent.json()).isEqualTo(new JsonObject().put("model", "gpt-image-1").put("prompt", "a red fox in snow")
        .put("n", 2).put("size", "1536x1024").put("quality", "high").put("user", "user-7")
        .put("output_format", "jpeg").put("output_compression", 80).put("background", "opaque")
        .put("moderation", "low"));
    assertThat(sent.json().fieldNames()).doesNotContain("response_format", "style");

    assertThat(generation.images()).hasSize(2).allSatisfy(image -> {
      assertThat(bytesOf(image)).startsWith(PNG_SIGNATURE);
      assertThat(image.contentType()).isEqualTo("image/jpeg");
      assertThat(image.revisedPrompt()).isNull();
    });
    Usage usage = generation.usage();
    assertThat(usage.generatedImages()).isEqualTo(2);
    assertThat(usage.inputTokens()).isPositive();
    assertThat(usage.outputTokens()).isPositive();
    assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());
  }

  @Test
  void gptImageKeepsAutoQualityAndSizeButLeavesOutZeroCompressionAndAbsentOptions() {
    Generation generation = result(openai.generate(generation(atFake("gpt-image-1-mini"), "a lighthouse", "auto",
        "auto", 1, Map.of("output_compression", 0L))));

    JsonObject sent = onlyRequest().json();
    assertThat(sent.getString("model")).isEqualTo("gpt-image-1-mini");
    assertThat(sent.getString("size")).isEqualTo("auto");
    assertThat(sent.getString("quality")).isEqualTo("auto");
    assertThat(sent.fieldNames()).doesNotContain("output_compression", "output_format", "background", "moderation",
        "user", "response_format");
    assertThat(generation.images()).singleElement()
        .satisfies(image -> assertThat(image.contentType()).isEqualTo("image/png"));
  }

  @Test
  void dallE3AsksForBase64AndKeepsTheRevisedPrompt() {
    Generation generation = result(openai.generate(generation(atFake("dall-e-3"), "a quiet harbour", "1792x1024",
        "hd", 1, Map.of("style", "natural"))));

    JsonObject sent = onlyRequest().json();
    assertThat(sent).isEqualTo(new JsonObject().put("model", "dall-e-3").put("prompt", "a quiet harbour").put("n", 1)
        .put("size", "1792x1024").put("quality", "hd").put("style", "natural").put("response_format", "b64_json"));
    assertThat(generation.images()).singleElement().satisfies(image -> {
      assertThat(image.revisedPrompt()).isEqualTo("A detailed rendering of: a quiet harbour");
      assertThat(bytesOf(image)).startsWith(PNG_SIGNATURE);
      assertThat(image.contentType()).isEqualTo("image/png");
    });
    assertThat(generation.usage()).isEqualTo(Usage.images(1));
  }

  @Test
  void dallE2SendsItsStandardQualityAndNoStyle() {
    result(openai.generate(generation(atFake("dall-e-2"), "a cat", "512x512", "standard", 3,
        Map.of("style", "vivid"))));

    JsonObject sent = onlyRequest().json();
    assertThat(sent.getString("quality")).isEqualTo("standard");
    assertThat(sent.getString("response_format")).isEqualTo("b64_json");
    assertThat(sent.fieldNames()).doesNotContain("style");
  }

  @Test
  void aRelayAnswerGivenAsUrlIsDownloadedAndReHosted() {
    Generation generation = result(relay.generate(generation(model("kling-image-o1"), "a paper boat", "1280x720",
        "auto", 2, Map.of())));

    List<RecordedRequest> sent = fake.requests();
    assertThat(sent).hasSize(3);
    RecordedRequest call = sent.get(0);
    // The catalog's ${IMAGEGEN_RELAY_BASE_URL} resolved from the environment, trailing slash dropped.
    assertThat(call.path()).isEqualTo("/v1/images/generations");
    assertThat(call.json().getString("model")).isEqualTo("kling-image-o1");
    assertThat(call.json().fieldNames()).doesNotContain("quality", "response_format");
    assertThat(sent.subList(1, 3)).allSatisfy(download -> {
      assertThat(download.method()).isEqualTo("GET");
      assertThat(download.path()).startsWith("/files/");
    });
    assertThat(generation.images()).hasSize(2).allSatisfy(image -> {
      assertThat(image.spooled()).as("downloads are streamed to spool files").isTrue();
      assertThat(bytesOf(image)).startsWith(PNG_SIGNATURE);
      assertThat(image.contentType()).isEqualTo("image/png");
    });
    assertThat(generation.usage()).isEqualTo(Usage.images(2));
    generation.spoolFiles().forEach(file -> file.toFile().delete());
  }

  @Test
  void aRelayAnswerPointingAtAnotherLoopbackAddressIsRefusedAndNeverFetched() {
    // The relay's configured host (127.0.0.1) is trusted; the same server named as 127.0.0.2 is not.
    fake.behave(Behaviour.normal().withResultUrlBase("http://127.0.0.2:" + fake.port()));

    ImageGenException error = failure(relay.generate(generation(model("kling-image-o1"), "a paper boat",
        "1280x720", "auto", 1, Map.of())));

    assertThat(error.code()).isEqualTo("upstream_bad_response");
    assertThat(fake.requests()).extracting(RecordedRequest::path).containsExactly("/v1/images/generations");
  }

  @Test
  void aRelayAnswerPointingAtCloudMetadataIsRefusedAsABadResponse() {
    fake.behave(Behaviour.normal().withResultUrlBase("http://169.254.169.254"));

    ImageGenException error = failure(relay.generate(generation(model("kling-image-o1"), "a paper boat",
        "1280x720", "auto", 1, Map.of())));

    assertThat(error.code()).isEqualTo("upstream_bad_response");
    assertThat(error.retryable()).isFalse();
  }

  @Test
  void aResultUrlServingSomethingOtherThanAnImageFailsAsABadResponseAndLeavesNoSpoolFile() throws Exception {
    fake.behave(Behaviour.normal().withResultNotImage(true));
    long before = spoolFileCount();

    ImageGenException error = failure(relay.generate(generation(model("kling-image-o1"), "a paper boat",
        "1280x720", "auto", 2, Map.of())));

    assertThat(error.code()).isEqualTo("upstream_bad_response");
    assertThat(fake.requests()).hasSize(3);
    assertThat(spoolFileCount()).isEqualTo(before);
  }

  private static long spoolFileCount() throws java.io.IOException {
    try (var files = java.nio.file.Files.list(spool)) {
      return files.count();
    }
  }

  @Test
  void aRelayForwardsAllowlistedPassthroughFieldsUntouchedAndDropsTheRest() {
    ModelSpec kling = withPassthrough(model("kling-image-o1"), List.of("negative_prompt", "camera", "image"));

    result(relay.generate(generation(kling, "a paper boat", "1024x1024", "auto", 1, Map.of(
        "negative_prompt", "blurry", "camera", Map.of("zoom", 2, "pan", List.of(1, 2)),
        "seed", 42L, "image", "https://example.com/in.png", "image_keys", List.of("inputs/a")))));

    JsonObject sent = fake.requests().get(0).json();
    assertThat(sent.getString("negative_prompt")).isEqualTo("blurry");
    assertThat(sent.getJsonObject("camera")).isEqualTo(new JsonObject().put("zoom", 2).put("pan", List.of(1, 2)));
    assertThat(sent.fieldNames()).doesNotContain("seed", "image", "image_keys");
  }

  @Test
  void theOfficialProviderNeverForwardsPassthroughFields() {
    ModelSpec gpt = withPassthrough(atFake("gpt-image-1"), List.of("negative_prompt"));

    result(openai.generate(generation(gpt, "a fox", "1024x1024", "low", 1, Map.of("negative_prompt", "blurry"))));

    assertThat(onlyRequest().json().fieldNames()).doesNotContain("negative_prompt");
  }

  @Test
  void aMissingApiKeyFailsAsNotConfiguredWithoutCallingTheVendor() {
    OpenAiProvider unkeyed = new OpenAiProvider(contextWith(Map.of()), "openai");

    ImageGenException error = failure(unkeyed.generate(generation(atFake("gpt-image-1"), "a fox", "1024x1024", "low",
        1, Map.of())));

    assertThat(error.code()).isEqualTo("model_not_configured");
    assertThat(error.retryable()).isFalse();
    assertThat(error.getMessage()).contains("OPENAI_API_KEY");
    assertThat(fake.requests()).isEmpty();
  }

  @Test
  void aRelayModelWhoseBaseUrlVariableIsUnsetFailsAsNotConfigured() {
    OpenAiProvider unconfigured = new OpenAiProvider(contextWith(Map.of("IMAGEGEN_RELAY_API_KEY", "fake-key")),
        "openai-compatible");

    ImageGenException error = failure(unconfigured.generate(generation(model("glm-image"), "a fox", "1024x1024",
        "auto", 1, Map.of())));

    assertThat(error.code()).isEqualTo("model_not_configured");
    assertThat(error.getMessage()).contains("IMAGEGEN_RELAY_BASE_URL");
  }

  @Test
  void onlyTheTwoOpenAiProviderNamesAreAccepted() {
    assertThat(openai.name()).isEqualTo("openai");
    assertThat(relay.name()).isEqualTo("openai-compatible");
    assertThatIllegalArgumentException().isThrownBy(() -> new OpenAiProvider(context, "ark"));
  }
}
