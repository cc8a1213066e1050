package io.imagegen.local;

import static io.imagegen.local.EndToEndScenarios.DEV_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.config.Env;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.S3Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * Retention for real, on the embedded stack (whose S3 server has no lifecycle rules): once a task's retention has
 * passed, the workers' sweeper deletes every object of it, and the API says the task expired.
 */
class RetentionEndToEndTest {
  @TempDir
  static Path data;
  static LocalStack stack;
  static ApiClient api;
  static Vertx vertx;
  static ObjectStore bucket;

  @BeforeAll
  static void startStack() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", EndToEndScenarios.API_KEYS,
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "retention-" + unique,
        "IMAGEGEN_S3_BUCKET", "retention-" + unique,
        "IMAGEGEN_DEMO_LATENCY", "0",
        // Long enough for a task to finish on a busy two-core machine, short enough for the test.
        "IMAGEGEN_RESULT_RETENTION", "15s")));
    api = new ApiClient(stack.apiBase());
    vertx = Vertx.vertx();
    bucket = ObjectStore.s3(vertx, S3Settings.from(new Env(stack.serviceEnv())));
  }

  @AfterAll
  static void stopStack() {
    if (bucket != null) {
      bucket.close();
      vertx.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void afterItsRetentionATaskIsExpiredItsImageIsGoneAndNoObjectOfItIsLeft() throws Exception {
    ApiClient.Response submitted = api.post("/v1/images/generations", DEV_KEY, new JsonObject()
        .put("model", "demo-async").put("prompt", "keep me briefly").put("size", "64x64")
        .put("image", new JsonArray().add(pngDataUrl())).encode(), "retention-" + UUID.randomUUID());
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
    String id = submitted.json().getString("task_id");

    List<String> urls = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      ApiClient.Response polled = api.get("/v1/images/generations/" + id, DEV_KEY);
      JsonObject task = polled.json();
      assertThat(task.getString("status")).as(polled.body()).isEqualTo("SUCCEEDED");
      urls.add(task.getJsonObject("result").getJsonArray("data").getJsonObject(0).getString("url"));
    });
    assertThat(keysOf(id)).as("objects of the task while it lives").isNotEmpty();

    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(keysOf(id)).isEmpty());

    ApiClient.Response expired = api.get("/v1/images/generations/" + id, DEV_KEY);
    assertThat(expired.status()).isEqualTo(404);
    assertThat(expired.json().getJsonObject("error").getString("code")).isEqualTo("task_expired");
    assertThat(api.download(urls.get(0)).statusCode()).isIn(403, 404);
  }

  /** Every key in the bucket that belongs to task {@code id}: its record, images, inputs, image records, claim. */
  private static List<String> keysOf(String id) {
    List<String> keys = new ArrayList<>();
    for (String prefix : List.of("tasks/" + id, "images/" + id + "/", "inputs/" + id + "/", "owners/dev/images/",
        "idempotency/dev/")) {
      keys.addAll(bucket.list(prefix, null, 1000).await().keys());
    }
    return keys;
  }

  private static String pngDataUrl() throws Exception {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", png);
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
  }
}
