package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery tells the truth: the worker of the embedded stack has a key for DashScope only, so it announces the demo
 * and DashScope models, and the API marks OpenAI's models unavailable with the reason, leaves them out of
 * {@code /v1/models} and refuses submits to them at once.
 */
class ModelDiscoveryEndToEndTest {
  private static final String KEY = "sk-discovery-dev";

  @TempDir
  static Path data;
  static LocalStack stack;
  static ApiClient api;

  @BeforeAll
  static void startStack() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", "dev=" + KEY,
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "discovery-jobs-" + unique,
        "IMAGEGEN_S3_BUCKET", "discovery-" + unique,
        // Never called: the test only needs the worker to hold a key for one vendor.
        "DASHSCOPE_API_KEY", "sk-dashscope-unused",
        "IMAGEGEN_DISCOVERY_GRACE", "1s")));
    api = new ApiClient(stack.apiBase());
    // The worker announces itself as it starts; the API knows once the grace has passed.
    await().atMost(Duration.ofSeconds(30)).until(() -> model("demo").getValue("available") != null);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aModelWhoseVendorHasNoKeyOnAnyWorkerIsMarkedUnavailableWithTheReason() throws Exception {
    JsonObject gpt = model("gpt-image-1");

    assertThat(gpt.getBoolean("available")).as(gpt.encode()).isFalse();
    assertThat(gpt.getString("unavailable_reason"))
        .isEqualTo("no worker has an API key for provider openai (OPENAI_API_KEY)");
  }

  @Test
  void modelsAWorkerCanServeAreMarkedAvailable() throws Exception {
    assertThat(model("demo").getBoolean("available")).isTrue();
    assertThat(model("qwen-image-2.0").getBoolean("available")).isTrue();
    assertThat(model("demo").containsKey("unavailable_reason")).isFalse();
  }

  @Test
  void theOpenAiModelListLeavesUnavailableModelsOut() throws Exception {
    ApiClient.Response list = api.get("/v1/models", KEY);

    assertThat(list.status()).isEqualTo(200);
    List<String> ids = list.json().getJsonArray("data").stream().map(JsonObject.class::cast)
        .map(model -> model.getString("id")).toList();
    assertThat(ids).contains("demo", "qwen-image-2.0").doesNotContain("gpt-image-1", "dall-e-3");
  }

  @Test
  void aSubmitToAnUnavailableModelIsRefusedAtOnceNamingTheModel() throws Exception {
    ApiClient.Response refused = api.post("/v1/images/generations", KEY,
        "{\"model\":\"gpt-image-1\",\"prompt\":\"a lighthouse\",\"size\":\"1024x1024\"}");

    assertThat(refused.status()).as(refused.body()).isEqualTo(400);
    JsonObject error = refused.json().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("model_not_available");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("param")).isEqualTo("model");
    assertThat(error.getString("message")).contains("gpt-image-1", "OPENAI_API_KEY");
  }

  @Test
  void aSubmitToAnAvailableModelIsAccepted() throws Exception {
    ApiClient.Response accepted = api.post("/v1/images/generations", KEY,
        "{\"model\":\"demo\",\"prompt\":\"a lighthouse\",\"size\":\"64x64\"}");

    assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
  }

  private static JsonObject model(String id) throws Exception {
    ApiClient.Response models = api.get("/v1/images/models", KEY);
    assertThat(models.status()).as(models.body()).isEqualTo(200);
    return models.json().getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(model -> model.getString("id").equals(id)).findFirst().orElseThrow();
  }
}
