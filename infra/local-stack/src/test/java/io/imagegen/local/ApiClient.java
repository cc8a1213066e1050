package io.imagegen.local;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for the tests: speaks to the services exactly as an external client would. */
final class ApiClient {
  record Response(int status, JsonObject json, String body, HttpResponse<String> raw) {
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;

  ApiClient(URI base) {
    this.base = base;
  }

  Response post(String path, String key, String body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return send(request.build());
  }

  Response delete(String path, String key) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).DELETE().build());
  }

  /** GET returning raw bytes (image content). */
  HttpResponse<byte[]> getBytes(String path, String key) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  Response post(String path, String key, String body, String idempotencyKey) throws IOException,
      InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key)
        .header("Idempotency-Key", idempotencyKey)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  Response get(String path, String key) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return send(request.build());
  }

  /** Reads a server-sent event stream to its end; returns the {@code data:} payloads of {@code task} events. */
  java.util.List<JsonObject> stream(String path, String key) throws IOException, InterruptedException {
    HttpResponse<java.util.stream.Stream<String>> response = http.send(HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + key)
            .header("Accept", "text/event-stream")
            .GET().build(),
        HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      throw new IOException("stream answered " + response.statusCode());
    }
    return response.body().filter(line -> line.startsWith("data: ")).map(line -> new JsonObject(line.substring(6)))
        .toList();
  }

  /** Downloads {@code url} with no credentials at all, as a browser or curl would. */
  HttpResponse<byte[]> download(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private Response send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    JsonObject json = null;
    String body = response.body();
    if (body != null && body.startsWith("{")) {
      json = new JsonObject(body);
    }
    return new Response(response.statusCode(), json, body, response);
  }
}
