package io.imagegen.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;

/** The two API calls the benchmarks make, over a shared non-blocking client, exactly as an external client would. */
final class BenchApi {
  static final String SUBMIT_PATH = "/v1/images/generations";

  record Response(int status, Buffer body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpClient client;
  private final String host;
  private final int port;
  private final String authorization;

  BenchApi(HttpClient client, URI base, String apiKey) {
    this.client = client;
    this.host = base.getHost();
    this.port = base.getPort();
    this.authorization = "Bearer " + apiKey;
  }

  /** A tiny demo-model request: the demo renders in well under a millisecond at this size. */
  static String body(String prompt, String size) {
    return body("demo-async", prompt, size);
  }

  /** The same request for another catalog model. */
  static String body(String model, String prompt, String size) {
    return new JsonObject().put("model", model).put("prompt", prompt).put("size", size).encode();
  }

  Future<Response> submit(String body) {
    return send(HttpMethod.POST, SUBMIT_PATH, Buffer.buffer(body));
  }

  Future<Response> get(String taskId) {
    return send(HttpMethod.GET, SUBMIT_PATH + "/" + taskId, null);
  }

  Future<Response> send(HttpMethod method, String path, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(path)
        .putHeader("Authorization", authorization)
        .setConnectTimeout(5_000)
        .setIdleTimeout(30_000);
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return client.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(buffer -> new Response(response.statusCode(), buffer)));
  }
}
