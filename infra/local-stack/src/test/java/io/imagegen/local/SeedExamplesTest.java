package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagegen.common.json.Json;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.fake.FakeUpstream;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every request example of the API contract (the seeds), sent as written against the embedded stack with the fake
 * vendors configured, succeeds. The only changes: the edit example's remote URL becomes a data URL (no network
 * here), and seed 000's placeholder model name becomes a real one (it names no model and carries no prompt).
 */
class SeedExamplesTest {
  private static final String KEY = "sk-seed-dev";
  /** A 64x64 PNG, the edit example's input image. */
  private static String inputDataUrl;

  @TempDir
  static Path data;
  static FakeUpstream upstream;
  static LocalStack stack;
  static ApiClient api;

  @BeforeAll
  static void startStackWithEveryVendorConfigured() throws Exception {
    upstream = FakeUpstream.start(0);
    Path catalog = data.resolve("models.json");
    Files.write(catalog, bundledCatalogPointingAt(upstream.baseUrl()));
    String unique = UUID.randomUUID().toString().substring(0, 8);
    stack = LocalStack.start(LocalStack.Options.defaults(data.resolve("stack")).withEnv(Map.ofEntries(
        Map.entry("IMAGEGEN_API_KEYS", "seed=" + KEY),
        Map.entry("IMAGEGEN_MODEL_CATALOG", catalog + "," + ModelCatalog.DEMO),
        Map.entry("IMAGEGEN_KAFKA_JOBS_TOPIC", "seeds-" + unique),
        Map.entry("IMAGEGEN_S3_BUCKET", "seeds-" + unique),
        Map.entry("IMAGEGEN_DEMO_LATENCY", "10ms"),
        Map.entry("OPENAI_API_KEY", FakeUpstream.API_KEY),
        Map.entry("DASHSCOPE_API_KEY", FakeUpstream.API_KEY),
        Map.entry("ARK_API_KEY", FakeUpstream.API_KEY),
        Map.entry("GEMINI_API_KEY", FakeUpstream.API_KEY),
        Map.entry("IMAGEGEN_RELAY_API_KEY", FakeUpstream.API_KEY),
        Map.entry("IMAGEGEN_RELAY_BASE_URL", upstream.baseUrl()))));
    api = new ApiClient(stack.apiBase());
    ApiClient.Response demo = api.post("/v1/images/generations", KEY,
        "{\"model\":\"demo\",\"prompt\":\"an input\",\"size\":\"64x64\",\"response_format\":\"b64_json\"}");
    inputDataUrl = "data:image/png;base64," + demo.json().getJsonArray("data").getJsonObject(0).getString("b64_json");
  }

