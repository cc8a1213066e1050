package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.config.Env;
import io.imagegen.common.json.Json;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.tasks.Task;
import io.imagegen.worker.deadletters.DlqReplay;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What operators rely on: jobs that end FAILED or cannot run at all leave a record on the dead-letter topic and never
 * block a partition, poison can be replayed once its cause is fixed, and every worker reports itself on /metrics and
 * /health.
 */
class OperationsTest {
  @TempDir
  static Path data;
  static LocalStack stack;
  static String topic;
  static ApiClient api;
  static KafkaProbe kafka;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startStack() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    topic = "dlq-" + unique;
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", EndToEndScenarios.API_KEYS,
        "IMAGEGEN_KAFKA_JOBS_TOPIC", topic,
        "IMAGEGEN_S3_BUCKET", "dlq-" + unique,
        "IMAGEGEN_DEMO_LATENCY", "0",
        // A #down prompt fails every attempt retryably: two attempts, quickly.
        "IMAGEGEN_UPSTREAM_MAX_ATTEMPTS", "2",
        "IMAGEGEN_UPSTREAM_INITIAL_BACKOFF", "100ms",
        "IMAGEGEN_UPSTREAM_MAX_BACKOFF", "200ms")));
    api = new ApiClient(stack.apiBase());
    kafka = new KafkaProbe(stack.kafka().bootstrapServers());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aTaskThatFailsPermanentlyEndsFailedWithItsJobInTheDeadLetterTopic() throws Exception {
    String id = submit("a permanent failure #fail");

    JsonObject failed = EndToEndScenarios.awaitTerminal(api, id, EndToEndScenarios.DEV_KEY, new ArrayList<>());
    assertThat(failed.getString("status")).isEqualTo("FAILED");
    assertThat(failed.getJsonObject("error").getString("code")).isEqualTo("demo_failure");

    ConsumerRecord<String, byte[]> letter = kafka.awaitRecord(topic + ".dlq", id);
    assertLetter(letter, "failed", "demo_failure", 1);
    assertThat(header(letter, "imagegen-dlq-error-message")).contains("#fail");
    assertThat(header(letter, "imagegen-dlq-source-topic")).isEqualTo(topic);
    assertThat(Long.parseLong(header(letter, "imagegen-dlq-failed-at-ms")))
        .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
    assertThat(Json.fromBytes(letter.value(), JobMessage.class).taskId()).isEqualTo(id);
  }

  @Test
  void aTaskWhoseRetriesAreExhaustedIsDeadLetteredWithItsLastError() throws Exception {
    String id = submit("a vendor that stays down #down");

    JsonObject failed = EndToEndScenarios.awaitTerminal(api, id, EndToEndScenarios.DEV_KEY, new ArrayList<>());
    assertThat(failed.getJsonObject("error").getString("code")).isEqualTo("demo_unavailable");

    ConsumerRecord<String, byte[]> letter = kafka.awaitRecord(topic + ".dlq", id);
    assertLetter(letter, "failed", "demo_unavailable", 2);
  }

  @Test
  void theWorkerReportsOutcomesRetriesDeadLettersLagAndUpstreamCallsOnItsMetricsEndpoint() throws Exception {
    String failed = submit("counted as a failure #down");
    String succeeded = submit("counted as a success");
    EndToEndScenarios.awaitTerminal(api, failed, EndToEndScenarios.DEV_KEY, new ArrayList<>());
    EndToEndScenarios.awaitTerminal(api, succeeded, EndToEndScenarios.DEV_KEY, new ArrayList<>());
    kafka.awaitRecord(topic + ".dlq", failed);
    URI worker = stack.workerMonitoring().get(0);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(worker.resolve("/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
          assertThat(type).startsWith("text/plain"));
      String metrics = scrape.body();
      assertThat(value(metrics, "imagegen_worker_task_outcomes_total{code=\"\",status=\"SUCCEEDED\"}"))
          .isGreaterThanOrEqualTo(1);
      assertThat(value(metrics, "imagegen_worker_task_outcomes_total{code=\"demo_unavailable\",status=\"FAILED\"}"))
          .isGreaterThanOrEqualTo(1);
      assertThat(value(metrics, "imagegen_worker_retries_total{code=\"demo_unavailable\",provider=\"demo\"}"))
          .isGreaterThanOrEqualTo(1);
      assertThat(value(metrics, "imagegen_worker_dead_letters_total{code=\"demo_unavailable\",reason=\"failed\"}"))
          .isGreaterThanOrEqualTo(1);
      assertThat(value(metrics, "imagegen_worker_upstream_calls_seconds_count{model=\"demo-async\","
          + "outcome=\"success\",provider=\"demo\"}")).isGreaterThanOrEqualTo(1);
      assertThat(value(metrics, "imagegen_worker_circuit_breaker_state{provider=\"demo\"}")).isZero();
      assertThat(value(metrics, "imagegen_worker_jobs_in_flight{topic=\"" + topic + "\"}")).isZero();
      assertThat(metrics).containsPattern("imagegen_worker_consumer_lag\\{partition=\"\\d+\",topic=\"" + topic
          + "\"} 0");
    });
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(worker.resolve("/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
  }

  @Test
  void aJobNobodyCanReadIsDeadLetteredAsPoisonAndItsPartitionMovesOn() throws Exception {
    String key = "garbage-" + UUID.randomUUID();
    byte[] garbage = "{not a job".getBytes(StandardCharsets.UTF_8);

    RecordMetadata written = kafka.produce(topic, key, garbage);
    kafka.awaitCommittedPast(written);

    ConsumerRecord<String, byte[]> letter = kafka.awaitRecord(topic + ".dlq", key);
    assertThat(letter.value()).isEqualTo(garbage);
    assertLetter(letter, "poison", "invalid_job", 0);
    assertThat(header(letter, "imagegen-dlq-source-partition")).isEqualTo(Integer.toString(written.partition()));
    assertThat(header(letter, "imagegen-dlq-source-offset")).isEqualTo(Long.toString(written.offset()));
  }

  @Test
  void aJobWhoseTaskHasNoRecordIsDeadLetteredAsPoison() throws Exception {
    String id = newTaskId();

    RecordMetadata written = kafka.produce(topic, id,
        Json.toBytes(JobMessage.of(id, "demo-async", System.currentTimeMillis())));
    kafka.awaitCommittedPast(written);

    ConsumerRecord<String, byte[]> letter = kafka.awaitRecord(topic + ".dlq", id);
    assertLetter(letter, "poison", "task_missing", 0);
  }

  @Test
  void aPoisonJobReplayedAfterItsTaskRecordIsRepairedRunsToSuccess() throws Exception {
    String id = newTaskId();
    EndToEndScenarios.writeTaskRecord(stack.serviceEnv(), id,
        "{\"id\": \"truncated".getBytes(StandardCharsets.UTF_8));
    kafka.awaitCommittedPast(kafka.produce(topic, id,
        Json.toBytes(JobMessage.of(id, "demo-async", System.currentTimeMillis()))));
    assertLetter(kafka.awaitRecord(topic + ".dlq", id), "poison", "task_unreadable", 0);
    KafkaSettings settings = KafkaSettings.from(new Env(stack.serviceEnv()));

    List<DlqReplay.Decision> dryRun = DlqReplay.replay(settings, new DlqReplay.Options(Set.of(id), Set.of(), null,
        true));
    assertThat(dryRun).singleElement().satisfies(decision -> {
      assertThat(decision.replayed()).isTrue();
      assertThat(decision.letter().code()).isEqualTo("task_unreadable");
    });
    assertThat(kafka.records(topic, id)).as("a dry run writes nothing").hasSize(1);

    Task repaired = Task.queued(id, "dev", Instant.now(), Duration.ofHours(1), "demo-async", "repaired", "64x64",
        "auto", 1, "generation", Map.of());
    EndToEndScenarios.writeTaskRecord(stack.serviceEnv(), id, Json.toBytes(repaired));
    List<DlqReplay.Decision> replayed = DlqReplay.replay(settings, new DlqReplay.Options(Set.of(id), Set.of(), null,
        false));

    assertThat(replayed).singleElement().satisfies(decision -> assertThat(decision.replayed()).isTrue());
    JsonObject done = EndToEndScenarios.awaitTerminal(api, id, EndToEndScenarios.DEV_KEY, new ArrayList<>());
    assertThat(done.getString("status")).isEqualTo("SUCCEEDED");
    List<ConsumerRecord<String, byte[]>> jobs = kafka.records(topic, id);
    assertThat(jobs).hasSize(2);
    assertThat(header(jobs.get(1), "imagegen-replayed-from")).startsWith(topic + ".dlq/");
    assertThat(header(jobs.get(1), "imagegen-dlq-reason")).isNull();
  }

  @Test
  void replayListsButNeverReplaysTheLetterOfATaskThatEndedFailed() throws Exception {
    String id = submit("stays failed #fail");
    EndToEndScenarios.awaitTerminal(api, id, EndToEndScenarios.DEV_KEY, new ArrayList<>());
    kafka.awaitRecord(topic + ".dlq", id);

    List<DlqReplay.Decision> decisions = DlqReplay.replay(KafkaSettings.from(new Env(stack.serviceEnv())),
        new DlqReplay.Options(Set.of(id), Set.of("demo_failure"), Instant.now().minusSeconds(600), false));

    assertThat(decisions).singleElement().satisfies(decision -> {
      assertThat(decision.replayed()).isFalse();
      assertThat(decision.toString()).contains("a terminal task never changes");
    });
    assertThat(kafka.records(topic, id)).hasSize(1);
  }

  @Test
  void aTaskThatSucceedsLeavesNoDeadLetter() throws Exception {
    String id = submit("a plain success");

    assertThat(EndToEndScenarios.awaitTerminal(api, id, EndToEndScenarios.DEV_KEY, new ArrayList<>())
        .getString("status")).isEqualTo("SUCCEEDED");
    // A later poison record on the same partition is dead-lettered only once the success before it was handled.
    RecordMetadata marker = kafka.produce(topic, id, "{marker".getBytes(StandardCharsets.UTF_8));
    kafka.awaitCommittedPast(marker);

    assertThat(kafka.records(topic + ".dlq", id)).extracting(r -> header(r, "imagegen-dlq-error-code"))
        .containsExactly("invalid_job");
  }

  private static String submit(String prompt) throws Exception {
    ApiClient.Response response = api.post("/v1/images/generations", EndToEndScenarios.DEV_KEY,
        new JsonObject().put("model", "demo-async").put("prompt", prompt).put("size", "64x64").encode());
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.json().getString("task_id");
  }

  private static String newTaskId() {
    return "image_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
  }

  /** The sample value of the series written exactly as {@code series}; fails when the series is absent. */
  private static double value(String metrics, String series) {
    return metrics.lines().filter(line -> line.startsWith(series + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError("no series " + series + " in:\n" + metrics));
  }

  private static void assertLetter(ConsumerRecord<String, byte[]> letter, String reason, String code, int attempts) {
    assertThat(header(letter, "imagegen-dlq-reason")).isEqualTo(reason);
    assertThat(header(letter, "imagegen-dlq-error-code")).isEqualTo(code);
    assertThat(header(letter, "imagegen-dlq-attempts")).isEqualTo(Integer.toString(attempts));
  }

  private static String header(ConsumerRecord<String, byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
