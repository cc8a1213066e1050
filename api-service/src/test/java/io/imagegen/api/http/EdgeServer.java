package io.imagegen.api.http;

import io.imagegen.api.observability.ApiObservability;
import io.imagegen.common.observability.Readiness;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.opentelemetry.api.OpenTelemetry;
import io.imagegen.api.images.ImageService;
import io.imagegen.api.models.Availability;
import io.imagegen.api.models.ModelDirectory;
import io.imagegen.common.config.Env;
import io.imagegen.common.models.ModelCatalog;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** A real {@link ApiVerticle} on a free loopback port, with only the parts the edge tests reach. */
final class EdgeServer implements AutoCloseable {
  static final String KEY = "sk-alice";

  private final Vertx vertx = Vertx.vertx();
  private final ApiVerticle verticle;
  /** Never asked here (the edge tests do not probe /readyz), so its broker address need not answer. */
  private final Readiness readiness = new Readiness(KafkaSettings.from(new Env(Map.of(
      "IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9"))), "edge-test", new InMemoryObjectStore(), () -> true);

  EdgeServer(EdgeLimits limits, double readsPerSecond, int readBurst, ImageService images) throws Exception {
    verticle = new ApiVerticle(new ApiVerticle.Options("127.0.0.1", 0, 1024 * 1024, Duration.ofSeconds(60), 20, 50,
        readsPerSecond, readBurst, 100, limits, List.of(), null), ApiKeys.from(new Env(Map.of("IMAGEGEN_API_KEYS", "alice=" + KEY))),
        null, new ModelDirectory(ModelCatalog.of(List.of()),
            new Availability(java.time.Clock.systemUTC(), Duration.ZERO), false), images, null,
        new ApiObservability(OpenTelemetry.noop().getTracer("edge-test"), readiness, Set.of(), () -> 0), null);
    vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Limits from the variables given, the rest at their defaults. */
  static EdgeLimits limits(Map<String, String> variables) {
    Env env = new Env(variables);
    EdgeLimits limits = EdgeLimits.from(env);
    env.validate();
    return limits;
  }

  Vertx vertx() {
    return vertx;
  }

  int port() {
    return verticle.actualPort();
  }

  Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", port());
    // A bound on every blocking read, so a server that never answers fails the test instead of hanging it.
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Everything the server sends until it closes the connection. */
  static String readUntilClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    for (int n; (n = in.read(buffer)) != -1; ) {
      out.write(buffer, 0, n);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  @Override
  public void close() throws Exception {
    readiness.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
