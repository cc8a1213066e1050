package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.imagegen.api.ApiMain;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.worker.WorkerMain;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Metrics, health, task-scoped logs and one trace per task, on a real broker and S3 server (docs/operations.md). */
class ObservabilityEndToEndTest {
  private static final String KEY = "sk-obs-" + UUID.randomUUID();
  private static final String PROMPT = "a confidential lighthouse " + UUID.randomUUID();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
  private static final ListAppender<ILoggingEvent> LINES = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      // The MDC is read lazily; take it on the thread that logged, as real appenders do.
      event.prepareForDeferredProcessing();
      super.append(event);
    }
  };

  @TempDir
  static Path data;
  static EmbeddedKafka kafka;
  static EmbeddedS3 s3;
  static OpenTelemetrySdk otel;
  static ApiMain.Running api;
  static WorkerMain.Running worker;
  static String jobsTopic;

  @BeforeAll
  static void start() throws Exception {
    LINES.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(LINES);
    LocalStack.Options defaults = LocalStack.Options.defaults(data);
    kafka = EmbeddedKafka.start(defaults.kafkaLib(), data.resolve("kafka"), 0);
    s3 = EmbeddedS3.start(defaults.s3proxyJar(), data.resolve("s3"), 0, "obs-access", "obs-secret");
    otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build()).build();
    String unique = UUID.randomUUID().toString().substring(0, 8);
    jobsTopic = "obs-jobs-" + unique;
    Map<String, String> env = new HashMap<>();
    env.put("IMAGEGEN_API_KEYS", "observer=" + KEY);
    env.put("IMAGEGEN_HTTP_HOST", "127.0.0.1");
    env.put("IMAGEGEN_HTTP_PORT", "0");
    env.put("IMAGEGEN_API_METRICS_PORT", "0");
    env.put("IMAGEGEN_WORKER_HTTP_HOST", "127.0.0.1");
    env.put("IMAGEGEN_WORKER_HTTP_PORT", "0");
    env.put("IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("IMAGEGEN_KAFKA_JOBS_TOPIC", jobsTopic);
    env.put("IMAGEGEN_KAFKA_EVENTS_TOPIC", "obs-events-" + unique);
    env.put("IMAGEGEN_S3_ENDPOINT", s3.endpoint().toString());
    env.put("IMAGEGEN_S3_ACCESS_KEY", s3.accessKey());
    env.put("IMAGEGEN_S3_SECRET_KEY", s3.secretKey());
    env.put("IMAGEGEN_S3_BUCKET", "obs-" + unique);
    env.put("IMAGEGEN_S3_PUBLIC_URL_MODE", "acl");
    env.put("IMAGEGEN_DEMO_LATENCY", "200ms");
    // The production catalog has no demo models; tests add them as the local stack does.
    env.put("IMAGEGEN_MODEL_CATALOG", ModelCatalog.WITH_DEMO);
    api = ApiMain.start(env, otel).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    worker = WorkerMain.start(env, otel).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(LINES);
    if (worker != null) {
      worker.close();
    }
    if (api != null) {
      api.close();
    }
    if (otel != null) {
      otel.close();
    }
    if (s3 != null) {
      s3.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static HttpResponse<String> get(int port, String path, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Submits an async demo task and waits until it SUCCEEDED; its id. */
  private static String finishedTask() throws Exception {
    HttpResponse<String> submitted = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + api.port() + "/v1/images/generations"))
        .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"demo-async\",\"prompt\":\"" + PROMPT
            + "\",\"size\":\"64x64\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
    String id = new io.vertx.core.json.JsonObject(submitted.body()).getString("task_id");
    await().atMost(Duration.ofSeconds(60)).until(() -> get(api.port(), "/v1/images/generations/" + id + "?wait=5",
        KEY).body().contains("\"SUCCEEDED\""));
    return id;
  }

  /** What was logged so far; the appender appends under its own lock. */
  private static List<ILoggingEvent> lines() {
    synchronized (LINES) {
      return List.copyOf(LINES.list);
    }
  }

  private static SpanData span(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans.stream().map(SpanData::getName)
            .toList()));
  }

  @Test
  void oneTaskIsOneTraceFromTheSubmitThroughKafkaTheWorkerAndStorageToItsTerminalEvent() throws Exception {
    String id = finishedTask();

    // This task's job record, by its key; the other tests' tasks have traces of their own.
    SpanData produce = await().atMost(Duration.ofSeconds(10)).until(() -> SPANS.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals("send " + jobsTopic)
            && id.equals(s.getAttributes().get(MessagingIncubatingAttributes.MESSAGING_KAFKA_MESSAGE_KEY)))
        .findFirst().orElse(null), found -> found != null);
    String trace = produce.getTraceId();
    await().atMost(Duration.ofSeconds(10)).until(() -> SPANS.getFinishedSpanItems().stream()
        .filter(s -> s.getTraceId().equals(trace) && s.getName().startsWith("send obs-events")).count() >= 2);
    List<SpanData> spans = SPANS.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace)).toList();

    SpanData submit = span(spans, "POST /v1/images/generations");
    assertThat(submit.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(submit.getParentSpanId()).isEqualTo(SpanId.getInvalid());
    SpanData consume = span(spans, "process " + jobsTopic);
    assertThat(produce.getParentSpanId()).isEqualTo(submit.getSpanId());
    assertThat(produce.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(produce.getAttributes().asMap().toString()).contains("messaging.system=kafka")
        .contains("messaging.destination.name=" + jobsTopic);
    assertThat(consume.getParentSpanId()).isEqualTo(produce.getSpanId());
    assertThat(consume.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(span(spans, "s3 task_write").getParentSpanId()).isEqualTo(consume.getSpanId());
    assertThat(span(spans, "s3 image_write").getParentSpanId()).isEqualTo(consume.getSpanId());
    assertThat(spans.stream().filter(s -> s.getName().startsWith("send obs-events")))
        .allSatisfy(event -> assertThat(event.getParentSpanId()).isEqualTo(consume.getSpanId()));
  }

  @Test
  void everyLogLineAboutATaskCarriesItsTaskOwnerModelAndTraceButNeitherKeyNorPrompt() throws Exception {
    String id = finishedTask();

    List<ILoggingEvent> about = lines().stream().filter(e -> e.getFormattedMessage().contains(id)).toList();
    assertThat(about).extracting(ILoggingEvent::getLoggerName)
        .contains("io.imagegen.api.tasks.TaskService", "io.imagegen.worker.tasks.JobRunner");
    assertThat(about).allSatisfy(line -> {
      Map<String, String> mdc = line.getMDCPropertyMap();
      assertThat(mdc).as(line.getFormattedMessage()).containsEntry("task_id", id)
          .containsEntry("owner", "observer").containsEntry("model", "demo-async").containsKey("trace_id");
    });
    assertThat(about.stream().map(line -> line.getMDCPropertyMap().get("trace_id")).distinct()).hasSize(1);
    assertThat(lines()).noneSatisfy(line -> assertThat(line.getFormattedMessage() + line.getMDCPropertyMap())
        .containsAnyOf(KEY, PROMPT));
  }

  @Test
  void metricsAreLabelledByRouteTemplateAndHealthEndpointsAnswerWithoutAKey() throws Exception {
    String id = finishedTask();

    assertThat(get(api.port(), "/livez", null).statusCode()).isEqualTo(200);
    assertThat(get(api.port(), "/readyz", null).statusCode()).isEqualTo(200);
    assertThat(get(worker.monitoringPort(), "/livez", null).statusCode()).isEqualTo(200);
    assertThat(get(worker.monitoringPort(), "/readyz", null).statusCode()).isEqualTo(200);
    String scrape = get(api.metricsPort(), "/metrics", null).body();
    assertThat(scrape)
        .contains("imagegen_api_requests_total{method=\"GET\",route=\"/v1/images/generations/:task_id\",status=\"200\"}")
        .contains("imagegen_api_request_seconds_bucket{method=\"POST\",route=\"/v1/images/generations\"")
        .contains("imagegen_api_submits_total{model=\"demo-async\",outcome=\"accepted\"}")
        .contains("imagegen_api_open_waits{kind=\"long_poll\"}")
        .contains("imagegen_api_queue_depth")
        .contains("imagegen_api_sync_wait_timeouts_total")
        .doesNotContain(id);
  }
}