  @AfterAll
  static void stopAll() {
    if (stack != null) {
      stack.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void seed002sGenerationExampleAnswersAnInlineImageOfTheRequestedSizeWithHonestUsage() throws Exception {
    ApiClient.Response answer = api.post("/v1/images/generations", KEY, """
        {
        "model": "qwen-image-2.0",
        "prompt": "Generate an image showcasing AI image generation capabilities.",
        "size": "1024x1024",
        "n": 1,
        "quality": "auto"
        }""");

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    JsonObject body = answer.json();
    assertThat(body.getString("model")).isEqualTo("qwen-image-2.0");
    assertThat(body.getString("size")).isEqualTo("1024x1024");
    String b64 = body.getJsonArray("data").getJsonObject(0).getString("b64_json");
    assertThat(Base64.getDecoder().decode(b64)).startsWith(0x89, 'P', 'N', 'G');
    assertThat(body.getJsonObject("usage")).isEqualTo(new JsonObject().put("generated_images", 1));
    assertThat(upstream.requests()).anySatisfy(r -> {
      assertThat(r.path()).isEqualTo("/api/v1/services/aigc/multimodal-generation/generation");
      assertThat(r.bodyText()).contains("\"size\":\"1024*1024\"", "showcasing AI image generation");
    });
  }

  @Test
  void seed002sEditExampleSendsTheImageBeforeTheTextAndAnswersTheEditedImage() throws Exception {
    ApiClient.Response answer = api.post("/v1/images/generations", KEY, """
        {
        "model": "qwen-image-2.0",
        "prompt": "Keep the subject and change the background to a clean product studio.",
        "image": "%s",
        "size": "1024x1024",
        "quality": "auto"
        }""".formatted(inputDataUrl));

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.json().getJsonArray("data").getJsonObject(0).getString("b64_json")).isNotBlank();
    assertThat(upstream.requests()).anySatisfy(r -> {
      JsonObject sent = new JsonObject(r.bodyText());
      var content = sent.getJsonObject("input").getJsonArray("messages").getJsonObject(0).getJsonArray("content");
      assertThat(content.getJsonObject(0).getString("image")).startsWith("data:image/png;base64,");
      assertThat(content.getJsonObject(1).getString("text")).startsWith("Keep the subject");
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "curl | {\"model\": \"dall-e-3\", \"prompt\": \"A cute cat walking in space, realistic style\", \"n\": 1, "
          + "\"size\": \"1024x1024\"}",
      "python | {\"model\": \"dall-e-3\", \"prompt\": \"A cute cat walking in space, realistic style\", "
          + "\"size\": \"1024x1024\", \"quality\": \"standard\", \"n\": 1}"})
  void seed003sDallE3ExamplesAnswerAUrlByDefault(String example, String body) throws Exception {
    ApiClient.Response answer = api.post("/v1/images/generations", KEY, body);

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.json().getJsonArray("data").getJsonObject(0).getString("url"))
        .startsWith(stack.s3().endpoint().toString());
    assertThat(answer.json().getString("model")).isEqualTo("dall-e-3");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "kling-image-o1 | \"n\": 2, \"size\": \"1024x1024\"",
      "seedream-4.5 | \"seed\": 42, \"watermark\": false, \"response_format\": \"url\", "
          + "\"sequential_image_generation\": \"disabled\"",
      "seedream-4.0 | \"seed\": 7, \"watermark\": true, \"response_format\": \"b64_json\", "
          + "\"sequential_image_generation\": \"auto\"",
      "dola-seedream-5.0-lite | \"seed\": 3, \"watermark\": false",
      "nano-banana-pro | \"ratio\": \"16:9\", \"quality\": \"2K\"",
      "glm-image | \"size\": \"1024x1024\""})
  void seed001sModelSpecificControlsAreAcceptedAndTheTaskSucceeds(String model, String controls) throws Exception {
    ApiClient.Response submitted = api.post("/v1/images/generations", KEY,
        "{\"model\": \"" + model + "\", \"prompt\": \"a test of " + model + "\", " + controls + "}");

    assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
    JsonObject done = EndToEndScenarios.awaitTerminal(api, submitted.json().getString("task_id"), KEY,
        new ArrayList<>());
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("SUCCEEDED");
  }

  @Test
  void seed000sEnvelopeExampleAnswersTheEnvelopeWithTheImages() throws Exception {
    ApiClient.Response answer = api.post("/api/v1/images/generations", KEY,
        "{\"model\": \"demo\", \"prompt\": \"your prompt\"}");

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.json().getBoolean("success")).isTrue();
    assertThat(answer.json().getString("code")).isEqualTo("200");
    assertThat(answer.json().getString("message")).isEqualTo("successful");
    assertThat(answer.json().getJsonObject("data").getJsonArray("data")).hasSize(1);
  }

  @Test
  void aRequestWithoutAModelUsesTheDeploymentsDefault() throws Exception {
    ApiClient.Response answer = api.post("/v1/images/generations", KEY, "{\"prompt\": \"no model named\"}");

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.json().getString("model")).isEqualTo("demo");
  }

  @Test
  void aModerationRefusalOnASyncRequestIsA400ContentPolicyViolation() throws Exception {
    ApiClient.Response answer = api.post("/v1/images/generations", KEY,
        "{\"model\": \"demo\", \"prompt\": \"#refuse this\"}");

    assertThat(answer.status()).as(answer.body()).isEqualTo(400);
    assertThat(answer.json().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(answer.json().getJsonObject("error").getString("code")).isEqualTo("content_policy_violation");
  }

  /** The bundled catalog with every vendor model's base URL pointed at the fake upstream. */
  private static byte[] bundledCatalogPointingAt(String baseUrl) throws Exception {
    try (InputStream in = ModelCatalog.class.getResourceAsStream(ModelCatalog.BUNDLED)) {
      JsonNode root = Json.MAPPER.readTree(in);
      for (JsonNode model : root.get("models")) {
        if (model.has("base_url")) {
          ((ObjectNode) model).put("base_url", baseUrl);
        }
      }
      return Json.MAPPER.writeValueAsBytes(root);
    }
  }
}
