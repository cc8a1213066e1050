package io.imagegen.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.imagegen.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The API as a client sees it, over plain HTTP; never throws for an HTTP status, only for a broken exchange. */
final class Client implements AutoCloseable {
  /** One answer: the status and the JSON body ({@link NullNode} when the body was not JSON). */
  record Response(int status, JsonNode body) {
    boolean ok() {
      return status == 200;
    }
  }

  /**
   * The API holds a synchronous request until the task ends, so the client must wait longer than the slowest
   * scenario's generation; everything else answers in milliseconds.
   */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(90);

  private final URI base;
  private final String key;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final HttpClient http;

  Client(URI base, String key) {
    this.base = base;
    this.key = key;
    this.http = HttpClient.newBuilder().executor(executor).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Submits one generation; {@code idempotencyKey} may be null. */
  CompletableFuture<Response> submit(String model, String prompt, String idempotencyKey) {
    // URLs, not the b64_json most models default to: a synchronous answer names its task only in its image URLs.
    byte[] body = Json.toBytes(Map.of("model", model, "prompt", prompt, "n", 1, "response_format", "url"));
    HttpRequest.Builder request = authorized(base.resolve("/v1/images/generations"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return send(request.build());
  }

  /** The task now, or once it is terminal if that happens within {@code wait} (a long poll). */
  CompletableFuture<Response> task(String id, Duration wait) {
    String query = wait.isZero() ? "" : "?wait=" + wait.toSeconds();
    return send(authorized(base.resolve("/v1/images/generations/" + id + query)).GET().build());
  }

  /** Downloads a result URL the way a browser would: no credentials. */
  byte[] download(String url) throws IOException, InterruptedException {
    HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT)
        .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + response.statusCode());
    }
    return response.body();
  }

  private HttpRequest.Builder authorized(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + key);
  }

  private CompletableFuture<Response> send(HttpRequest request) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(response -> new Response(response.statusCode(), parse(response.body())));
  }

  private static JsonNode parse(byte[] body) {
    try {
      return body.length == 0 ? NullNode.getInstance() : Json.MAPPER.readTree(body);
    } catch (IOException notJson) {
      return Json.MAPPER.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    // Java 17's HttpClient has no close(); its connections go with its executor.
    executor.shutdownNow();
  }
}
