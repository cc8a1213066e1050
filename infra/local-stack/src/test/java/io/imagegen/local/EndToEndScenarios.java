package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.config.Env;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.S3Settings;
import io.imagegen.common.tasks.TaskIds;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton's promises, checked over HTTP against a running system (real broker, real S3 server, both
 * services). Subclasses decide how that system is started.
 */
abstract class EndToEndScenarios {
  static final String DEV_KEY = "sk-e2e-dev";
  static final String OTHER_KEY = "sk-e2e-other";
  static final String API_KEYS = "dev=" + DEV_KEY + ",other=" + OTHER_KEY;
  /** Body limit the subclasses configure, small so that the 413 test stays cheap. */
  static final int MAX_BODY_BYTES = 1024 * 1024;
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  abstract URI apiBase();

  /** Where the S3 server listens, for checking what an anonymous client can read. */
  abstract URI s3Endpoint();

  abstract String bucket();

  ApiClient client() {
    return new ApiClient(apiBase());
  }

  @Test
  void anAsyncTaskIsQueuedThenRunsThenSucceedsWithAPngAnyoneCanDownload() throws Exception {
    ApiClient api = client();
    ApiClient.Response submitted = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"a lighthouse at dusk\",\"size\":\"512x384\"}");

    assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
    JsonObject task = submitted.json();
    String id = task.getString("task_id");
    assertThat(id).matches("image_[0-9a-f]{24}");
    assertThat(task.getString("id")).isEqualTo(id);
    assertThat(task.getString("object")).isEqualTo("image.generation.task");
    assertThat(task.getString("status")).isEqualTo("QUEUED");
    assertThat(task.getLong("created_at")).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
    assertThat(task.getString("model")).isEqualTo("demo-async");
    assertThat(task.getString("prompt")).isEqualTo("a lighthouse at dusk");
    assertThat(task.getString("size")).isEqualTo("512x384");
    assertThat(task.getString("quality")).isEqualTo("auto");
    assertThat(task.getString("mode")).isEqualTo("generation");
    assertThat(task.containsKey("owner")).isFalse();

    List<String> seen = new ArrayList<>(List.of("QUEUED"));
    JsonObject done = awaitTerminal(api, id, DEV_KEY, seen);

    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("SUCCEEDED");
    assertThat(seen).containsSubsequence("QUEUED", "RUNNING", "SUCCEEDED");
    JsonObject result = done.getJsonObject("result");
    assertThat(result.getLong("created")).isPositive();
    assertThat(result.getJsonObject("usage").getInteger("generated_images")).isEqualTo(1);
    assertThat(result.getJsonArray("data")).hasSize(1);
    JsonObject image = result.getJsonArray("data").getJsonObject(0);
    assertThat(image.getString("revised_prompt")).isEqualTo("a lighthouse at dusk");
    assertThat(image.containsKey("storage_key")).isFalse();

