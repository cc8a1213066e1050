package io.imagegen.worker.providers.openai;

import static io.imagegen.worker.providers.ProviderFixtures.bytesOf;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.PNG_SIGNATURE;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.edit;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.failure;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.image;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.model;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.result;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.variation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.common.storage.ObjectStore.Condition;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.fake.RecordedRequest;
import io.imagegen.fake.RecordedRequest.Part;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.ProviderContext;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edits: inputs read through ProviderContext from an object store (a Mockito stand-in for the S3-backed one), sent as
 * multipart to the fake upstream over real HTTP.
 */
class OpenAiEditTest {
  private static final byte[] PNG = image("png", 32, 32);
  private static final byte[] JPEG = image("jpg", 48, 32);

  private static FakeUpstream fake;
  private static Vertx vertx;
  private static WebClient web;
  private static OpenAiProvider openai;
  private static final InMemoryObjectStore objects = new InMemoryObjectStore();
  @TempDir
  static Path spool;

  @BeforeAll
  static void start() {
    fake = FakeUpstream.start(0);
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    openai = new OpenAiProvider(new ProviderContext(vertx, web, objects, Map.of("OPENAI_API_KEY",
        FakeUpstream.API_KEY), spool), "openai");
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
    objects.keys().forEach(objects::delete);
    objects.put("inputs/one.png", PNG, "image/png", Condition.NONE);
    objects.put("inputs/two.jpg", JPEG, "image/jpeg", Condition.NONE);
    objects.put("inputs/mask.png", PNG, "image/png", Condition.NONE);
  }

  private static Map<String, String> attributes(RecordedRequest request) {
    return request.parts().stream().filter(p -> p.fileName() == null)
        .collect(Collectors.toMap(Part::name, Part::value));
  }

  @Test
  void aGptImageEditUploadsEveryInputAsAnImageArrayPart() {
    Generation generation = result(openai.generate(edit(model("gpt-image-1", fake.baseUrl()), "make it night",
        "1024x1024", "medium", 2, Map.of("image_keys", List.of("inputs/one.png", "inputs/two.jpg"),
            "background", "transparent", "output_format", "webp", "moderation", "low"))));

    assertThat(fake.requests()).hasSize(1);
    RecordedRequest sent = fake.requests().get(0);
    assertThat(sent.path()).isEqualTo("/v1/images/edits");
    assertThat(sent.header("Authorization")).isEqualTo("Bearer fake-key");
    assertThat(sent.header("Content-Type")).startsWith("multipart/form-data");
    // The edits endpoint has no moderation field; gpt-image rejects response_format.
    assertThat(attributes(sent)).isEqualTo(Map.of("model", "gpt-image-1", "prompt", "make it night", "n", "2",
        "size", "1024x1024", "quality", "medium", "background", "transparent", "output_format", "webp"));
    assertThat(sent.files()).extracting(Part::name, Part::fileName, Part::contentType, Part::size).containsExactly(
        tuple("image[]", "image-1.png", "image/png", (long) PNG.length),
        tuple("image[]", "image-2.jpg", "image/jpeg", (long) JPEG.length));

    assertThat(generation.images()).hasSize(2).allSatisfy(image -> {
      assertThat(bytesOf(image)).startsWith(PNG_SIGNATURE);
      assertThat(image.contentType()).isEqualTo("image/webp");
    });
    assertThat(generation.usage().totalTokens()).isPositive();
  }

  @Test
  void aDallE2EditSendsOneImageItsMaskAndAsksForBase64() {
    Generation generation = result(openai.generate(edit(model("dall-e-2", fake.baseUrl()), "add a hat", "256x256",
        "standard", 1, Map.of("image_keys", List.of("inputs/one.png"), "mask_key", "inputs/mask.png"))));

    RecordedRequest sent = fake.requests().get(0);
    assertThat(attributes(sent)).containsEntry("model", "dall-e-2").containsEntry("response_format", "b64_json")
        .doesNotContainKeys("image_keys", "mask_key");
    assertThat(sent.files()).extracting(Part::name, Part::fileName, Part::contentType).containsExactly(
        tuple("image", "image-1.png", "image/png"),
        tuple("mask", "mask.png", "image/png"));
    assertThat(generation.images()).singleElement()
        .satisfies(image -> assertThat(bytesOf(image)).startsWith(PNG_SIGNATURE));
  }

  @Test
  void aDallE2VariationPostsItsOneImageToTheVariationsEndpointWithoutPromptOrQuality() {
    Generation generation = result(openai.generate(variation(model("dall-e-2", fake.baseUrl()), "256x256", 2,
        Map.of("image_keys", List.of("inputs/one.png"), "user", "u-7"))));

    RecordedRequest sent = fake.requests().get(0);
    assertThat(sent.path()).isEqualTo("/v1/images/variations");
    assertThat(attributes(sent)).isEqualTo(Map.of("model", "dall-e-2", "n", "2", "size", "256x256",
        "response_format", "b64_json", "user", "u-7"));
    assertThat(sent.files()).extracting(Part::name, Part::contentType).containsExactly(tuple("image", "image/png"));
    assertThat(generation.images()).hasSize(2)
        .allSatisfy(image -> assertThat(bytesOf(image)).startsWith(PNG_SIGNATURE));
  }

  @Test
  void aMissingStoredInputFailsRetryablyBeforeCallingTheVendor() {
    ImageGenException error = failure(openai.generate(edit(model("gpt-image-1", fake.baseUrl()), "make it night",
        "1024x1024", "low", 1, Map.of("image_keys", List.of("inputs/one.png", "inputs/gone.png")))));

    assertThat(error.code()).isEqualTo("input_missing");
    assertThat(error.retryable()).isTrue();
    assertThat(fake.requests()).isEmpty();
  }

  @Test
  void anEditTaskWithoutInputsFailsForGood() {
    ImageGenException error = failure(openai.generate(edit(model("gpt-image-1", fake.baseUrl()), "make it night",
        "1024x1024", "low", 1, Map.of())));

    assertThat(error.code()).isEqualTo("input_missing");
    assertThat(error.retryable()).isFalse();
    assertThat(fake.requests()).isEmpty();
  }
}
