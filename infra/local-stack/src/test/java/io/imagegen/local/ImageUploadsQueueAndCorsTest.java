package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Raw multipart requests to {@code /v1/images/edits} and {@code /variations} (every refusal names its part), where a
 * queued task stands ({@code queue_position}, {@code eta_seconds}, {@code urls}) while one slow worker drains a
 * single partition, the {@code /api/v1} cancel, and CORS for browser clients.
 */
class ImageUploadsQueueAndCorsTest {
  private static final String KEY = "sk-uploads-dev";
  private static final String ORIGIN = "https://app.example.com";
  private static final int MAX_BODY_BYTES = 256 * 1024;

  @TempDir
  static Path data;
  static LocalStack stack;
  static String bucket;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startStack() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    bucket = "uploads-" + unique;
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", "dev=" + KEY,
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "uploads-jobs-" + unique,
        "IMAGEGEN_S3_BUCKET", bucket,
        // One partition and one job at a time: every task queues behind all earlier ones.
        "IMAGEGEN_KAFKA_PARTITIONS", "1",
        "IMAGEGEN_WORKER_MAX_IN_FLIGHT", "1",
        "IMAGEGEN_COMMIT_INTERVAL", "200ms",
        "IMAGEGEN_DEMO_LATENCY", "300ms",
        "IMAGEGEN_MAX_BODY_BYTES", Integer.toString(MAX_BODY_BYTES),
        "IMAGEGEN_CORS_ORIGINS", ORIGIN)));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void anEditFormWithoutAnImageIsRefusedNamingImage() throws Exception {
    JsonObject error = refused(send("/v1/images/edits", new Form().text("model", "demo").text("prompt", "a hat")), 400);

    assertThat(error.getString("param")).isEqualTo("image");
    assertThat(error.getString("message")).contains("image is required");
  }

  @Test
  void aFileOverTheBodyLimitIsRefusedWith413NamingThePartBeingRead() throws Exception {
    byte[] big = new byte[MAX_BODY_BYTES + 1024];
    JsonObject error = refused(send("/v1/images/edits", new Form().text("model", "demo").text("prompt", "a hat")
        .file("image[]", "big.png", big)), 413);

    assertThat(error.getString("param")).isEqualTo("image[]");
    assertThat(error.getString("code")).isEqualTo("request_too_large");
  }

  @Test
  void anUnknownFieldAWronglyTypedFieldAndATextFieldSentAsAFileAreRefusedByName() throws Exception {
    Form base = new Form().text("model", "demo").text("prompt", "a hat").file("image", "in.png", png(16, 16));

    JsonObject unknown = refused(send("/v1/images/edits", base.copy().text("colour", "red")), 400);
    JsonObject wrongType = refused(send("/v1/images/edits", base.copy().text("n", "two")), 400);
    JsonObject fileForText = refused(send("/v1/images/edits", new Form().text("model", "demo")
        .file("prompt", "prompt.txt", "a hat".getBytes(StandardCharsets.UTF_8))
        .file("image", "in.png", png(16, 16))), 400);
    JsonObject notAnImage = refused(send("/v1/images/variations", new Form().text("model", "demo")
        .file("image", "in.png", "not a picture".getBytes(StandardCharsets.UTF_8))), 400);
    JsonObject promptOnVariation = refused(send("/v1/images/variations", new Form().text("model", "demo")
        .text("prompt", "no").file("image", "in.png", png(16, 16))), 400);

    assertThat(unknown.getString("param")).isEqualTo("colour");
    assertThat(wrongType.getString("param")).isEqualTo("n");
    assertThat(wrongType.getString("message")).contains("n must be an integer");
    assertThat(fileForText.getString("param")).isEqualTo("prompt");
    assertThat(notAnImage.getString("param")).isEqualTo("image");
    assertThat(promptOnVariation.getString("param")).isEqualTo("prompt");
  }

  @Test
  void jsonSentToTheEditsEndpointIsRefusedNamingTheContentType() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(stack.apiBase().resolve("/v1/images/edits"))
        .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"demo\",\"prompt\":\"x\"}")).build(),
        HttpResponse.BodyHandlers.ofString());

    JsonObject error = refused(response, 400);
    assertThat(error.getString("code")).isEqualTo("invalid_content_type");
    assertThat(error.getString("message")).contains("multipart/form-data");
  }

  @Test
  void aMaskThatIsNotAnImageIsRefusedAndLeavesNoInputObjectOrTaskBehind() throws Exception {
    int inputsBefore = objects("inputs/");
    int tasksBefore = objects("tasks/");
    JsonObject error = refused(send("/v1/images/edits", new Form().text("model", "demo-async").text("prompt", "a hat")
        .file("image", "in.png", png(16, 16)).file("mask", "mask.png", "garbage".getBytes(StandardCharsets.UTF_8))),
        400);

    assertThat(error.getString("param")).isEqualTo("mask");
    assertThat(objects("inputs/")).isEqualTo(inputsBefore);
    assertThat(objects("tasks/")).isEqualTo(tasksBefore);
  }

  @Test
  void anAsyncEditAnswersItsTaskWithUrlsInTheFamilyUsedAndTheEnvelopeCanCancelIt() throws Exception {
    HttpResponse<String> submitted = send("/v1/images/edits", new Form().text("model", "demo-async")
        .text("prompt", "a hat #slow").text("size", "64x64").file("image", "in.png", png(16, 16))
        .file("mask", "mask.png", png(16, 16)));
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
    JsonObject task = new JsonObject(submitted.body());
    String id = task.getString("id");
    String base = stack.apiBase().toString().replaceAll("/$", "");

    assertThat(task.getString("mode")).isEqualTo("edit");
    assertThat(task.getJsonObject("urls")).isEqualTo(new JsonObject()
        .put("get", base + "/v1/images/generations/" + id)
        .put("cancel", base + "/v1/images/generations/" + id + "/cancel")
        .put("stream", base + "/v1/images/generations/" + id));
    JsonObject enveloped = json(get("/api/v1/tasks/" + id)).getJsonObject("data");
    assertThat(enveloped.getJsonObject("urls").getString("cancel")).isEqualTo(base + "/api/v1/tasks/" + id + "/cancel");

    HttpResponse<String> cancelled = http.send(HttpRequest.newBuilder(URI.create(enveloped.getJsonObject("urls")
        .getString("cancel"))).header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(cancelled.statusCode()).as(cancelled.body()).isIn(200, 409);
    assertThat(json(cancelled).getBoolean("success")).isEqualTo(cancelled.statusCode() == 200);
  }

  @Test
  void aQueuedTaskSeesItsQueuePositionFallAndAnEtaWhileTheWorkerDrainsThePartition() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(stack.apiBase()
              .resolve("/v1/images/generations")).header("Authorization", "Bearer " + KEY)
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              "{\"model\":\"demo-async\",\"prompt\":\"queued " + i + "\",\"size\":\"64x64\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
      ids.add(json(submitted).getString("id"));
    }
    String last = ids.get(ids.size() - 1);
    List<Long> positions = new ArrayList<>();
    List<Long> etas = new ArrayList<>();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(150)).until(() -> {
      JsonObject task = json(get("/v1/images/generations/" + last));
      if (!"QUEUED".equals(task.getString("status"))) {
        return true;
      }
      if (task.containsKey("queue_position")) {
        positions.add(task.getLong("queue_position"));
      }
      if (task.containsKey("eta_seconds")) {
        etas.add(task.getLong("eta_seconds"));
      }
      return false;
    });

    assertThat(positions).as("positions seen").isNotEmpty();
    assertThat(positions.get(0)).isGreaterThanOrEqualTo(5);
    assertThat(positions).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(positions.get(positions.size() - 1)).isLessThan(positions.get(0));
    assertThat(etas).as("an ETA once the pace was measured").isNotEmpty().allSatisfy(eta -> assertThat(eta)
        .isPositive());
    JsonObject done = json(get("/v1/images/generations/" + last + "?wait=30"));
    assertThat(done.containsKey("queue_position")).as("only QUEUED tasks stand in the queue").isFalse();
  }

  @Test
  void aPreflightIsAnsweredWithoutAKeyAndResponsesExposeTheHeadersClientsNeed() throws Exception {
    HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(stack.apiBase().resolve("/v1/images/edits"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,content-type,idempotency-key").build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> stranger = http.send(HttpRequest.newBuilder(stack.apiBase().resolve("/v1/models"))
        .header("Origin", "https://evil.example.com").header("Authorization", "Bearer " + KEY).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> read = http.send(HttpRequest.newBuilder(stack.apiBase().resolve("/v1/models"))
        .header("Origin", ORIGIN).header("Authorization", "Bearer " + KEY).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(preflight.statusCode()).isIn(200, 204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
        .contains("authorization").contains("content-type").contains("idempotency-key");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
    assertThat(stranger.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);
    assertThat(read.headers().firstValue("Access-Control-Expose-Headers").orElse(""))
        .contains("Retry-After").contains("X-Request-Id");
  }

  private static HttpResponse<String> send(String path, Form form) throws Exception {
    String boundary = "----imagegen" + UUID.randomUUID();
    return http.send(HttpRequest.newBuilder(stack.apiBase().resolve(path))
        .header("Authorization", "Bearer " + KEY).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(form.encode(boundary))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(stack.apiBase().resolve(path)).header("Authorization", "Bearer " + KEY)
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  private static JsonObject refused(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonObject error = json(response).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    return error;
  }

  private static int objects(String prefix) throws Exception {
    try (S3AsyncClient s3 = S3AsyncClient.builder().endpointOverride(stack.s3().endpoint()).region(Region.US_EAST_1)
        .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(stack.s3().accessKey(), stack.s3().secretKey()))).build()) {
      return s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).get(30, TimeUnit.SECONDS).keyCount();
    }
  }

  private static byte[] png(int width, int height) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB), "png", out);
    return out.toByteArray();
  }

  /** A multipart/form-data body written by hand, so that every malformation is ours to choose. */
  private static final class Form {
    private final List<Object[]> parts = new ArrayList<>();

    Form text(String name, String value) {
      parts.add(new Object[] {name, null, value.getBytes(StandardCharsets.UTF_8)});
      return this;
    }

    Form file(String name, String fileName, byte[] bytes) {
      parts.add(new Object[] {name, fileName, bytes});
      return this;
    }

    Form copy() {
      Form copy = new Form();
      copy.parts.addAll(parts);
      return copy;
    }

    byte[] encode(String boundary) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Object[] part : parts) {
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part[0] + "\""
            + (part[1] == null ? "" : "; filename=\"" + part[1] + "\"\r\nContent-Type: application/octet-stream")
            + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes((byte[]) part[2]);
        out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
      }
      out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
      return out.toByteArray();
    }
  }
}
