package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagegen.common.json.Json;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.fake.Behaviour;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.worker.WorkerMain;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model's {@code concurrency} is a limit for the whole deployment: three workers (real broker, real S3 server)
 * calling the fake vendor never have more calls in progress at once than the catalog allows, and neither do the two
 * left after one of them leaves the group.
 */
class ClusterLimitsEndToEndTest {
  private static final int LIMIT = 4;
  private static final String GROUP = "imagegen-workers";

  @TempDir
  static Path data;
  static FakeUpstream upstream;
  static LocalStack stack;
  static ApiClient api;

  @BeforeAll
  static void startTwoWorkersAgainstTheFakeUpstream() throws Exception {
    upstream = FakeUpstream.start(0);
    Path catalog = data.resolve("models.json");
    Files.write(catalog, catalogLimitingGptImageTo(upstream.baseUrl(), LIMIT));
    String unique = UUID.randomUUID().toString().substring(0, 8);
    stack = LocalStack.start(LocalStack.Options.defaults(data.resolve("stack")).withWorkers(2).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", EndToEndScenarios.API_KEYS,
        "IMAGEGEN_MODEL_CATALOG", catalog.toString(),
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "limits-" + unique,
        "IMAGEGEN_S3_BUCKET", "limits-" + unique,
        "OPENAI_API_KEY", FakeUpstream.API_KEY)));
    api = new ApiClient(stack.apiBase());
  }

  @AfterAll
  static void stopAll() {
    if (stack != null) {
      stack.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void theVendorNeverSeesMoreCallsAtOnceThanTheModelAllowsBeforeAndAfterAWorkerLeaves() throws Exception {
    WorkerMain.Running third = WorkerMain.start(stack.serviceEnv()).toCompletionStage().toCompletableFuture()
        .get(2, TimeUnit.MINUTES);
    try {
      awaitMembersOwningEveryPartition(3);
      int withThree = maxInFlightOver(24);
      assertThat(withThree).as("calls at once with three workers").isBetween(2, LIMIT);
    } finally {
      third.close();
    }

    awaitMembersOwningEveryPartition(2);
    int withTwo = maxInFlightOver(24);
    assertThat(withTwo).as("calls at once with two workers").isBetween(2, LIMIT);
  }

  /** Submits {@code tasks} slow generations at once, waits for all to succeed, and returns the vendor's peak. */
  private static int maxInFlightOver(int tasks) throws Exception {
    upstream.reset();
    upstream.behave(Behaviour.normal().withLatency(Duration.ofMillis(700)));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      ApiClient.Response submitted = api.post("/v1/images/generations", EndToEndScenarios.DEV_KEY, new JsonObject()
          .put("model", "gpt-image-1").put("prompt", "limit " + i).put("size", "1024x1024").encode());
      assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
      ids.add(submitted.json().getString("task_id"));
    }
    for (String id : ids) {
      JsonObject done = EndToEndScenarios.awaitTerminal(api, id, EndToEndScenarios.DEV_KEY, new ArrayList<>());
      assertThat(done.getString("status")).as(done.encode()).isEqualTo("SUCCEEDED");
    }
    return upstream.maxInFlight();
  }

  /** Waits until the workers' group has {@code members} members and every partition of the jobs topic an owner. */
  private static void awaitMembersOwningEveryPartition(int members) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        stack.serviceEnv().get("IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS")))) {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).describedGroups().get(GROUP)
            .get(10, TimeUnit.SECONDS);
        int owned = group.members().stream().map(MemberDescription::assignment)
            .mapToInt(assignment -> assignment.topicPartitions().size()).sum();
        return group.members().size() == members && owned == 12
            && group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
      });
    }
  }

  /** The bundled catalog with vendor base URLs at the fake and gpt-image-1 limited to {@code limit} calls. */
  private static byte[] catalogLimitingGptImageTo(String baseUrl, int limit) throws Exception {
    try (InputStream in = ModelCatalog.class.getResourceAsStream(ModelCatalog.BUNDLED)) {
      JsonNode root = Json.MAPPER.readTree(in);
      for (JsonNode model : root.get("models")) {
        if (model.has("base_url")) {
          ((ObjectNode) model).put("base_url", baseUrl);
        }
        if (model.get("id").asText().equals("gpt-image-1")) {
          ((ObjectNode) model).putObject("concurrency").put("max_in_flight", limit).put("requests_per_minute", 0);
        }
      }
      return Json.MAPPER.writeValueAsBytes(root);
    }
  }
}
