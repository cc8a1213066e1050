package io.imagegen.worker.monitoring;

import io.vertx.core.Future;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MonitoringServerTest {
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicBoolean consuming = new AtomicBoolean(true);
  private final AtomicBoolean ready = new AtomicBoolean(true);
  private final MonitoringServer monitoring = new MonitoringServer();

  @BeforeEach
  void listen() {
    monitoring.listen(vertx, "127.0.0.1", 0, consuming::get, () -> Future.succeededFuture(ready.get())).await();
  }

  @AfterEach
  void close() {
    monitoring.close().await();
    vertx.close().await();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitoring.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsAreServedInThePrometheusTextFormatWithTheJvmMetersAndOurs() throws Exception {
    Counter.builder("imagegen.worker.test.things").register(monitoring.registry()).increment(3);

    HttpResponse<String> scrape = send("GET", "/metrics");

    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
    assertThat(scrape.body()).contains("imagegen_worker_test_things_total 3.0").contains("jvm_memory_used_bytes");
  }

  @Test
  void healthFollowsWhetherTheWorkerIsConsuming() throws Exception {
    assertThat(send("GET", "/health").statusCode()).isEqualTo(200);

    consuming.set(false);

    HttpResponse<String> down = send("GET", "/health");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body()).contains("DOWN");
  }

  @Test
  void livenessIsUpWhileReadinessFollowsItsCheck() throws Exception {
    assertThat(send("GET", "/livez").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/readyz").statusCode()).isEqualTo(200);

    ready.set(false);

    assertThat(send("GET", "/readyz").statusCode()).isEqualTo(503);
    assertThat(send("GET", "/livez").statusCode()).isEqualTo(200);
  }

  @Test
  void otherPathsAndMethodsAreRefused() throws Exception {
    assertThat(send("GET", "/jobs").statusCode()).isEqualTo(404);
    assertThat(send("POST", "/metrics").statusCode()).isEqualTo(405);
  }
}
