package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.json.Json;
import io.imagegen.common.queue.JobMessage;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** Nothing lost, nothing doubled: redelivery is idempotent and a task is only accepted once its job is enqueued. */
class DeliverySemanticsTest {
  @TempDir
  static Path data;
  static LocalStack stack;
  static String topic;
  static String bucket;
  static ApiClient api;

  @BeforeAll
  static void startStack() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    topic = "delivery-" + unique;
    bucket = "delivery-" + unique;
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", EndToEndScenarios.API_KEYS,
        "IMAGEGEN_KAFKA_JOBS_TOPIC", topic,
        "IMAGEGEN_S3_BUCKET", bucket,
        "IMAGEGEN_DEMO_LATENCY", "0",
        // A dead broker must turn into a quick 503 in this test.
        "IMAGEGEN_ENQUEUE_TIMEOUT", "2s")));
    api = new ApiClient(stack.apiBase());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aRedeliveredJobForAFinishedTaskLeavesTheTaskExactlyAsItWas() throws Exception {
    String id = submit("redelivery").getString("task_id");
    JsonObject finished = EndToEndScenarios.awaitTerminal(api, id, EndToEndScenarios.DEV_KEY, new ArrayList<>());
    assertThat(finished.getString("status")).isEqualTo("SUCCEEDED");

    KafkaProbe kafka = new KafkaProbe(stack.kafka().bootstrapServers());
    RecordMetadata duplicate = kafka.produce(topic, id,
        Json.toBytes(JobMessage.of(id, "demo-async", System.currentTimeMillis())));
    kafka.awaitCommittedPast(duplicate);

    JsonObject after = api.get("/v1/images/generations/" + id, EndToEndScenarios.DEV_KEY).json();
    assertThat(after).isEqualTo(finished);
  }

  @Test
  void whenTheBrokerIsDownASubmitIsRefusedWith503AndLeavesNoTaskBehind() throws Exception {
    int tasksBefore = countTaskRecords();
    stack.kafka().stop();
    try {
      ApiClient.Response refused = api.post("/v1/images/generations", EndToEndScenarios.DEV_KEY,
          "{\"model\":\"demo-async\",\"prompt\":\"while the broker is away\",\"size\":\"64x64\"}");

      assertThat(refused.status()).as(refused.body()).isEqualTo(503);
      assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();
      assertThat(refused.json().getJsonObject("error").getString("code")).isEqualTo("queue_unavailable");
      assertThat(countTaskRecords()).isEqualTo(tasksBefore);
    } finally {
      stack.kafka().startBroker();
    }
    // Once the broker is back, the same client succeeds without any restart of the services.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      ApiClient.Response retried = api.post("/v1/images/generations", EndToEndScenarios.DEV_KEY,
          "{\"model\":\"demo-async\",\"prompt\":\"after the broker returned\",\"size\":\"64x64\"}");
      assertThat(retried.status()).as(retried.body()).isEqualTo(200);
    });
  }

  private static JsonObject submit(String prompt) throws Exception {
    ApiClient.Response response = api.post("/v1/images/generations", EndToEndScenarios.DEV_KEY,
        new JsonObject().put("model", "demo-async").put("prompt", prompt).put("size", "64x64").encode());
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.json();
  }

  private static int countTaskRecords() throws Exception {
    try (S3AsyncClient s3 = S3AsyncClient.builder()
        .endpointOverride(stack.s3().endpoint())
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(stack.s3().accessKey(), stack.s3().secretKey())))
        .build()) {
      return s3.listObjectsV2(b -> b.bucket(bucket).prefix("tasks/")).get(30, TimeUnit.SECONDS).keyCount();
    }
  }

}
