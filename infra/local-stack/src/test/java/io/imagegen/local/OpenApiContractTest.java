package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagegen.common.tasks.TaskIds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract served at {@code /openapi.json}, checked against the running system: the router's routes and the
 * documented operations are the same set, every response the tests can cheaply provoke has its status, media type,
 * required headers and body documented exactly, errors name the offending {@code param}, and every request the
 * server accepts fits the request schema. {@link OpenApiValidatorTest} proves the validator rejects drift.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractTest {
  private static final String DEV = "sk-oa-dev";
  private static final String OTHER = "sk-oa-other";
  private static final String LIMITED = "sk-oa-limited";
  /** Used only to run out of submit tokens, so that the 429 never touches the other keys. */
  private static final String BURST = "sk-oa-burst";
  private static final int SUBMIT_BURST = 20;
  /** Has a budget smaller than one image of a priced model: every priced submit is a 402. */
  private static final String BROKE = "sk-oa-broke";
  private static final int MAX_BODY_BYTES = 64 * 1024;

  /** Every route ApiVerticle.start() declares, as documented paths. */
  private static final Set<String> ROUTES = Set.of(
      "POST /v1/images/generations",
      "GET /v1/images/generations",
      "GET /api/v1/tasks",
      "GET /v1/images/generations/{task_id}",
      "POST /v1/images/generations/{task_id}/cancel",
      "POST /v1/images/edits",
      "POST /v1/images/variations",
      "POST /api/v1/tasks/{task_id}/cancel",
      "POST /api/v1/images/generations",
      "GET /api/v1/tasks/{task_id}",
      "GET /v1/models",
      "GET /v1/models/{model}",
      "GET /v1/images/models",
      "GET /v1/images/models/{author}/{slug}/endpoints",
      "GET /v1/images",
      "GET /v1/images/{image_id}/content",
      "DELETE /v1/images/{image_id}",
      "GET /v1/usage/images",
      "GET /v1/costs",
      "GET /health",
      "GET /openapi.json");

  /** Statuses this class must have seen and validated per operation (503 and 524 are not cheap to provoke). */
  private static final Map<String, Set<Integer>> MUST_EXERCISE = new LinkedHashMap<>();

  static {
    MUST_EXERCISE.put("POST /v1/images/generations", Set.of(200, 202, 400, 401, 402, 403, 404, 409, 413, 429,
        502, 529));
    MUST_EXERCISE.put("GET /v1/images/generations/{task_id}", Set.of(200, 400, 401, 404));
    MUST_EXERCISE.put("POST /v1/images/generations/{task_id}/cancel", Set.of(200, 401, 404, 409));
    MUST_EXERCISE.put("POST /v1/images/edits", Set.of(200, 400, 401, 413));
    MUST_EXERCISE.put("POST /v1/images/variations", Set.of(200, 400, 401));
    MUST_EXERCISE.put("POST /api/v1/tasks/{task_id}/cancel", Set.of(200, 401, 404, 409));
    MUST_EXERCISE.put("POST /api/v1/images/generations", Set.of(200, 202, 400, 401, 402, 403, 404, 409, 413, 429,
        502, 529));
    MUST_EXERCISE.put("GET /api/v1/tasks/{task_id}", Set.of(200, 400, 401, 404));
    MUST_EXERCISE.put("GET /v1/models", Set.of(200, 401));
    MUST_EXERCISE.put("GET /v1/models/{model}", Set.of(200, 401, 404));
    MUST_EXERCISE.put("GET /v1/images/models", Set.of(200, 401));
    MUST_EXERCISE.put("GET /v1/images/models/{author}/{slug}/endpoints", Set.of(200, 401, 404));
    MUST_EXERCISE.put("GET /v1/images", Set.of(200, 400, 401));
    MUST_EXERCISE.put("GET /v1/images/{image_id}/content", Set.of(200, 401, 404));
    MUST_EXERCISE.put("DELETE /v1/images/{image_id}", Set.of(200, 401, 404));
    MUST_EXERCISE.put("GET /v1/usage/images", Set.of(200, 400, 401, 403));
    MUST_EXERCISE.put("GET /v1/costs", Set.of(200, 400, 401, 403));
    MUST_EXERCISE.put("GET /health", Set.of(200));
    MUST_EXERCISE.put("GET /openapi.json", Set.of(200, 401));
  }

  /** Well-formed and created now, so missing rather than expired (task ids begin with their creation second). */
  private static final String MISSING_TASK = TaskIds.next(Instant.now());
  private static final String MISSING_IMAGE = "img_0000000000000_000000000000000000000000_0";

  @TempDir
  static Path data;
  static LocalStack stack;
  static HttpClient http;
  static OpenApiValidator contract;
  /** {@code "METHOD /template STATUS"} of every response validated so far. */
  static final Set<String> exercised = ConcurrentHashMap.newKeySet();
  /** A SUCCEEDED demo-async task of DEV, finished before any test runs. */
  static JsonObject finishedTask;
  /** Synchronous submits of a #slow prompt, started early because they take the whole sync wait. */
  static CompletableFuture<Exchange> slowSync;
  static CompletableFuture<Exchange> slowSyncEnveloped;

  /** One HTTP exchange, as the tests and the validator see it. */
  record Exchange(String method, String path, int status, HttpHeaders headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    JsonObject error() {
      return json().getJsonObject("error");
    }
  }

  @BeforeAll
  static void startStackAndFetchTheContract() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.ofEntries(
        Map.entry("IMAGEGEN_API_KEYS", "dev=" + DEV + ",other=" + OTHER + ",limited=" + LIMITED + ",burst=" + BURST
            + ",broke=" + BROKE),
        Map.entry("IMAGEGEN_KEY_BUDGETS", "broke=0.01 USD per day"),
        Map.entry("IMAGEGEN_API_KEY_MODELS", "limited=demo"),
        Map.entry("IMAGEGEN_RATE_LIMIT_SUBMIT_BURST", Integer.toString(SUBMIT_BURST)),
        Map.entry("IMAGEGEN_MAX_BODY_BYTES", Integer.toString(MAX_BODY_BYTES)),
        // Long enough for the 100 ms demo model, short enough that a #slow prompt (5 s) runs it out.
        Map.entry("IMAGEGEN_SYNC_WAIT_TIMEOUT", "4s"),
        Map.entry("IMAGEGEN_KAFKA_JOBS_TOPIC", "openapi-jobs-" + unique),
        Map.entry("IMAGEGEN_S3_BUCKET", "openapi-" + unique),
        Map.entry("IMAGEGEN_DEMO_LATENCY", "100ms"),
        // gpt-image-1 stays available for the budget refusal (which never reaches OpenAI); models of vendors without
        // a key (seedream-4.0) are unavailable once the short discovery grace has passed.
        Map.entry("OPENAI_API_KEY", "sk-never-used"),
        Map.entry("IMAGEGEN_DISCOVERY_GRACE", "1s"))));
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Exchange served = send("GET", "/openapi.json", DEV, null, Map.of());
    assertThat(served.status()).as(served.body()).isEqualTo(200);
    contract = new OpenApiValidator(served.body());
    conforms(served);

    // A finished task proves the worker consumes (so synchronous waits below are short) and leaves an image.
    String id = post("/v1/images/generations", DEV, "{\"model\":\"demo-async\",\"prompt\":\"warm up\",\"size\":\"64x64\"}")
        .json().getString("task_id");
    finishedTask = awaitTerminal(id, DEV);
    assertThat(finishedTask.getString("status")).as(finishedTask.encode()).isEqualTo("SUCCEEDED");
    // The worker has announced what it serves and the API has read it (docs/api.md#model-availability).
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/v1/images/models", DEV).json().getJsonArray("data")
        .stream().map(JsonObject.class::cast).anyMatch(model -> Boolean.FALSE.equals(model.getValue("available"))));

    String slow = "{\"model\":\"demo\",\"prompt\":\"slow sync #slow\",\"size\":\"64x64\"}";
    slowSync = sendAsync("POST", "/v1/images/generations", DEV, slow);
    slowSyncEnveloped = sendAsync("POST", "/api/v1/images/generations", OTHER, slow);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void theServedDocumentIsTheBundledOpenApi31ContractAndEveryReferenceResolves() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode bundled;
    try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/imagegen/openapi.json")) {
      assertThat(in).as("openapi.json on the api-service classpath").isNotNull();
      bundled = mapper.readTree(in);
    }
    JsonNode doc = contract.document();

    assertThat(doc).isEqualTo(bundled);
    assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
    assertThat(contract.unresolvedRefs()).isEmpty();
    assertThat(doc.path("components").path("securitySchemes").path("bearerAuth").path("scheme").asText())
        .isEqualTo("bearer");
    assertThat(doc.path("security").toString()).isEqualTo("[{\"bearerAuth\":[]}]");
    assertThat(doc.path("components").path("schemas").fieldNames()).toIterable().contains("Task", "ImagesResponse",
        "Error", "Envelope", "ModelList", "ImageModel", "ModelEndpoints", "ImageRecord", "ImageList");
    Set<String> operationIds = new HashSet<>();
    for (String operation : contract.operations()) {
      String[] parts = operation.split(" ", 2);
      JsonNode op = doc.path("paths").path(parts[1]).path(parts[0].toLowerCase());
      assertThat(operationIds.add(op.path("operationId").asText())).as("unique operationId of " + operation).isTrue();
      assertThat(op.path("responses").size()).as(operation).isPositive();
      op.path("responses").forEach(r -> assertThat(r.has("description") || r.has("$ref")).as(operation).isTrue());
      // The path parameters declared are exactly the template's variables.
      Set<String> declared = new TreeSet<>();
      for (JsonNode parameter : op.path("parameters")) {
        JsonNode resolved = parameter.has("$ref") ? doc.at(parameter.get("$ref").asText().substring(1)) : parameter;
        if (resolved.path("in").asText().equals("path")) {
          assertThat(resolved.path("required").asBoolean()).as(operation + " " + resolved).isTrue();
          declared.add(resolved.path("name").asText());
        }
      }
      Set<String> variables = new TreeSet<>();
      Matcher variable = Pattern.compile("\\{([^}]+)}").matcher(parts[1]);
      while (variable.find()) {
        variables.add(variable.group(1));
      }
      assertThat(declared).as(operation).isEqualTo(variables);
    }
  }

  @Test
  @Order(2)
  void everyRouteTheRouterServesIsDocumentedAndNothingMore() throws Exception {
    assertThat(contract.operations()).containsExactlyInAnyOrderElementsOf(ROUTES);
    assertThat(contract.document().path("paths").path("/health").path("get").path("security").toString())
        .isEqualTo("[]");

    // Each listed route is really served: none of them is the router's unknown_url 404 or a 405.
    for (String route : ROUTES) {
      String[] parts = route.split(" ", 2);
      Exchange response = checked(parts[0], concrete(parts[1]), DEV, parts[0].equals("POST") ? "{}" : null,
          Map.of());
      assertThat(response.status()).as(route + " -> " + response.body()).isNotEqualTo(405);
      if (response.status() == 404) {
        assertThat(response.body()).as(route).doesNotContain("unknown_url").doesNotContain("Unknown path");
      }
    }
  }

  @Test
  @Order(3)
  void theRouterSourceDeclaresExactlyTheListedRoutes() throws Exception {
    Path source = Path.of("../../api-service/src/main/java/io/imagegen/api/http/ApiVerticle.java");
    Assumptions.assumeTrue(Files.exists(source), "runs from the source tree only");

    Matcher routes = Pattern.compile("router\\.(get|post|put|patch|delete|head|options)\\(\"([^\"]+)\"\\)")
        .matcher(Files.readString(source));
    Set<String> declared = new TreeSet<>();
    while (routes.find()) {
      declared.add(routes.group(1).toUpperCase() + " " + routes.group(2).replaceAll(":(\\w+)", "{$1}"));
    }

    assertThat(declared).containsExactlyInAnyOrderElementsOf(ROUTES);
  }

  @Test
  @Order(4)
  void anAsyncTaskMatchesTheContractFromSubmissionToTheEndOfItsEventStream() throws Exception {
    String body = "{\"model\":\"demo-async\",\"prompt\":\"a contract lighthouse\",\"size\":\"128x96\",\"n\":2,"
        + "\"quality\":\"high\",\"seed\":7,\"user\":\"u-1\",\"response_format\":\"url\",\"stream\":false}";
    assertThat(contract.requestProblems("POST", "/v1/images/generations", body)).isEmpty();

    Exchange submitted = post("/v1/images/generations", DEV, body);
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
    String id = submitted.json().getString("task_id");
    assertThat(submitted.json().getString("status")).isEqualTo("QUEUED");
    Exchange now = get("/v1/images/generations/" + id, DEV);
    assertThat(now.status()).isEqualTo(200);
    Exchange done = get("/v1/images/generations/" + id + "?wait=30", DEV);
    assertThat(done.json().getString("status")).as(done.body()).isEqualTo("SUCCEEDED");
    assertThat(done.json().getJsonObject("result").getJsonArray("data")).hasSize(2);
    Exchange enveloped = get("/api/v1/tasks/" + id + "?wait=0", DEV);
    // The same task; only its urls point into the family asked.
    JsonObject data = enveloped.json().getJsonObject("data");
    assertThat(data.getJsonObject("urls").getString("get")).endsWith("/api/v1/tasks/" + id);
    data.remove("urls");
    JsonObject plain = done.json();
    plain.remove("urls");
    assertThat(data).isEqualTo(plain);

    String streamed = post("/v1/images/generations", DEV,
        "{\"model\":\"demo-async\",\"prompt\":\"streamed\",\"size\":\"64x64\"}").json().getString("task_id");
    List<String[]> events = stream("/v1/images/generations/" + streamed, DEV);
    assertThat(events).isNotEmpty();
    assertThat(new JsonObject(events.get(events.size() - 1)[1]).getString("status")).isEqualTo("SUCCEEDED");
    List<String[]> again = stream("/api/v1/tasks/" + streamed, DEV);
    assertThat(again).hasSize(1);
    assertThat(new JsonObject(again.get(0)[1]).containsKey("success")).as("stream events are not enveloped").isFalse();
    Exchange resumedAfterTheEnd = checked("GET", "/v1/images/generations/" + streamed, DEV, null,
        Map.of("Accept", "text/event-stream", "Last-Event-ID", "1000"));
    assertThat(resumedAfterTheEnd.status()).as("a reconnect after the terminal event").isEqualTo(204);
  }

  @Test
  @Order(5)
  void aSynchronousModelAnswersTheImagesResponseWithUrlsOrInlineImages() throws Exception {
    String asUrl = "{\"model\":\"demo\",\"prompt\":\"a sync fox\",\"size\":\"96x64\"}";
    String inline = "{\"model\":\"demo\",\"prompt\":\"an inline fox\",\"size\":\"64x64\",\"n\":2,"
        + "\"response_format\":\"b64_json\"}";
    assertThat(contract.requestProblems("POST", "/v1/images/generations", inline)).isEmpty();

    Exchange urls = post("/v1/images/generations", DEV, asUrl);
    Exchange images = post("/v1/images/generations", DEV, inline);
    Exchange enveloped = post("/api/v1/images/generations", OTHER, asUrl);

    assertThat(urls.status()).as(urls.body()).isEqualTo(200);
    assertThat(urls.json().getJsonArray("data").getJsonObject(0).getString("url")).startsWith("http");
    assertThat(images.status()).as(images.body()).isEqualTo(200);
    assertThat(images.json().getJsonArray("data")).hasSize(2);
    assertThat(images.json().getJsonArray("data").getJsonObject(1).getString("b64_json")).isNotBlank();
    assertThat(enveloped.status()).as(enveloped.body()).isEqualTo(200);
    assertThat(enveloped.json().getJsonObject("data").getLong("created")).isPositive();
  }

  @Test
  @Order(6)
  void aSynchronousWaitThatRunsOutAnswers202WithTheTaskAndATaskCanBeCancelledOnce() throws Exception {
    Exchange plain = slowSync.get(30, TimeUnit.SECONDS);
    Exchange enveloped = slowSyncEnveloped.get(30, TimeUnit.SECONDS);
    conforms(plain);
    conforms(enveloped);

    assertThat(plain.status()).as(plain.body()).isEqualTo(202);
    assertThat(plain.json().getString("status")).isIn("QUEUED", "RUNNING");
    assertThat(enveloped.status()).as(enveloped.body()).isEqualTo(202);
    assertThat(enveloped.json().getString("code")).isEqualTo("202");
    assertThat(get("/v1/images/generations/" + plain.json().getString("task_id"), DEV).status()).isEqualTo(200);

    String id = post("/v1/images/generations", DEV,
        "{\"model\":\"demo-async\",\"prompt\":\"never mind #slow\",\"size\":\"64x64\"}").json()
        .getString("task_id");
    Exchange cancelled = post("/v1/images/generations/" + id + "/cancel", DEV, "");
    Exchange again = post("/v1/images/generations/" + id + "/cancel", DEV, "");
    Exchange foreign = post("/v1/images/generations/" + id + "/cancel", OTHER, "");

    assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
    assertThat(cancelled.json().getString("status")).isEqualTo("CANCELLED");
    assertThat(cancelled.json().getJsonObject("error").getString("code")).isEqualTo("cancelled");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error().getString("code")).isEqualTo("task_not_cancellable");
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(get("/api/v1/tasks/" + id, DEV).json().getJsonObject("data").getString("status"))
        .isEqualTo("CANCELLED");
  }

  @Test
  @Order(7)
  void anEditTaskMatchesTheContract() throws Exception {
    BufferedImage input = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(input, "png", png);
    String base64 = Base64.getEncoder().encodeToString(png.toByteArray());
    String body = new JsonObject().put("model", "demo-async").put("prompt", "make it blue").put("size", "64x64")
        .put("image", new JsonArray().add("data:image/png;base64," + base64)
            .add(new JsonObject().put("b64_json", base64))).encode();
    assertThat(contract.requestProblems("POST", "/v1/images/generations", body)).isEmpty();

    Exchange submitted = post("/v1/images/generations", DEV, body);

    assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
    assertThat(submitted.json().getString("mode")).isEqualTo("edit");
    JsonObject done = awaitTerminal(submitted.json().getString("task_id"), DEV);
    assertThat(done.getString("status")).as(done.encode()).isEqualTo("SUCCEEDED");
    assertThat(done.getString("mode")).isEqualTo("edit");
  }

  @Test
  @Order(8)
  void idempotentRetriesAndReusedKeysMatchTheContract() throws Exception {
    String key = "contract-" + UUID.randomUUID();
    String body = "{\"model\":\"demo-async\",\"prompt\":\"once\",\"size\":\"64x64\"}";

    Exchange first = post("/v1/images/generations", OTHER, body, Map.of("Idempotency-Key", key));
    Exchange retry = post("/v1/images/generations", OTHER,
        "{\"size\":\"64x64\",\"prompt\":\"once\",\"model\":\"demo-async\"}", Map.of("Idempotency-Key", key));
    Exchange reused = post("/v1/images/generations", OTHER, "{\"model\":\"demo-async\",\"prompt\":\"twice\"}",
        Map.of("Idempotency-Key", key));
    Exchange tooLong = post("/v1/images/generations", OTHER, body, Map.of("Idempotency-Key", "k".repeat(256)));
    // Keys belong to the caller, not to a path family: the enveloped submit sees the same claim.
    Exchange envelopedRetry = post("/api/v1/images/generations", OTHER, body, Map.of("Idempotency-Key", key));
    Exchange envelopedReused = post("/api/v1/images/generations", OTHER,
        "{\"model\":\"demo-async\",\"prompt\":\"thrice\"}", Map.of("Idempotency-Key", key));

    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json().getString("task_id")).isEqualTo(first.json().getString("task_id"));
    assertThat(reused.status()).isEqualTo(409);
    assertThat(reused.error().getString("code")).isEqualTo("idempotency_key_reused");
    assertThat(reused.error().getValue("param")).isNull();
    assertThat(envelopedRetry.json().getJsonObject("data").getString("task_id"))
        .isEqualTo(first.json().getString("task_id"));
    assertThat(envelopedReused.status()).isEqualTo(409);
    assertThat(envelopedReused.json().getString("message")).contains("Idempotency-Key");
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.error().getString("code")).isEqualTo("invalid_idempotency_key");
  }

  @Test
  @Order(9)
  void everyErrorTheTestsCanProvokeHasTheDocumentedStatusAndNamesItsCodeAndParam() throws Exception {
    String submit = "/v1/images/generations";
    String finished = "/v1/images/generations/" + finishedTask.getString("id");
    String demo = "{\"model\":\"demo-async\",\"prompt\":\"x\"";
    Outcomes errors = new Outcomes();
    errors.expect("malformed JSON", post(submit, OTHER, "{\"model\":"), "400 invalid_json null");
    errors.expect("not an object", post(submit, OTHER, "[1]"), "400 invalid_json null");
    errors.expect("missing prompt", post(submit, OTHER, "{\"model\":\"demo-async\"}"),
        "400 invalid_image_request prompt");
    errors.expect("wrong type", post(submit, OTHER, demo + ",\"n\":\"two\"}"), "400 invalid_image_request n");
    errors.expect("multiplication sign", post(submit, OTHER, demo + ",\"size\":\"64\u00d764\"}"),
        "400 invalid_image_request size");
    errors.expect("stream", post(submit, OTHER, demo + ",\"stream\":true}"), "400 invalid_image_request stream");
    errors.expect("unknown field", post(submit, OTHER, demo + ",\"colour\":\"red\"}"),
        "400 invalid_image_request colour");
    errors.expect("unusable image", post(submit, OTHER, demo + ",\"image\":\"bm90IGFuIGltYWdl\"}"),
        "400 invalid_image_request image");
    errors.expect("bad wait", get(finished + "?wait=61", DEV), "400 invalid_image_request wait");
    errors.expect("bad limit", get("/v1/images?limit=0", DEV), "400 invalid_image_request limit");
    errors.expect("bad after", get("/v1/images?after=nope", DEV), "400 invalid_image_request after");
    errors.expect("model not allowed", post(submit, LIMITED, demo + "}"), "403 model_not_allowed model");
    errors.expect("unknown model", post(submit, OTHER, "{\"model\":\"no-such-model\",\"prompt\":\"x\"}"),
        "404 model_not_found model");
    errors.expect("unavailable model", post(submit, OTHER, "{\"model\":\"seedream-4.0\",\"prompt\":\"x\"}"),
        "400 model_not_available model");
    errors.expect("missing task", get("/v1/images/generations/" + MISSING_TASK, DEV), "404 task_not_found task_id");
    errors.expect("malformed task id", get("/v1/images/generations/not-a-task", DEV), "404 task_not_found task_id");
    errors.expect("foreign task", get(finished, OTHER), "404 task_not_found task_id");
    errors.expect("missing task stream", checked("GET", "/v1/images/generations/" + MISSING_TASK, DEV, null,
        Map.of("Accept", "text/event-stream")), "404 task_not_found task_id");
    errors.expect("cancel missing", post("/v1/images/generations/" + MISSING_TASK + "/cancel", DEV, ""),
        "404 task_not_found task_id");
    errors.expect("cancel finished", post(finished + "/cancel", DEV, ""), "409 task_not_cancellable null");
    errors.expect("missing model", get("/v1/models/no-such-model", DEV), "404 model_not_found model");
    errors.expect("missing endpoints", get("/v1/images/models/nobody/nothing/endpoints", DEV),
        "404 model_not_found slug");
    errors.expect("missing image", get("/v1/images/" + MISSING_IMAGE + "/content", DEV),
        "404 image_not_found image_id");
    errors.expect("delete missing image", delete("/v1/images/" + MISSING_IMAGE, DEV),
        "404 image_not_found image_id");
    errors.expect("too large", post(submit, OTHER, demo.replace("\"x\"", "\"" + "x".repeat(MAX_BODY_BYTES) + "\"")
        + "}"), "413 request_too_large null");
    errors.expect("sync failure", post(submit, OTHER, "{\"model\":\"demo\",\"prompt\":\"sync #fail\",\"size\":"
        + "\"64x64\"}"), "502 demo_failure null");

    errors.assertAllAsExpected();
  }

  @Test
  @Order(10)
  void everyAuthenticatedRouteAnswers401InItsFamilysShapeWithoutOrWithAWrongKey() throws Exception {
    Outcomes refused = new Outcomes();
    for (String route : ROUTES) {
      String[] parts = route.split(" ", 2);
      if (parts[1].equals("/health")) {
        continue;
      }
      String path = concrete(parts[1]);
      String body = parts[0].equals("POST") ? "{}" : null;
      String expected = path.startsWith("/api/v1/") ? "401 401 null" : "401 invalid_api_key null";
      refused.expect(route + " without a key", checked(parts[0], path, null, body, Map.of()), expected);
      refused.expect(route + " with a wrong key", checked(parts[0], path, "sk-wrong", body, Map.of()), expected);
    }

    refused.assertAllAsExpected();
  }

  @Test
  @Order(11)
  void theApiV1FamilyAnswersEveryOutcomeInTheDocumentedEnvelope() throws Exception {
    String submit = "/api/v1/images/generations";
    String body = "{\"model\":\"demo-async\",\"prompt\":\"enveloped\",\"size\":\"64x64\"}";

    Exchange accepted = post(submit, OTHER, body, Map.of("X-Async", "true"));
    String id = accepted.json().getJsonObject("data").getString("task_id");
    Exchange task = get("/api/v1/tasks/" + id, OTHER);
    Exchange missing = get("/api/v1/tasks/" + MISSING_TASK, OTHER);
    Exchange badWait = get("/api/v1/tasks/" + id + "?wait=-1", OTHER);
    Exchange invalid = post(submit, OTHER, "{\"model\":\"demo-async\"}");
    Exchange anonymous = post(submit, null, "{}");
    Exchange forbidden = post(submit, LIMITED, body);
    Exchange unknownModel = post(submit, OTHER, "{\"model\":\"nope\",\"prompt\":\"x\"}");
    Exchange tooLarge = post(submit, OTHER, "{\"prompt\":\"" + "y".repeat(MAX_BODY_BYTES) + "\"}");
    Exchange failed = post(submit, OTHER, "{\"model\":\"demo\",\"prompt\":\"#fail\",\"size\":\"64x64\"}");

    assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
    assertThat(accepted.json().getBoolean("success")).isTrue();
    assertThat(task.json().getJsonObject("data").getString("id")).isEqualTo(id);
    assertThat(List.of(missing, badWait, invalid, anonymous, forbidden, unknownModel, tooLarge, failed))
        .extracting(Exchange::status).containsExactly(404, 400, 400, 401, 403, 404, 413, 502);
    assertThat(anonymous.json()).isEqualTo(new JsonObject().put("success", false).put("code", "401")
        .put("message", "Unauthorized").put("error_code", "invalid_api_key"));
  }

  @Test
  @Order(2)
  void aModerationRefusalIsA400AndAnOverloadedVendorA529InBothFamilies() throws Exception {
    for (String submit : List.of("/v1/images/generations", "/api/v1/images/generations")) {
      Exchange refused = post(submit, OTHER, "{\"model\":\"demo\",\"prompt\":\"#refuse\",\"size\":\"64x64\"}");
      Exchange overloaded = post(submit, OTHER, "{\"model\":\"demo\",\"prompt\":\"#down\",\"size\":\"64x64\"}");

      assertThat(refused.status()).as(refused.body()).isEqualTo(400);
      assertThat(overloaded.status()).as(overloaded.body()).isEqualTo(529);
      assertThat(overloaded.headers().firstValue("X-Should-Retry")).contains("false");
    }
  }

  @Test
  @Order(12)
  void aKeyOverItsSubmitRateGets429WithRetryAfterInTheDocumentedShape() throws Exception {
    Exchange limited = null;
    for (int i = 0; i < 10 * SUBMIT_BURST && limited == null; i++) {
      Exchange response = send("POST", "/v1/images/generations", BURST, "{}", Map.of());
      if (response.status() == 429) {
        limited = response;
      } else {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
      }
    }

    // The bucket is per key, not per path family: it is just as empty for the enveloped submit. Asked at once (the
    // schema checks below can take longer than a token's refill on a busy machine), and up to three times, which a
    // bucket of its own (20 tokens) would never refuse.
    Exchange envelopedLimited = null;
    for (int i = 0; i < 3 && (envelopedLimited == null || envelopedLimited.status() != 429); i++) {
      envelopedLimited = post("/api/v1/images/generations", BURST, "{}");
    }
    assertThat(limited).as("a 429 within " + 10 * SUBMIT_BURST + " rapid submits").isNotNull();
    conforms(limited);

    assertThat(limited.error().getString("type")).isEqualTo("rate_limit_error");
    assertThat(limited.error().getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(envelopedLimited.status()).as(envelopedLimited.body()).isEqualTo(429);
    assertThat(envelopedLimited.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  @Order(13)
  void modelDiscoveryMatchesTheContractForEveryCatalogModel() throws Exception {
    Exchange openAi = get("/v1/models", DEV);
    Exchange one = get("/v1/models/dall-e-3", DEV);
    Exchange images = get("/v1/images/models", DEV);

    assertThat(openAi.json().getJsonArray("data")).isNotEmpty();
    assertThat(one.json().getString("id")).isEqualTo("dall-e-3");
    JsonArray models = images.json().getJsonArray("data");
    // /v1/models leaves out exactly the models no worker can serve.
    long unavailable = models.stream().map(JsonObject.class::cast)
        .filter(model -> Boolean.FALSE.equals(model.getValue("available"))).count();
    assertThat(unavailable).isPositive();
    assertThat(openAi.json().getJsonArray("data").size()).isEqualTo(models.size() - unavailable);
    for (Object model : models) {
      Exchange endpoints = get(((JsonObject) model).getString("endpoints_url"), DEV);
      assertThat(endpoints.status()).as(endpoints.body()).isEqualTo(200);
    }
  }

  @Test
  @Order(14)
  void theImageLifecycleMatchesTheContract() throws Exception {
    String url = finishedTask.getJsonObject("result").getJsonArray("data").getJsonObject(0).getString("url");
    JsonObject[] listed = new JsonObject[1];
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
      listed[0] = get("/v1/images?limit=100", DEV).json().getJsonArray("data").stream().map(JsonObject.class::cast)
          .filter(image -> image.getString("url").equals(url)).findFirst().orElse(null);
      return listed[0] != null;
    });
    String imageId = listed[0].getString("id");
    Exchange firstPage = get("/v1/images?limit=1", DEV);
    assertThat(firstPage.json().getBoolean("has_more")).as(firstPage.body()).isTrue();
    Exchange secondPage = get("/v1/images?limit=1&after=" + firstPage.json().getString("last_id"), DEV);
    assertThat(secondPage.json().getJsonArray("data")).hasSize(1);

    Exchange content = get("/v1/images/" + imageId + "/content", DEV);
    Exchange foreign = get("/v1/images/" + imageId + "/content", OTHER);
    Exchange deleted = delete("/v1/images/" + imageId, DEV);
    Exchange gone = get("/v1/images/" + imageId + "/content", DEV);
    Exchange deletedAgain = delete("/v1/images/" + imageId, DEV);

    assertThat(content.status()).isEqualTo(200);
    assertThat(content.headers().firstValue("Content-Type")).contains("image/png");
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(deleted.json().getBoolean("deleted")).isTrue();
    assertThat(List.of(gone.status(), deletedAgain.status())).containsExactly(404, 404);
  }

  @Test
  @Order(15)
  void healthIsOpenAndMatchesTheContract() throws Exception {
    Exchange health = get("/health", null);

    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().getString("status")).isEqualTo("ok");
  }

  @Test
  @Order(16)
  void editsVariationsAndTheEnvelopeCancelMatchTheContract() throws Exception {
    byte[] png = png(8, 8);
    Exchange edit = multipart("/v1/images/edits", List.of(text("model", "demo"), text("prompt", "a contract hat"),
        text("size", "64x64"), file("image", png), file("mask", png)));
    Exchange asyncEdit = multipart("/v1/images/edits", List.of(text("model", "demo-async"), text("prompt", "hat"),
        text("size", "64x64"), file("image[]", png), file("image[]", png)));
    Exchange variation = multipart("/v1/images/variations", List.of(text("model", "demo"), text("n", "2"),
        text("size", "64x64"), text("response_format", "b64_json"), file("image", png)));
    Exchange noImage = multipart("/v1/images/edits", List.of(text("model", "demo"), text("prompt", "x")));
    Exchange tooLarge = multipart("/v1/images/edits", List.of(text("model", "demo"), text("prompt", "x"),
        file("image", new byte[MAX_BODY_BYTES + 1])));
    Exchange unknown = multipart("/v1/images/variations", List.of(text("model", "demo"), text("style", "vivid"),
        file("image", png)));

    assertThat(edit.status()).as(edit.body()).isEqualTo(200);
    assertThat(edit.json().getJsonArray("data")).hasSize(1);
    assertThat(asyncEdit.status()).as(asyncEdit.body()).isEqualTo(200);
    assertThat(asyncEdit.json().getString("mode")).isEqualTo("edit");
    assertThat(asyncEdit.json().getJsonObject("urls").getString("get")).endsWith("/v1/images/generations/"
        + asyncEdit.json().getString("id"));
    assertThat(variation.status()).as(variation.body()).isEqualTo(200);
    assertThat(variation.json().getJsonArray("data")).hasSize(2);
    assertThat(noImage.error().getString("param")).isEqualTo("image");
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.error().getString("param")).isEqualTo("image");
    assertThat(unknown.error().getString("param")).isEqualTo("style");

    String id = post("/v1/images/generations", DEV,
        "{\"model\":\"demo-async\",\"prompt\":\"cancel me #slow\",\"size\":\"64x64\"}").json()
        .getString("task_id");
    Exchange cancelled = post("/api/v1/tasks/" + id + "/cancel", DEV, "");
    Exchange again = post("/api/v1/tasks/" + id + "/cancel", DEV, "");
    Exchange missing = post("/api/v1/tasks/" + MISSING_TASK + "/cancel", DEV, "");

    assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
    assertThat(cancelled.json().getJsonObject("data").getString("status")).isEqualTo("CANCELLED");
    assertThat(cancelled.json().getJsonObject("data").getJsonObject("urls").getString("cancel"))
        .endsWith("/api/v1/tasks/" + id + "/cancel");
    assertThat(again.status()).isEqualTo(409);
    assertThat(missing.status()).isEqualTo(404);
  }

  private static String[] text(String name, String value) {
    return new String[] {name, null, value};
  }

  private static String[] file(String name, byte[] bytes) {
    return new String[] {name, "upload.png", Base64.getEncoder().encodeToString(bytes)};
  }

  /** A multipart POST (files given base64 above, sent as raw bytes), validated against the contract. */
  private static Exchange multipart(String path, List<String[]> parts) throws Exception {
    String boundary = "contract-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (String[] part : parts) {
      body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part[0] + "\""
          + (part[1] == null ? "" : "; filename=\"" + part[1] + "\"\r\nContent-Type: image/png") + "\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8));
      body.writeBytes(part[1] == null ? part[2].getBytes(StandardCharsets.UTF_8) : Base64.getDecoder().decode(part[2]));
      body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(stack.apiBase().resolve(path))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + DEV)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    Exchange exchange = new Exchange("POST", path, response.statusCode(), response.headers(),
        new String(response.body(), StandardCharsets.UTF_8));
    conforms(exchange);
    return exchange;
  }

  private static byte[] png(int width, int height) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", out);
    return out.toByteArray();
  }

  @Test
  void usageCostsAndBudgetRefusalsMatchTheContract() throws Exception {
    String priced = "{\"model\":\"gpt-image-1\",\"prompt\":\"over budget\",\"size\":\"1024x1024\"}";
    Exchange refused = post("/v1/images/generations", BROKE, priced);
    Exchange envelopedRefused = post("/api/v1/images/generations", BROKE, priced);
    long since = finishedTask.getLong("created_at") - 60;
    // The warm-up task settled before the tests ran; the ledger shows it within seconds.
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/v1/usage/images?start_time=" + since, DEV).json()
        .getJsonArray("data").getJsonObject(0).getJsonArray("results").size() > 0);
    Exchange usage = get("/v1/usage/images?start_time=" + since + "&bucket_width=1m&limit=1&group_by=model,status",
        DEV);
    Exchange costs = get("/v1/costs?start_time=" + since + "&group_by=line_item", DEV);

    assertThat(refused.status()).as(refused.body()).isEqualTo(402);
    assertThat(refused.error().getString("code")).isEqualTo("insufficient_quota");
    assertThat(envelopedRefused.status()).as(envelopedRefused.body()).isEqualTo(402);
    assertThat(usage.status()).as(usage.body()).isEqualTo(200);
    assertThat(usage.json().getBoolean("has_more")).isTrue();
    assertThat(get("/v1/usage/images?start_time=" + since + "&bucket_width=1m&limit=1&page="
        + usage.json().getString("next_page"), DEV).status()).isEqualTo(200);
    assertThat(costs.status()).as(costs.body()).isEqualTo(200);
    Outcomes errors = new Outcomes();
    for (String path : List.of("/v1/usage/images", "/v1/costs")) {
      errors.expect(path + " without start_time", get(path, DEV), "400 invalid_image_request start_time");
      errors.expect(path + " by week", get(path + "?start_time=0&bucket_width=1w", DEV),
          "400 invalid_image_request bucket_width");
      errors.expect(path + " of another key", get(path + "?start_time=0&owner=other", DEV),
          "403 owner_not_allowed owner");
    }
    errors.assertAllAsExpected();
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void everyStatusThatCanBeProvokedCheaplyWasSeenAndValidated() {
    Set<String> expected = new TreeSet<>();
    MUST_EXERCISE.forEach((operation, statuses) -> statuses.forEach(s -> expected.add(operation + " " + s)));

    assertThat(new TreeSet<>(exercised)).containsAll(expected);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** Named exchanges and what each should have answered: {@code "status code param"}. */
  private static final class Outcomes {
    private final Map<String, String> seen = new LinkedHashMap<>();
    private final Map<String, String> expected = new LinkedHashMap<>();

    /** Records {@code response} (already validated against the document) under {@code name}. */
    void expect(String name, Exchange response, String outcome) {
      JsonObject body = response.json();
      JsonObject error = body.getJsonObject("error");
      // /v1 names a code and a param; the /api/v1 envelope carries only the status as its code.
      seen.put(name, response.status() + " " + (error == null ? body.getString("code") + " null"
          : error.getString("code") + " " + error.getString("param")));
      expected.put(name, outcome);
    }

    void assertAllAsExpected() {
      assertThat(seen).containsExactlyEntriesOf(expected);
    }
  }

  /** A concrete path for a documented template: ids that exist nowhere, the demo model. */
  private static String concrete(String template) {
    return template.replace("{task_id}", MISSING_TASK).replace("{image_id}", MISSING_IMAGE)
        .replace("{model}", "demo").replace("{author}", "imagegen").replace("{slug}", "demo");
  }

  private static Exchange post(String path, String key, String body) throws Exception {
    return checked("POST", path, key, body, Map.of());
  }

  private static Exchange post(String path, String key, String body, Map<String, String> headers) throws Exception {
    return checked("POST", path, key, body, headers);
  }

  private static Exchange get(String path, String key) throws Exception {
    return checked("GET", path, key, null, Map.of());
  }

  private static Exchange delete(String path, String key) throws Exception {
    return checked("DELETE", path, key, null, Map.of());
  }

  /** Sends, then fails unless the response is exactly as documented. */
  private static Exchange checked(String method, String path, String key, String body, Map<String, String> headers)
      throws Exception {
    Exchange exchange = send(method, path, key, body, headers);
    conforms(exchange);
    if (method.equals("POST") && path.endsWith("/images/generations") && exchange.status() / 100 == 2) {
      // What the server accepts, the documented request schema must accept too.
      assertThat(contract.requestProblems(method, path, body)).as("accepted request " + body).isEmpty();
    }
    return exchange;
  }

  private static void conforms(Exchange exchange) {
    List<String> problems = contract.responseProblems(exchange.method(), exchange.path(), exchange.status(),
        exchange.headers(), exchange.body());
    assertThat(problems).as("%s %s -> %d %s", exchange.method(), exchange.path(), exchange.status(),
        exchange.body().length() > 400 ? exchange.body().substring(0, 400) : exchange.body()).isEmpty();
    exercised.add(exchange.method() + " " + contract.template(exchange.method(), exchange.path()).orElseThrow() + " "
        + exchange.status());
  }

  private static HttpRequest request(String method, String path, String key, String body,
      Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(stack.apiBase().resolve(path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    headers.forEach(request::header);
    return request.build();
  }

  private static Exchange send(String method, String path, String key, String body, Map<String, String> headers)
      throws Exception {
    HttpResponse<byte[]> response = http.send(request(method, path, key, body, headers),
        HttpResponse.BodyHandlers.ofByteArray());
    return new Exchange(method, path, response.statusCode(), response.headers(),
        new String(response.body(), StandardCharsets.UTF_8));
  }

  private static CompletableFuture<Exchange> sendAsync(String method, String path, String key, String body) {
    return http.sendAsync(request(method, path, key, body, Map.of()), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Exchange(method, path, r.statusCode(), r.headers(), r.body()));
  }

  /**
   * Reads an event stream to its end, validating the response and every event; returns {@code [event, data]}
   * pairs.
   */
  private static List<String[]> stream(String path, String key) throws Exception {
    HttpResponse<java.util.stream.Stream<String>> response = http.send(HttpRequest.newBuilder(
            stack.apiBase().resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key)
        .header("Accept", "text/event-stream")
        .GET().build(), HttpResponse.BodyHandlers.ofLines());
    List<String[]> events = new ArrayList<>();
    String[] event = {"message"};
    StringBuilder dataLines = new StringBuilder();
    response.body().forEachOrdered(line -> {
      if (line.startsWith("event:")) {
        event[0] = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        dataLines.append(dataLines.length() == 0 ? "" : "\n").append(line.substring(5).trim());
      } else if (line.isEmpty() && dataLines.length() > 0) {
        events.add(new String[] {event[0], dataLines.toString()});
        event[0] = "message";
        dataLines.setLength(0);
      }
    });
    conforms(new Exchange("GET", path, response.statusCode(), response.headers(), ""));
    for (String[] e : events) {
      assertThat(e[0]).as("event name").isEqualTo("task");
      assertThat(contract.eventProblems("GET", path, e[0], e[1])).as(e[1]).isEmpty();
    }
    return events;
  }

  /** Polls (each answer validated) until the task is terminal. */
  private static JsonObject awaitTerminal(String id, String key) {
    JsonObject[] last = new JsonObject[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
      Exchange response = get("/v1/images/generations/" + id, key);
      assertThat(response.status()).as(response.body()).isEqualTo(200);
      last[0] = response.json();
      return List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(last[0].getString("status"));
    });
    return last[0];
  }
}