    HttpResponse<byte[]> download = api.download(image.getString("url"));
    assertThat(download.statusCode()).isEqualTo(200);
    byte[] png = download.body();
    assertThat(Arrays.copyOf(png, 8)).isEqualTo(PNG_SIGNATURE);
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(decoded.getWidth()).isEqualTo(512);
    assertThat(decoded.getHeight()).isEqualTo(384);
  }

  @Test
  void aRequestForSeveralImagesGetsThatManyDistinctUrls() throws Exception {
    ApiClient api = client();
    ApiClient.Response submitted = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"three moons\",\"size\":\"128x128\",\"n\":3}");
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);

    JsonObject done = awaitTerminal(api, submitted.json().getString("task_id"), DEV_KEY, new ArrayList<>());

    assertThat(done.getString("status")).isEqualTo("SUCCEEDED");
    List<String> urls = new ArrayList<>();
    done.getJsonObject("result").getJsonArray("data").forEach(item -> urls.add(((JsonObject) item).getString("url")));
    assertThat(urls).hasSize(3).doesNotHaveDuplicates();
    for (String url : urls) {
      assertThat(api.download(url).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aModelFailureEndsTheTaskFailedWithAnErrorAndNoResult() throws Exception {
    ApiClient api = client();
    ApiClient.Response submitted = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"please #fail now\",\"size\":\"256x256\"}");
    assertThat(submitted.status()).isEqualTo(200);

    JsonObject done = awaitTerminal(api, submitted.json().getString("task_id"), DEV_KEY, new ArrayList<>());

    assertThat(done.getString("status")).isEqualTo("FAILED");
    assertThat(done.getJsonObject("error").getString("code")).isEqualTo("demo_failure");
    assertThat(done.getJsonObject("error").getString("message")).contains("#fail");
    assertThat(done.containsKey("result")).isFalse();
  }

  @Test
  void aTransientModelFailureIsRetriedAndTheTaskStillSucceeds() throws Exception {
    ApiClient api = client();
    ApiClient.Response submitted = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"a #flaky start\",\"size\":\"256x256\"}");

    JsonObject done = awaitTerminal(api, submitted.json().getString("task_id"), DEV_KEY, new ArrayList<>());

    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("SUCCEEDED");
  }

  @Test
  void anotherKeyCannotSeeTheTaskAndGetsTheSameAnswerAsForAMissingOne() throws Exception {
    ApiClient api = client();
    String id = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"private\",\"size\":\"64x64\"}").json().getString("task_id");

    ApiClient.Response foreign = api.get("/v1/images/generations/" + id, OTHER_KEY);
    // A well-formed id of a task created now that does not exist (an old one would have expired).
    ApiClient.Response missing = api.get("/v1/images/generations/" + TaskIds.next(Instant.now()), OTHER_KEY);

    assertThat(foreign.status()).isEqualTo(404);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(foreign.json().getJsonObject("error").getString("code"))
        .isEqualTo(missing.json().getJsonObject("error").getString("code"))
        .isEqualTo("task_not_found");
    assertThat(foreign.body()).doesNotContain("private");
  }

  @Test
  void requestsWithoutAValidKeyAreRejectedButHealthIsOpen() throws Exception {
    ApiClient api = client();

    ApiClient.Response none = api.post("/v1/images/generations", null, "{\"model\":\"demo-async\",\"prompt\":\"x\"}");
    ApiClient.Response wrong = api.get("/v1/images/generations/image_000000000000000000000000", "sk-wrong");
    ApiClient.Response health = api.get("/health", null);

    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().getJsonObject("error").getString("type")).isEqualTo("authentication_error");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(health.status()).isEqualTo(200);
  }

  @Test
  void badInputGetsA400InTheSeedErrorShapeNamingTheField() throws Exception {
    ApiClient api = client();

    ApiClient.Response size = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"size\":\"1024\u00d71024\"}");
    ApiClient.Response format = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"response_format\":\"png\"}");
    ApiClient.Response malformed = api.post("/v1/images/generations", DEV_KEY, "{\"model\":");
    ApiClient.Response unknownModel = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"no-such-model\",\"prompt\":\"x\"}");

    assertThat(size.status()).isEqualTo(400);
    assertThat(size.json().getJsonObject("error").getString("param")).isEqualTo("size");
    assertThat(size.json().getJsonObject("error").getString("message")).contains("lowercase x");
    assertThat(format.status()).isEqualTo(400);
    assertThat(format.json()).isEqualTo(new JsonObject().put("error", new JsonObject()
        .put("message", "response_format must be one of: b64_json, url")
        .put("type", "invalid_request_error")
        .put("code", "invalid_image_request")
        .put("param", "response_format")));
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().getJsonObject("error").getString("code")).isEqualTo("invalid_json");
    assertThat(unknownModel.status()).isEqualTo(404);
    assertThat(unknownModel.json().getJsonObject("error").getString("code")).isEqualTo("model_not_found");
  }

  @Test
  void aSynchronousModelAnswersTheOpenAiImagesResponseInTheSameRequest() throws Exception {
    ApiClient api = client();

    ApiClient.Response asUrl = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo\",\"prompt\":\"a sync fox\",\"size\":\"128x96\"}");
    ApiClient.Response inline = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo\",\"prompt\":\"an inline fox\",\"size\":\"96x64\",\"response_format\":\"b64_json\"}");

    assertThat(asUrl.status()).as(asUrl.body()).isEqualTo(200);
    assertThat(asUrl.json().getLong("created")).isPositive();
    assertThat(asUrl.json().getJsonObject("usage").getInteger("generated_images")).isEqualTo(1);
    // The demo model reports no tokens, so none are shown (docs/api.md, "Usage").
    assertThat(asUrl.json().getJsonObject("usage").fieldNames()).containsExactly("generated_images");
    String url = asUrl.json().getJsonArray("data").getJsonObject(0).getString("url");
    assertThat(ImageIO.read(new ByteArrayInputStream(api.download(url).body())).getWidth()).isEqualTo(128);
    assertThat(inline.status()).as(inline.body()).isEqualTo(200);
    JsonObject image = inline.json().getJsonArray("data").getJsonObject(0);
    assertThat(image.containsKey("url")).isFalse();
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(
        java.util.Base64.getDecoder().decode(image.getString("b64_json"))));
    assertThat(decoded.getWidth()).isEqualTo(96);
    assertThat(decoded.getHeight()).isEqualTo(64);
  }

  @Test
  void aSynchronousFailureIsAnOpenAiErrorNotATask() throws Exception {
    ApiClient.Response failed = client().post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo\",\"prompt\":\"sync #fail\",\"size\":\"64x64\"}");

    assertThat(failed.status()).isEqualTo(502);
    assertThat(failed.json().getJsonObject("error").getString("code")).isEqualTo("demo_failure");
    // OpenAI SDKs retry 5xx by default; a permanent failure must tell them not to resubmit (and re-bill).
    assertThat(failed.raw().headers().firstValue("X-Should-Retry")).contains("false");
  }

  @Test
  void aCancelledTaskEndsCancelledAndStaysThatWay() throws Exception {
    ApiClient api = client();
    String id = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"never mind #slow\",\"size\":\"64x64\"}").json().getString("task_id");

    ApiClient.Response cancelled = api.post("/v1/images/generations/" + id + "/cancel", DEV_KEY, "");
    ApiClient.Response foreign = api.post("/v1/images/generations/" + id + "/cancel", OTHER_KEY, "");

    assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
    assertThat(cancelled.json().getString("status")).isEqualTo("CANCELLED");
    assertThat(foreign.status()).isEqualTo(404);
    // Give the worker time to finish the (now pointless) slow render: it must not overwrite the cancellation.
    await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonObject task = api.get("/v1/images/generations/" + id, DEV_KEY).json();
      assertThat(task.getString("status")).isEqualTo("CANCELLED");
      assertThat(task.containsKey("result")).isFalse();
    });
    ApiClient.Response again = api.post("/v1/images/generations/" + id + "/cancel", DEV_KEY, "");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getJsonObject("error").getString("code")).isEqualTo("task_not_cancellable");
  }

  @Test
  void aLongPollReturnsAsSoonAsTheTaskIsDone() throws Exception {
    ApiClient api = client();
    String id = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"waiting\",\"size\":\"64x64\"}").json().getString("task_id");

    long started = System.nanoTime();
    ApiClient.Response done = api.get("/v1/images/generations/" + id + "?wait=30", DEV_KEY);
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(done.json().getString("status")).isEqualTo("SUCCEEDED");
    assertThat(tookMs).isLessThan(10_000);
    assertThat(api.get("/v1/images/generations/" + id + "?wait=forever", DEV_KEY).status()).isEqualTo(400);
  }

  @Test
  void anEventStreamShowsEachStatusAndEndsAfterTheLastOne() throws Exception {
    ApiClient api = client();
    String id = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"streamed\",\"size\":\"64x64\"}").json().getString("task_id");

    List<JsonObject> events = api.stream("/v1/images/generations/" + id, DEV_KEY);

    assertThat(events).isNotEmpty();
    List<String> statuses = events.stream().map(e -> e.getString("status")).toList();
    assertThat(statuses).doesNotHaveDuplicates().last().isEqualTo("SUCCEEDED");
    assertThat(events.get(events.size() - 1).getJsonObject("result").getJsonArray("data")).hasSize(1);
  }

  @Test
  void modelDiscoveryServesTheCatalog() throws Exception {
    ApiClient api = client();

    JsonObject openAi = api.get("/v1/models", DEV_KEY).json();
    JsonObject images = api.get("/v1/images/models", DEV_KEY).json();
    ApiClient.Response endpoints = api.get("/v1/images/models/imagegen/demo-async/endpoints", DEV_KEY);
    ApiClient.Response unknown = api.get("/v1/images/models/nobody/nothing/endpoints", DEV_KEY);

    assertThat(openAi.getString("object")).isEqualTo("list");
    // Vendor models without a key on the workers leave the list (docs/api.md#model-availability).
    assertThat(openAi.getJsonArray("data").stream().map(m -> ((JsonObject) m).getString("id")))
        .contains("demo", "demo-async");
    JsonObject demoAsync = images.getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(m -> m.getString("id").equals("demo-async")).findFirst().orElseThrow();
    assertThat(demoAsync.getJsonObject("features").getBoolean("async_only")).isTrue();
    assertThat(demoAsync.getJsonArray("supported_parameters").getList()).contains("prompt", "size", "seed", "image");
    assertThat(demoAsync.getString("endpoints_url")).isEqualTo("/v1/images/models/imagegen/demo-async/endpoints");
    JsonObject endpoint = endpoints.json().getJsonObject("data").getJsonArray("endpoints").getJsonObject(0);
    assertThat(endpoint.getJsonObject("supported_parameters").getJsonObject("quality").getJsonArray("enum").getList())
        .containsExactly("auto", "low", "medium", "high");
    assertThat(endpoint.getJsonObject("limits").getInteger("max_n")).isEqualTo(4);
    assertThat(endpoint.getJsonObject("pricing").getString("currency")).isEqualTo("USD");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(api.get("/v1/models", null).status()).isEqualTo(401);
  }

  @Test
  void theApiV1FamilyAnswersInTheSuccessEnvelope() throws Exception {
    ApiClient api = client();

    ApiClient.Response submitted = api.post("/api/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"enveloped\",\"size\":\"64x64\"}");
    ApiClient.Response bad = api.post("/api/v1/images/generations", DEV_KEY, "{\"model\":\"demo-async\"}");
    ApiClient.Response anonymous = api.post("/api/v1/images/generations", null, "{}");

    assertThat(submitted.status()).isEqualTo(200);
    assertThat(submitted.json().getBoolean("success")).isTrue();
    assertThat(submitted.json().getString("code")).isEqualTo("200");
    assertThat(submitted.json().getString("message")).isEqualTo("successful");
    String id = submitted.json().getJsonObject("data").getString("task_id");
    JsonObject task = api.get("/api/v1/tasks/" + id, DEV_KEY).json();
    assertThat(task.getBoolean("success")).isTrue();
    assertThat(task.getJsonObject("data").getString("object")).isEqualTo("image.generation.task");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getBoolean("success")).isFalse();
    assertThat(bad.json().getString("code")).isEqualTo("400");
    assertThat(bad.json().getString("message")).contains("prompt");
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.json()).isEqualTo(new JsonObject().put("success", false).put("code", "401")
        .put("message", "Unauthorized").put("error_code", "invalid_api_key"));
  }

  @Test
  void anEditTakesItsInputAsADataUrlAndStoresItPrivately() throws Exception {
    ApiClient api = client();
    byte[] png = api.download(finishedImageUrl(api, "an input")).body();
    String dataUrl = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png);

    ApiClient.Response submitted = api.post("/v1/images/generations", DEV_KEY, new JsonObject()
        .put("model", "demo-async").put("prompt", "make it blue").put("size", "64x64")
        .put("image", new io.vertx.core.json.JsonArray().add(dataUrl).add(new JsonObject().put("b64_json",
            java.util.Base64.getEncoder().encodeToString(png)))).encode());

    assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
    assertThat(submitted.json().getString("mode")).isEqualTo("edit");
    String id = submitted.json().getString("task_id");
    JsonObject done = awaitTerminal(api, id, DEV_KEY, new ArrayList<>());
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("SUCCEEDED");
    assertThat(done.getJsonObject("result").getJsonArray("data").getJsonObject(0).getString("revised_prompt"))
        .isEqualTo("make it blue (edit of 2 image(s))");
    assertThat(api.download(s3Endpoint() + "/" + bucket() + "/inputs/" + id + "/0").statusCode()).isEqualTo(403);
  }

  @Test
  void imageUrlsThatPointIntoPrivateNetworksOrAreNotImagesAreRefused() throws Exception {
    ApiClient api = client();

    for (String url : List.of("http://127.0.0.1:" + apiBase().getPort() + "/health",
        "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/x.png", "file:///etc/passwd", "not base64!")) {
      ApiClient.Response refused = api.post("/v1/images/generations", DEV_KEY, new JsonObject()
          .put("model", "demo-async").put("prompt", "edit").put("image", url).encode());
      assertThat(refused.status()).as(url + " -> " + refused.body()).isEqualTo(400);
      assertThat(refused.json().getJsonObject("error").getString("param")).isEqualTo("image");
    }
    ApiClient.Response tooMany = api.post("/v1/images/generations", DEV_KEY, new JsonObject()
        .put("model", "demo-async").put("prompt", "edit")
        .put("image", new io.vertx.core.json.JsonArray(List.of("a", "b", "c", "d", "e"))).encode());
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.json().getJsonObject("error").getString("message")).contains("at most 4");
  }

  @Test
  void theOwnerCanListDownloadAndDeleteTheirImagesAndNobodyElseCan() throws Exception {
    ApiClient api = client();
    String url = finishedImageUrl(api, "a listed image");

    // The image record follows the terminal status by a moment (docs/architecture.md, "Storage layout").
    JsonObject listed = await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/images?limit=100", DEV_KEY)
        .json().getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(image -> image.getString("url").equals(url)).findFirst(), java.util.Optional::isPresent).orElseThrow();
    String imageId = listed.getString("id");
    assertThat(listed.getString("object")).isEqualTo("image");
    assertThat(api.get("/v1/images?limit=100", OTHER_KEY).json().getJsonArray("data").encode()).doesNotContain(imageId);
    assertThat(api.get("/v1/images?limit=1", DEV_KEY).json().getJsonArray("data")).hasSize(1);

    HttpResponse<byte[]> content = api.getBytes("/v1/images/" + imageId + "/content", DEV_KEY);
    assertThat(content.statusCode()).isEqualTo(200);
    assertThat(content.headers().firstValue("Content-Type")).contains("image/png");
    assertThat(content.body()).isEqualTo(api.download(url).body());
    assertThat(api.getBytes("/v1/images/" + imageId + "/content", OTHER_KEY).statusCode()).isEqualTo(404);
    assertThat(api.delete("/v1/images/" + imageId, OTHER_KEY).status()).isEqualTo(404);

    ApiClient.Response deleted = api.delete("/v1/images/" + imageId, DEV_KEY);

    assertThat(deleted.json().getBoolean("deleted")).isTrue();
    assertThat(api.getBytes("/v1/images/" + imageId + "/content", DEV_KEY).statusCode()).isEqualTo(404);
    assertThat(api.download(url).statusCode()).isNotEqualTo(200);
  }

  /** Runs one small task to completion and returns its image URL. */
  private String finishedImageUrl(ApiClient api, String prompt) throws Exception {
    String id = api.post("/v1/images/generations", DEV_KEY, new JsonObject().put("model", "demo-async")
        .put("prompt", prompt).put("size", "64x64").encode()).json().getString("task_id");
    JsonObject done = awaitTerminal(api, id, DEV_KEY, new ArrayList<>());
    return done.getJsonObject("result").getJsonArray("data").getJsonObject(0).getString("url");
  }

  @Test
  void routingAndSizeErrorsAreJsonToo() throws Exception {
    ApiClient api = client();

    ApiClient.Response unknownPath = api.get("/v1/nothing-here", DEV_KEY);
    ApiClient.Response wrongMethod = api.get("/v1/images/variations", DEV_KEY);
    ApiClient.Response tooLarge = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"" + "x".repeat(MAX_BODY_BYTES + 1) + "\"}");

    assertThat(unknownPath.status()).isEqualTo(404);
    assertThat(unknownPath.json().getJsonObject("error").getString("code")).isEqualTo("unknown_url");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.json().getJsonObject("error").getString("code")).isEqualTo("method_not_allowed");
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.json().getJsonObject("error").getString("code")).isEqualTo("request_too_large");
  }

  @Test
  void taskRecordsAreNeverPubliclyReadableFromTheStore() throws Exception {
    ApiClient api = client();
    String id = api.post("/v1/images/generations", DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"secret prompt\",\"size\":\"64x64\"}").json().getString("task_id");
    awaitTerminal(api, id, DEV_KEY, new ArrayList<>());

    HttpResponse<byte[]> anonymous = api.download(s3Endpoint() + "/" + bucket() + "/tasks/" + id + ".json");

    assertThat(anonymous.statusCode()).isEqualTo(403);
    assertThat(new String(anonymous.body())).doesNotContain("secret prompt");
  }

  /** Polls like a client until the task is terminal, recording each status change in {@code seen}. */
  static JsonObject awaitTerminal(ApiClient api, String id, String key, List<String> seen) {
    JsonObject[] last = new JsonObject[1];
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(25)).until(() -> {
      ApiClient.Response response = api.get("/v1/images/generations/" + id, key);
      assertThat(response.status()).as(response.body()).isEqualTo(200);
      last[0] = response.json();
      String status = last[0].getString("status");
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(status)) {
        seen.add(status);
      }
      return List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status);
    });
    return last[0];
  }

  /** Writes the raw task record as the API would, bypassing every check (to corrupt or repair it). */
  static void writeTaskRecord(Map<String, String> env, String id, byte[] json) {
    Vertx vertx = Vertx.vertx();
    try (ObjectStore store = ObjectStore.s3(vertx, S3Settings.from(new Env(env)))) {
      store.put(BucketLayout.task(id), json, "application/json", ObjectStore.Condition.NONE).await();
    } finally {
      vertx.close().await();
    }
  }
}
