package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagegen.common.json.Json;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.fake.Behaviour;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.fake.PngCheck;
import io.imagegen.fake.RecordedRequest;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * One task through every provider over the real stack: API → Kafka → worker → the vendor's wire protocol (served
 * by the project's fake upstream) → S3 → a public URL; and big images through the adapters that spool them to disk.
 */
class ProvidersEndToEndTest {
  @TempDir
  static Path data;
  static Path spool;
  static FakeUpstream upstream;
  static LocalStack stack;
  static ApiClient api;

  @BeforeAll
  static void startStackAgainstTheFakeUpstream() throws Exception {
    upstream = FakeUpstream.start(0);
    spool = Files.createDirectories(data.resolve("spool"));
    Path catalog = data.resolve("models.json");
    Files.write(catalog, catalogPointingAt(upstream.baseUrl()));
    String unique = UUID.randomUUID().toString().substring(0, 8);
    stack = LocalStack.start(LocalStack.Options.defaults(data.resolve("stack")).withEnv(Map.ofEntries(
        Map.entry("IMAGEGEN_API_KEYS", EndToEndScenarios.API_KEYS),
        Map.entry("IMAGEGEN_MODEL_CATALOG", catalog.toString()),
        Map.entry("IMAGEGEN_KAFKA_JOBS_TOPIC", "providers-" + unique),
        Map.entry("IMAGEGEN_S3_BUCKET", "providers-" + unique),
        Map.entry("OPENAI_API_KEY", FakeUpstream.API_KEY),
        Map.entry("DASHSCOPE_API_KEY", FakeUpstream.API_KEY),
        Map.entry("ARK_API_KEY", FakeUpstream.API_KEY),
        Map.entry("GEMINI_API_KEY", FakeUpstream.API_KEY),
        Map.entry("IMAGEGEN_RELAY_API_KEY", FakeUpstream.API_KEY),
        Map.entry("IMAGEGEN_RELAY_BASE_URL", upstream.baseUrl()),
        Map.entry("IMAGEGEN_SPOOL_DIR", spool.toString()))));
    api = new ApiClient(stack.apiBase());
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

  @ParameterizedTest(name = "{0} via {1}")
  @CsvSource({
      "gpt-image-1, /v1/images/generations, 1024x1024",
      "wan2.2-t2i-flash, /api/v1/services/aigc/text2image/image-synthesis, 1024x1024",
      "seedream-4.5, /api/v3/images/generations, 2048x2048",
      "nano-banana-pro, /v1beta/models/gemini-3-pro-image-preview:generateContent, 1024x1024",
      "kling-image-o1, /v1/images/generations, 1024x1024"})
  void anAsyncTaskRunsThroughTheVendorProtocolAndEndsWithARehostedImage(String model, String vendorPath,
      String size) throws Exception {
    ApiClient.Response submitted = api.post("/v1/images/generations", EndToEndScenarios.DEV_KEY, new JsonObject()
        .put("model", model).put("prompt", "a test of " + model).put("size", size).encode());
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
    String id = submitted.json().getString("task_id");

    JsonObject done = EndToEndScenarios.awaitTerminal(api, id, EndToEndScenarios.DEV_KEY, new ArrayList<>());

    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("SUCCEEDED");
    String url = done.getJsonObject("result").getJsonArray("data").getJsonObject(0).getString("url");
    assertThat(url).startsWith(stack.s3().endpoint().toString()).doesNotContain(upstream.baseUrl());
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(api.download(url).body()));
    assertThat(image).isNotNull();
    List<RecordedRequest> calls = upstream.requests().stream()
        .filter(r -> r.path().equals(vendorPath) && r.bodyText().contains("a test of " + model)).toList();
    assertThat(calls).as("requests to %s", vendorPath).hasSize(1);
    String auth = calls.get(0).header("authorization") != null ? calls.get(0).header("authorization")
        : calls.get(0).header("x-goog-api-key");
    assertThat(auth).contains(FakeUpstream.API_KEY);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"gpt-image-1, 1024x1024", "seedream-4.5, 2048x2048", "nano-banana-pro, 1024x1024"})
  void aFourMegabyteImageIsSpooledByTheWorkerAndLandsInS3Intact(String model, String size) throws Exception {
    upstream.behave(Behaviour.normal().withImageBytes(4_000_000));
    try {
      ApiClient.Response submitted = api.post("/v1/images/generations", EndToEndScenarios.DEV_KEY, new JsonObject()
          .put("model", model).put("prompt", "a big test of " + model).put("size", size).encode());
      assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);

      JsonObject done = EndToEndScenarios.awaitTerminal(api, submitted.json().getString("task_id"),
          EndToEndScenarios.DEV_KEY, new ArrayList<>());

      assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("SUCCEEDED");
      JsonObject image = done.getJsonObject("result").getJsonArray("data").getJsonObject(0);
      byte[] stored = api.download(image.getString("url")).body();
      assertThat(stored).hasSize(4_000_000);
      assertThat(PngCheck.intact(stored)).as("every PNG chunk's CRC holds").isTrue();
      try (Stream<Path> left = Files.list(spool)) {
        assertThat(left).as("spool files left behind").isEmpty();
      }
    } finally {
      upstream.behave(Behaviour.normal());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"dall-e-3"})
  void aSynchronousVendorModelAnswersInTheSameRequest(String model) throws Exception {
    ApiClient.Response answered = api.post("/v1/images/generations", EndToEndScenarios.DEV_KEY, new JsonObject()
        .put("model", model).put("prompt", "a sync test").put("size", "1024x1024").encode());

    assertThat(answered.status()).as(answered.body()).isEqualTo(200);
    JsonObject image = answered.json().getJsonArray("data").getJsonObject(0);
    assertThat(image.getString("revised_prompt")).isNotBlank();
    assertThat(ImageIO.read(new ByteArrayInputStream(api.download(image.getString("url")).body())).getWidth())
        .isEqualTo(1024);
  }

  /** The bundled catalog with every vendor model's base URL pointed at the fake upstream. */
  private static byte[] catalogPointingAt(String baseUrl) throws Exception {
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
