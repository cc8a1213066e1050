package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the API admits: per-key rates, per-key models, a bounded backlog, and one task per Idempotency-Key. Shedding
 * runs last because once the backlog is full every submit is refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionControlTest {
  private static final String BODY = "{\"model\":\"demo-async\",\"prompt\":\"admitted?\",\"size\":\"64x64\"}";

  @TempDir
  static Path data;
  static LocalStack stack;
  static ApiClient api;

  @BeforeAll
  static void startStackWithoutWorkers() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    // No workers: every accepted job stays in the backlog, which makes shedding observable.
    stack = LocalStack.start(LocalStack.Options.defaults(data).withWorkers(0).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", "burst=sk-burst,limited=sk-limited,fill=sk-fill,idem=sk-idem",
        "IMAGEGEN_API_KEY_MODELS", "limited=demo",
        "IMAGEGEN_RATE_LIMIT_SUBMITS_PER_SECOND", "1",
        "IMAGEGEN_RATE_LIMIT_SUBMIT_BURST", "3",
        // Above the four jobs the first three tests enqueue (depth is measured every second): only the last sheds.
        "IMAGEGEN_MAX_QUEUE_DEPTH", "5",
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "admission-" + unique,
        "IMAGEGEN_S3_BUCKET", "admission-" + unique)));
    api = new ApiClient(stack.apiBase());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void aKeyThatSubmitsFasterThanItsRateGets429WithRetryAfter() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(api.post("/v1/images/generations", "sk-burst", BODY).status()).isEqualTo(200);
    }

    ApiClient.Response limited = api.post("/v1/images/generations", "sk-burst", BODY);

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.json().getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
    assertThat(Integer.parseInt(limited.raw().headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 2);
  }

  @Test
  @Order(2)
  void aKeyLimitedToOtherModelsGets403() throws Exception {
    ApiClient.Response refused = api.post("/v1/images/generations", "sk-limited", BODY);

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().getJsonObject("error").getString("code")).isEqualTo("model_not_allowed");
    assertThat(refused.json().getJsonObject("error").getString("param")).isEqualTo("model");
  }

  @Test
  @Order(4)
  void aBacklogPastTheLimitIsShedWith503() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1100)).untilAsserted(() -> {
      ApiClient.Response response = api.post("/v1/images/generations", "sk-fill", BODY);
      assertThat(response.status()).as(response.body()).isEqualTo(503);
      assertThat(response.json().getJsonObject("error").getString("code")).isEqualTo("queue_full");
      assertThat(response.raw().headers().firstValue("Retry-After")).isPresent();
    });
  }

  @Test
  @Order(3)
  void aRetriedSubmitWithTheSameIdempotencyKeyGetsTheSameTaskAndADifferentBodyIsRefused() throws Exception {
    String key = "order-" + UUID.randomUUID();

    ApiClient.Response first = api.post("/v1/images/generations", "sk-idem", BODY, key);
    ApiClient.Response retry = api.post("/v1/images/generations", "sk-idem",
        "{\"size\":\"64x64\",\"prompt\":\"admitted?\",\"model\":\"demo-async\"}", key);
    ApiClient.Response changed = api.post("/v1/images/generations", "sk-idem",
        "{\"model\":\"demo-async\",\"prompt\":\"something else\",\"size\":\"64x64\"}", key);

    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(retry.status()).as(retry.body()).isEqualTo(200);
    assertThat(retry.json().getString("task_id")).isEqualTo(first.json().getString("task_id"));
    assertThat(changed.status()).isEqualTo(409);
    assertThat(changed.json().getJsonObject("error").getString("code")).isEqualTo("idempotency_key_reused");
  }
}
