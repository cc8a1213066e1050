package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The validator behind {@link OpenApiContractTest}, against the bundled document and hand-made exchanges: it accepts
 * what the document describes and reports every kind of drift, so the contract test cannot pass vacuously.
 */
class OpenApiValidatorTest {
  private static final String TASK_PATH = "/v1/images/generations/image_2f9b9a3d8c1e4f5a6b7c8d9e";
  private static final String SUBMIT = "/v1/images/generations";
  private static final HttpHeaders JSON = headers("Content-Type", "application/json");

  static OpenApiValidator contract;

  @BeforeAll
  static void loadTheBundledDocument() throws IOException {
    try (InputStream in = OpenApiValidatorTest.class.getResourceAsStream("/imagegen/openapi.json")) {
      assertThat(in).as("openapi.json on the api-service classpath").isNotNull();
      contract = new OpenApiValidator(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void exchangesShapedAsDocumentedHaveNoProblems() {
    assertThat(contract.responseProblems("GET", TASK_PATH, 200, JSON, succeededTask().encode())).isEmpty();
    assertThat(contract.responseProblems("GET", TASK_PATH + "?wait=5", 200, JSON, queuedTask().encode())).isEmpty();
    assertThat(contract.responseProblems("GET", "/v1/images", 200, JSON, imageList().encode())).isEmpty();
    assertThat(contract.responseProblems("POST", SUBMIT, 400, headers("Content-Type", "application/json",
        "X-Should-Retry", "false"), error("invalid_request_error", "size"))).isEmpty();
    assertThat(contract.responseProblems("POST", SUBMIT, 429, headers("Content-Type", "application/json",
        "Retry-After", "1"), error("rate_limit_error", null))).isEmpty();
    assertThat(contract.responseProblems("POST", "/api/v1/images/generations", 401, headers("Content-Type",
        "application/json", "X-Should-Retry", "false", "WWW-Authenticate", "Bearer"),
        "{\"success\":false,\"code\":\"401\",\"message\":\"Unauthorized\"}")).isEmpty();
    assertThat(contract.responseProblems("GET", "/v1/images/img_1795309650123_2f9b9a3d8c1e4f5a6b7c8d9e_0/content",
        200, headers("Content-Type", "image/png", "Cache-Control", "private, max-age=3600"), "\u0089PNG")).isEmpty();
    assertThat(contract.eventProblems("GET", TASK_PATH, "task", succeededTask().encode())).isEmpty();
  }

  @Test
  void aBodyThatViolatesItsSchemaIsReported() {
    JsonObject withOwner = succeededTask().put("owner", "dev");
    JsonObject withStorageKey = succeededTask();
    withStorageKey.getJsonObject("result").getJsonArray("data").getJsonObject(0).put("storage_key", "images/x.png");
    JsonObject withoutResult = succeededTask();
    withoutResult.remove("result");
    JsonObject queuedWithResult = queuedTask().put("result", succeededTask().getJsonObject("result"));
    JsonObject unknownStatus = succeededTask().put("status", "IN_PROGRESS");
    JsonObject textualTime = succeededTask().put("created_at", "1795309650");
    // Usage omits what a vendor did not report, but generated_images is always there (docs/api.md, "Usage").
    JsonObject shortUsage = succeededTask();
    shortUsage.getJsonObject("result").getJsonObject("usage").remove("generated_images");
    JsonObject relativeUrl = succeededTask();
    relativeUrl.getJsonObject("result").getJsonArray("data").getJsonObject(0).put("url", "images/x.png");
    JsonObject imageWithOwner = imageList();
    imageWithOwner.getJsonArray("data").getJsonObject(0).put("owner", "dev");
    HttpHeaders badRequest = headers("Content-Type", "application/json", "X-Should-Retry", "false");

    for (JsonObject drifted : List.of(withOwner, withStorageKey, withoutResult, queuedWithResult, unknownStatus,
        textualTime, shortUsage, relativeUrl)) {
      assertThat(contract.responseProblems("GET", TASK_PATH, 200, JSON, drifted.encode())).as(drifted.encode())
          .isNotEmpty();
    }
    assertThat(contract.responseProblems("GET", "/v1/images", 200, JSON, imageWithOwner.encode())).isNotEmpty();
    assertThat(contract.responseProblems("POST", SUBMIT, 400, badRequest,
        "{\"error\":{\"message\":\"m\",\"type\":\"invalid_request_error\",\"code\":\"c\"}}"))
        .as("an error without param").isNotEmpty();
    assertThat(contract.responseProblems("POST", SUBMIT, 400, badRequest, error("teapot_error", null)))
        .as("an unknown error type").isNotEmpty();
    assertThat(contract.responseProblems("POST", "/api/v1/images/generations", 400, badRequest,
        "{\"success\":false,\"code\":\"400\",\"message\":\"m\",\"data\":{}}")).as("an envelope error with data")
        .isNotEmpty();
    assertThat(contract.responseProblems("POST", "/api/v1/images/generations", 400, badRequest,
        error("invalid_request_error", "size"))).as("the OpenAI shape on /api/v1").isNotEmpty();
    assertThat(contract.responseProblems("GET", TASK_PATH, 200, JSON, "{\"id\":")).as("not JSON").isNotEmpty();
    assertThat(contract.responseProblems("GET", TASK_PATH, 200, JSON, "")).as("no body").isNotEmpty();
  }

  @Test
  void anUndocumentedOperationStatusOrMediaTypeIsReported() {
    assertThat(contract.responseProblems("GET", SUBMIT, 405, JSON, "{}")).isNotEmpty();
    assertThat(contract.responseProblems("POST", SUBMIT, 418, JSON, "{}")).isNotEmpty();
    assertThat(contract.responseProblems("GET", "/v1/embeddings", 200, JSON, "{}")).isNotEmpty();
    assertThat(contract.responseProblems("GET", "/health", 401, JSON, "{}")).as("health is never 401").isNotEmpty();
    assertThat(contract.responseProblems("GET", TASK_PATH, 200, headers("Content-Type", "text/plain"),
        succeededTask().encode())).isNotEmpty();
    assertThat(contract.responseProblems("GET", TASK_PATH, 200, headers(), succeededTask().encode()))
        .as("no Content-Type").isNotEmpty();
  }

  @Test
  void aMissingOrMalformedRequiredHeaderIsReported() {
    String limited = error("rate_limit_error", null);
    String failed = error("server_error", null);
    String content = "/v1/images/img_1795309650123_2f9b9a3d8c1e4f5a6b7c8d9e_0/content";

    assertThat(contract.responseProblems("POST", SUBMIT, 429, JSON, limited)).as("429 without Retry-After")
        .isNotEmpty();
    assertThat(contract.responseProblems("POST", SUBMIT, 429, headers("Content-Type", "application/json",
        "Retry-After", "soon"), limited)).as("a Retry-After that is not whole seconds").isNotEmpty();
    assertThat(contract.responseProblems("POST", SUBMIT, 502, JSON, failed)).as("a permanent 502 without "
        + "X-Should-Retry").isNotEmpty();
    assertThat(contract.responseProblems("GET", "/v1/models", 401, headers("Content-Type", "application/json",
        "X-Should-Retry", "false"), error("authentication_error", null))).as("401 without WWW-Authenticate")
        .isNotEmpty();
    assertThat(contract.responseProblems("GET", content, 200, headers("Content-Type", "image/png"), "x"))
        .as("an image without Cache-Control").isNotEmpty();
    assertThat(contract.responseProblems("GET", content, 200, headers("Content-Type", "image/png",
        "Cache-Control", "public, max-age=3600"), "x")).as("a publicly cacheable image").isNotEmpty();
  }

  @Test
  void anUndocumentedOrMalformedStreamEventIsReported() {
    assertThat(contract.eventProblems("GET", TASK_PATH, "progress", "{}")).isNotEmpty();
    assertThat(contract.eventProblems("GET", TASK_PATH, "task", succeededTask().put("owner", "dev").encode()))
        .isNotEmpty();
    assertThat(contract.eventProblems("GET", "/v1/models", "task", succeededTask().encode()))
        .as("an operation without a stream").isNotEmpty();
  }

  @Test
  void theRequestSchemaAcceptsEveryDocumentedFieldAndRejectsWhatTheServerRejectsForItsShape() {
    JsonObject everything = new JsonObject().put("model", "gpt-image-1").put("prompt", "x").put("n", 2)
        .put("size", "1024x1024").put("quality", "high").put("response_format", "b64_json").put("user", "u-1")
        .put("stream", false).put("callback_url", "https://example.com/hooks/imagegen").put("seed", 7)
        .put("watermark", true).put("sequential_image_generation", "auto").put("output_format", "png")
        .put("output_compression", 80).put("background", "transparent").put("moderation", "low")
        .put("style", "vivid").put("ratio", "16:9")
        .put("image", new JsonArray().add("https://example.com/in.png").add(new JsonObject().put("b64_json", "AA==")));
    assertThat(contract.requestProblems("POST", SUBMIT, everything.encode())).isEmpty();
    assertThat(contract.requestProblems("POST", "/api/v1/images/generations", everything.encode())).isEmpty();
    assertThat(contract.requestProblems("POST", SUBMIT, "{\"model\":\"qwen-image-2.0\",\"prompt\":\"x\","
        + "\"negative_prompt\":\"blur\",\"n\":null,\"callback_url\":null}")).as("passthrough and nulls").isEmpty();

    // A request without a model is valid (IMAGEGEN_DEFAULT_MODEL); one without a prompt is not.
    for (String rejected : List.of("{\"model\":\"demo-async\"}", "{\"prompt\":\"x\",\"model\":7}",
        "{\"model\":\"demo-async\",\"prompt\":\"  \"}", "{\"model\":\"demo-async\",\"prompt\":\"x\",\"n\":\"2\"}",
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"n\":0}",
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"stream\":true}",
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"response_format\":\"png\"}",
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"output_compression\":101}",
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"watermark\":\"yes\"}",
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"callback_url\":42}",
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"callback_url\":\"hooks/imagegen\"}",
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"callback_url\":\"https://example.com/" + "a".repeat(2048) + "\"}",
        "{\"model\":\"demo-async\",\"prompt\":\"x\",\"image\":[]}", "[]")) {
      assertThat(contract.requestProblems("POST", SUBMIT, rejected)).as(rejected).isNotEmpty();
    }
    assertThat(contract.requestProblems("POST", TASK_PATH + "/cancel", "{}")).as("cancel takes no body")
        .isNotEmpty();
  }

  @Test
  void pathsResolveToTheirTemplatesWithLiteralSegmentsFirst() {
    assertThat(contract.template("GET", "/v1/images/models")).contains("/v1/images/models");
    assertThat(contract.template("DELETE", "/v1/images/img_1")).contains("/v1/images/{image_id}");
    assertThat(contract.template("GET", "/v1/images/img_1")).isEmpty();
    assertThat(contract.template("GET", TASK_PATH + "?wait=3")).contains("/v1/images/generations/{task_id}");
    assertThat(contract.template("GET", "/v1/images/models/imagegen/demo/endpoints"))
        .contains("/v1/images/models/{author}/{slug}/endpoints");
    assertThat(contract.template("GET", "/v1/images/generations/a/b")).isEmpty();
  }

  @Test
  void aReferenceToNothingIsReported() {
    OpenApiValidator broken = new OpenApiValidator("{\"openapi\":\"3.1.0\",\"paths\":{\"/x\":{\"get\":{"
        + "\"responses\":{\"200\":{\"$ref\":\"#/components/responses/Gone\"}}}}},\"components\":{\"schemas\":{"
        + "\"A\":{\"$ref\":\"#/components/schemas/A\"}}}}");

    assertThat(broken.unresolvedRefs()).containsExactly("#/components/responses/Gone");
    assertThat(contract.unresolvedRefs()).isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ fixtures

  private static JsonObject queuedTask() {
    return new JsonObject().put("id", "image_2f9b9a3d8c1e4f5a6b7c8d9e").put("task_id", "image_2f9b9a3d8c1e4f5a6b7c8d9e")
        .put("object", "image.generation.task").put("status", "QUEUED").put("created_at", 1795309650L)
        .put("model", "demo-async").put("prompt", "a fox").put("size", "64x64").put("quality", "auto").put("n", 1)
        .put("mode", "generation").put("callback_url", "https://example.com/hooks/imagegen")
        .put("expires_at", 1795396050L);
  }

  private static JsonObject succeededTask() {
    JsonObject usage = new JsonObject().put("generated_images", 1).put("total_tokens", 0).put("input_tokens", 0)
        .put("output_tokens", 0).put("input_tokens_details", new JsonObject().put("text_tokens", 0)
            .put("image_tokens", 0));
    JsonObject result = new JsonObject().put("created", 1795309652L)
        .put("data", new JsonArray().add(new JsonObject()
            .put("url", "http://127.0.0.1:9000/imagegen/images/image_2f9b9a3d8c1e4f5a6b7c8d9e/1-0.png")
            .put("revised_prompt", "a fox")))
        .put("usage", usage).put("cost", new JsonObject().put("amount", 0.0).put("currency", "USD"));
    return queuedTask().put("status", "SUCCEEDED").put("started_at", 1795309651L).put("completed_at", 1795309652L)
        .put("result", result);
  }

  private static JsonObject imageList() {
    JsonObject image = new JsonObject().put("id", "img_1795309650123_2f9b9a3d8c1e4f5a6b7c8d9e_0")
        .put("object", "image").put("task_id", "image_2f9b9a3d8c1e4f5a6b7c8d9e").put("model", "demo")
        .put("created_at", 1795309652L).put("expires_at", 1795396052L)
        .put("url", "http://127.0.0.1:9000/imagegen/images/image_2f9b9a3d8c1e4f5a6b7c8d9e/1-0.png")
        .put("content_type", "image/png").put("bytes", 10);
    return new JsonObject().put("object", "list").put("data", new JsonArray().add(image)).put("has_more", false)
        .put("first_id", image.getString("id")).put("last_id", image.getString("id"));
  }

  private static String error(String type, String param) {
    return new JsonObject().put("error", new JsonObject().put("message", "m").put("type", type).put("code", "c")
        .put("param", param)).encode();
  }

  private static HttpHeaders headers(String... namesAndValues) {
    Map<String, List<String>> map = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], List.of(namesAndValues[i + 1]));
    }
    return HttpHeaders.of(map, (name, value) -> true);
  }
}
