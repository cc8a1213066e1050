package io.imagegen.bench;

import io.imagegen.fake.FakeUpstreamMain;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The project's fake upstream in a JVM of its own, so that the buffers it answers with are neither counted in the
 * bench JVM's memory nor compete with the worker for its heap; stopped (TERM, then KILL) on close.
 */
final class FakeUpstreamProcess implements AutoCloseable {
  /** A cold JVM that loads Vert.x and AWT takes a few seconds on two busy cores; 60 s means something is wrong. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final String baseUrl;
  private final HttpClient client = HttpClient.newHttpClient();

  private FakeUpstreamProcess(Process process, String baseUrl) {
    this.process = process;
    this.baseUrl = baseUrl;
  }

  /** Starts it on a free port with its output in {@code log}; returns once it answers. */
  static FakeUpstreamProcess start(Path log) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx2g", "-Djava.awt.headless=true", "-cp",
        System.getProperty("java.class.path"), FakeUpstreamMain.class.getName()))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("FAKE_UPSTREAM_PORT", Integer.toString(port));
    FakeUpstreamProcess upstream = new FakeUpstreamProcess(builder.start(), "http://127.0.0.1:" + port);
    try {
      upstream.awaitUp();
      return upstream;
    } catch (Exception | Error e) {
      upstream.close();
      throw e;
    }
  }

  String baseUrl() {
    return baseUrl;
  }

  /** Sets the fake's knobs (its {@code /_fake/behaviour} JSON). */
  void behave(JsonObject knobs) throws IOException, InterruptedException {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(baseUrl + "/_fake/behaviour"))
        .POST(HttpRequest.BodyPublishers.ofString(knobs.encode())).header("Content-Type", "application/json")
        .build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("fake upstream refused " + knobs + ": " + response.body());
    }
  }

  private void awaitUp() throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("fake upstream exited with " + process.exitValue());
      }
      try {
        client.send(HttpRequest.newBuilder(URI.create(baseUrl + "/_fake/behaviour")).build(),
            HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("fake upstream not listening on " + baseUrl + " after " + START_TIMEOUT);
        }
        Thread.sleep(100);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
