package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.images.Image;
import com.openai.models.images.ImageCreateVariationParams;
import com.openai.models.images.ImageEditParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import com.openai.models.models.Model;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Java SDK ({@code com.openai:openai-java}), unmodified and only pointed at our base URL, as a
 * real client of the OpenAI-compatible surface: synchronous generation, edits (multipart, with a mask), variations,
 * model discovery and error mapping.
 */
class OpenAiSdkCompatibilityTest {
  private static final String KEY = "sk-sdk-dev";
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir
  static Path data;
  static LocalStack stack;
  static OpenAIClient client;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startStack() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", "sdk=" + KEY,
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "sdk-jobs-" + unique,
        "IMAGEGEN_S3_BUCKET", "sdk-" + unique,
        "IMAGEGEN_DEMO_LATENCY", "50ms",
        // dall-e-3 stays available (docs/api.md#model-availability) for the model list and the variation refusal,
        // neither of which reaches OpenAI.
        "OPENAI_API_KEY", "sk-never-used")));
    client = sdk(KEY);
  }

  @AfterAll
  static void stopStack() {
    if (client != null) {
      client.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  /** The only configuration an SDK user changes: the key and the base URL. */
  private static OpenAIClient sdk(String key) {
    return OpenAIOkHttpClient.builder().apiKey(key).baseUrl(stack.apiBase().resolve("/v1").toString()).build();
  }

  @Test
  void aSynchronousGenerationAnswersAnImageUrlAnyoneCanDownloadAsAPngOfTheRequestedSize()
      throws Exception {
    ImagesResponse response = client.images().generate(ImageGenerateParams.builder()
        .model("demo").prompt("a lighthouse").size(ImageGenerateParams.Size._256X256).build());

    assertThat(response.created()).isPositive();
    List<Image> images = response.data().orElseThrow();
    assertThat(images).hasSize(1);
    Image image = images.get(0);
    assertThat(image.b64Json()).isEmpty();
    assertThat(image.revisedPrompt()).contains("a lighthouse");
    assertThat(image.url()).isPresent();

    HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(image.url().get()))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(download.statusCode()).isEqualTo(200);
    assertPng(download.body(), 256, 256);
  }

  @Test
  void aB64JsonGenerationAnswersThePngInlineAndNoUrl() throws Exception {
    ImagesResponse response = client.images().generate(ImageGenerateParams.builder()
        .model("demo").prompt("a lighthouse").size(ImageGenerateParams.Size._512X512)
        .responseFormat(ImageGenerateParams.ResponseFormat.B64_JSON).build());

    List<Image> images = response.data().orElseThrow();
    assertThat(images).hasSize(1);
    assertThat(images.get(0).url()).isEmpty();
    assertPng(Base64.getDecoder().decode(images.get(0).b64Json().orElseThrow()), 512, 512);
  }

  @Test
  void askingForTwoImagesAnswersTwoDistinctUrls() {
    ImagesResponse response = client.images().generate(ImageGenerateParams.builder()
        .model("demo").prompt("two moons").size(ImageGenerateParams.Size._256X256).n(2).build());

    assertThat(response.data().orElseThrow()).hasSize(2)
        .extracting(image -> image.url().orElseThrow())
        .doesNotHaveDuplicates();
  }

  @Test
  void anEditWithAMaskAnswersATypedImageOfTheRequestedSizeMadeFromTheUploadAndTheMask() throws Exception {
    ImagesResponse response = client.images().edit(ImageEditParams.builder()
        .model("demo").prompt("add a hat").image(png(64, 64)).mask(png(64, 64))
        .size(ImageEditParams.Size._256X256).build());

    List<Image> images = response.data().orElseThrow();
    assertThat(images).hasSize(1);
    assertThat(images.get(0).revisedPrompt()).contains("add a hat (edit of 1 image(s) with a mask)");
    HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(images.get(0).url().orElseThrow()))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertPng(download.body(), 256, 256);
  }

  @Test
  void aVariationAnswersTypedInlineImagesOfTheRequestedSize() throws Exception {
    ImagesResponse response = client.images().createVariation(ImageCreateVariationParams.builder()
        .model("demo").image(png(32, 32)).n(2).size(ImageCreateVariationParams.Size._256X256)
        .responseFormat(ImageCreateVariationParams.ResponseFormat.B64_JSON).build());

    List<Image> images = response.data().orElseThrow();
    assertThat(images).hasSize(2).allSatisfy(image -> {
      assertThat(image.url()).isEmpty();
      assertThat(image.revisedPrompt()).contains("variation of 1 image(s)");
    });
    assertPng(Base64.getDecoder().decode(images.get(1).b64Json().orElseThrow()), 256, 256);
  }

  @Test
  void aVariationOfAModelWithoutVariationsThrowsBadRequestNamingTheModel() {
    BadRequestException e = catchThrowableOfType(BadRequestException.class,
        () -> client.images().createVariation(ImageCreateVariationParams.builder()
            .model("dall-e-3").image(png(32, 32)).build()));

    assertServiceError(e, 400, "invalid_request_error", "invalid_image_request", "model",
        "dall-e-3 does not support image variations");
  }

  @Test
  void theModelListNamesTheDemoModelsAndDallE3() {
    List<Model> models = client.models().list().data();

    assertThat(models).extracting(Model::id).contains("demo", "demo-async", "dall-e-3");
    assertThat(models).allSatisfy(model -> assertThat(model.ownedBy()).isNotBlank());
  }

  @Test
  void aSingleModelCanBeRetrievedById() {
    Model model = client.models().retrieve("demo");

    assertThat(model.id()).isEqualTo("demo");
    assertThat(model.ownedBy()).isEqualTo("imagegen");
    assertThat(model.created()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void retrievingAnUnknownModelThrowsNotFoundWithOurCode() {
    NotFoundException e = catchThrowableOfType(NotFoundException.class,
        () -> client.models().retrieve("no-such-model"));

    assertThat(e.statusCode()).isEqualTo(404);
    assertThat(e.code()).contains("model_not_found");
    assertThat(e.getMessage()).contains("The model 'no-such-model' does not exist");
  }

  @Test
  void tooManyImagesForTheModelThrowsBadRequestWithOurMessageCodeAndParam() {
    BadRequestException e = catchThrowableOfType(BadRequestException.class,
        () -> client.images().generate(ImageGenerateParams.builder()
            .model("demo").prompt("a lighthouse").size(ImageGenerateParams.Size._256X256).n(99).build()));

    assertServiceError(e, 400, "invalid_request_error", "invalid_image_request", "n",
        "n must be between 1 and 4 for demo");
  }

  @Test
  void anUnknownModelThrowsNotFoundWithOurMessageCodeAndParam() {
    NotFoundException e = catchThrowableOfType(NotFoundException.class,
        () -> client.images().generate(ImageGenerateParams.builder()
            .model("no-such-model").prompt("a lighthouse").build()));

    assertServiceError(e, 404, "invalid_request_error", "model_not_found", "model",
        "The model 'no-such-model' does not exist or is not available.");
  }

  @Test
  void aWrongApiKeyThrowsUnauthorized() {
    OpenAIClient stranger = sdk("sk-not-a-key");
    try {
      UnauthorizedException e = catchThrowableOfType(UnauthorizedException.class,
          () -> stranger.images().generate(ImageGenerateParams.builder()
              .model("demo").prompt("a lighthouse").size(ImageGenerateParams.Size._256X256).build()));

      assertServiceError(e, 401, "authentication_error", "invalid_api_key", null, "Incorrect API key provided.");
    } finally {
      stranger.close();
    }
  }

  @Test
  void aPermanentModelFailureThrowsInternalServerErrorWithTheModelsCodeAndMessage() {
    // Default retries: the SDK would retry a 502, but our X-Should-Retry: false tells it not to resubmit.
    OpenAIClient once = OpenAIOkHttpClient.builder().apiKey(KEY).baseUrl(stack.apiBase().resolve("/v1").toString())
        .build();
    try {
      InternalServerException e = catchThrowableOfType(InternalServerException.class,
          () -> once.images().generate(ImageGenerateParams.builder()
              .model("demo").prompt("a lighthouse #fail").size(ImageGenerateParams.Size._256X256).build()));

      assertServiceError(e, 502, "server_error", "demo_failure", null, "#fail");
    } finally {
      once.close();
    }
  }

  @Test
  void aModerationRefusalThrowsBadRequestWithTheContentPolicyCode() {
    BadRequestException e = catchThrowableOfType(BadRequestException.class,
        () -> client.images().generate(ImageGenerateParams.builder()
            .model("demo").prompt("a lighthouse #refuse").size(ImageGenerateParams.Size._256X256).build()));

    assertServiceError(e, 400, "invalid_request_error", "content_policy_violation", null, "#refuse");
  }

  @Test
  void anOverloadedVendorThrowsAServiceErrorWithStatus529() {
    OpenAIClient once = OpenAIOkHttpClient.builder().apiKey(KEY).baseUrl(stack.apiBase().resolve("/v1").toString())
        .maxRetries(0).build();
    try {
      OpenAIServiceException e = catchThrowableOfType(OpenAIServiceException.class,
          () -> once.images().generate(ImageGenerateParams.builder()
              .model("demo").prompt("a lighthouse #down").size(ImageGenerateParams.Size._256X256).build()));

      assertServiceError(e, 529, "server_error", "demo_unavailable", null, "#down");
    } finally {
      once.close();
    }
  }

  @Test
  void aStrictlyValidatingSdkAcceptsTheImagesAndLeavesOutTokenCountsTheVendorNeverReported() {
    // The demo model counts no tokens, so usage carries generated_images only (docs/api.md, "Usage"): strict
    // validation of usage, whose OpenAI schema requires token counts, is the one check that cannot hold for it.
    OpenAIClient strict = OpenAIOkHttpClient.builder().apiKey(KEY).baseUrl(stack.apiBase().resolve("/v1").toString())
        .build();
    try {
      ImagesResponse response = strict.images().generate(ImageGenerateParams.builder()
          .model("demo").prompt("a lighthouse").size(ImageGenerateParams.Size._256X256).build());

      response.data().orElseThrow().forEach(Image::validate);
      assertThat(response.created()).isPositive();
      assertThat(response.usage()).hasValueSatisfying(usage -> {
        assertThat(usage._inputTokens().isMissing()).isTrue();
        assertThat(usage._additionalProperties()).containsKey("generated_images");
      });
    } finally {
      strict.close();
    }
  }

  private static void assertServiceError(OpenAIServiceException e, int status, String type, String code,
      String param, String message) {
    assertThat(e).as("expected the SDK to throw").isNotNull();
    assertThat(e.statusCode()).isEqualTo(status);
    assertThat(e.type()).contains(type);
    assertThat(e.code()).contains(code);
    if (param == null) {
      assertThat(e.param()).isEmpty();
    } else {
      assertThat(e.param()).contains(param);
    }
    assertThat(e.getMessage()).contains(message);
  }

  private static byte[] png(int width, int height) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB), "png", out);
    return out.toByteArray();
  }

  private static void assertPng(byte[] png, int width, int height) throws Exception {
    assertThat(Arrays.copyOf(png, 8)).isEqualTo(PNG_SIGNATURE);
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(decoded.getWidth()).isEqualTo(width);
    assertThat(decoded.getHeight()).isEqualTo(height);
  }
}
