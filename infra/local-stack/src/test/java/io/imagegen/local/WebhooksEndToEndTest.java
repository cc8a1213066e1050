package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.imagegen.api.ApiMain;
import io.imagegen.common.config.Env;
import io.imagegen.common.json.Json;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.TaskEvent;
import io.imagegen.common.tasks.TaskStatus;
import io.imagegen.worker.deadletters.DlqReplay;
import io.imagegen.worker.WorkerMain;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed webhooks on terminal task states, on the real stack (broker, S3 server, both services) with a receiver on
 * loopback. The receiver is private, so the main stack runs with the development flag; one test starts a second
 * api/worker pair without it to show that the same receiver is then never called.
 */
class WebhooksEndToEndTest {
  /** 32 bytes, base64; the dev key's signing secret. */
  private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(
      "imagegen-webhook-test-secret-32b".getBytes(StandardCharsets.UTF_8));
  private static final String SUBMIT = "/v1/images/generations";

  @TempDir
  static Path data;
  static LocalStack stack;
  static ApiClient api;
  static Receiver receiver;
  static String jobsTopic;

  @BeforeAll
  static void startStack() throws Exception {
    receiver = Receiver.start();
    String unique = UUID.randomUUID().toString().substring(0, 8);
    jobsTopic = "hooks-" + unique;
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", EndToEndScenarios.API_KEYS,
        "IMAGEGEN_WEBHOOK_SECRETS", "dev=" + SECRET,
        // The receiver listens on loopback, which only the development flag lets a callback reach.
        "IMAGEGEN_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true",
        "IMAGEGEN_WEBHOOK_INITIAL_BACKOFF", "100ms",
        "IMAGEGEN_WEBHOOK_MAX_BACKOFF", "500ms",
        "IMAGEGEN_KAFKA_JOBS_TOPIC", jobsTopic,
        "IMAGEGEN_S3_BUCKET", "hooks-" + unique,
        "IMAGEGEN_DEMO_LATENCY", "0")));
    api = new ApiClient(stack.apiBase());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
    if (receiver != null) {
      receiver.stop();
    }
  }

  @Test
  void everyTerminalTaskGetsExactlyOneSignedPostCarryingTheTaskAsGetShowsIt() throws Exception {
    String succeeded = submit("a lighthouse", "/done");
    String failed = submit("please #fail now", "/failed");
    String cancelled = submit("a #slow sunrise", "/cancelled");
    assertThat(api.post(SUBMIT + "/" + cancelled + "/cancel", EndToEndScenarios.DEV_KEY, "").status())
        .isEqualTo(200);

    for (List<String> task : List.of(List.of(succeeded, "succeeded", "/done"), List.of(failed, "failed", "/failed"),
        List.of(cancelled, "cancelled", "/cancelled"))) {
      String id = task.get(0);
      String status = task.get(1);
      Delivery delivery = receiver.awaitFirst(task.get(2));
      JsonObject shown = EndToEndScenarios.awaitTerminal(api, id, EndToEndScenarios.DEV_KEY, new ArrayList<>());
      assertSignedBySecret(delivery);
      assertThat(delivery.header("webhook-id")).isEqualTo("msg_" + id + "_" + status);
      assertThat(Long.parseLong(delivery.header("webhook-timestamp")))
          .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(120L));
      JsonObject payload = new JsonObject(delivery.body());
      assertThat(payload.getString("type")).isEqualTo("image.generation.task." + status);
      assertThat(payload.getString("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
      // The task as the API shows it, minus the urls only an HTTP answer has (docs/api.md "Where a task stands").
      shown.remove("urls");
      assertThat(payload.getJsonObject("data")).isEqualTo(shown);
    }

    awaitWebhooksCaughtUp(stack.serviceEnv(), jobsTopic);
    assertThat(receiver.deliveries("/done")).hasSize(1);
    assertThat(receiver.deliveries("/failed")).hasSize(1);
    assertThat(receiver.deliveries("/cancelled")).hasSize(1);
  }

  @Test
  void aReceiverAnswering503TwiceGetsTheSameSignedMessageAThirdTimeAndThenNoMore() throws Exception {
    receiver.answer("/flaky", 503, 503);
    String id = submit("a flaky receiver", "/flaky");

    await().atMost(Duration.ofSeconds(60)).until(() -> receiver.deliveries("/flaky").size() >= 3);
    awaitWebhooksCaughtUp(stack.serviceEnv(), jobsTopic);

    List<Delivery> deliveries = receiver.deliveries("/flaky");
    assertThat(deliveries).hasSize(3);
    assertThat(deliveries).extracting(d -> d.header("webhook-id")).containsOnly("msg_" + id + "_succeeded");
    assertThat(deliveries).extracting(Delivery::body).containsOnly(deliveries.get(0).body());
    deliveries.forEach(WebhooksEndToEndTest::assertSignedBySecret);
    assertThat(receiver.statuses("/flaky")).containsExactly(503, 503, 204);
  }

  @Test
  void anEventWhoseTaskRecordIsUnreadableIsDeadLetteredAndLaterDeliveriesAreCommittedPastIt() throws Exception {
    String broken = "image_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    EndToEndScenarios.writeTaskRecord(stack.serviceEnv(), broken,
        "{\"id\": \"truncated".getBytes(StandardCharsets.UTF_8));
    KafkaProbe kafka = new KafkaProbe(stack.kafka().bootstrapServers());
    kafka.produce(jobsTopic + ".events", broken, Json.toBytes(
        new TaskEvent(1, broken, TaskStatus.SUCCEEDED, System.currentTimeMillis(), true, null, null)));

    ConsumerRecord<String, byte[]> letter = kafka.awaitRecord(jobsTopic + ".dlq", broken);
    assertThat(header(letter, "imagegen-dlq-reason")).isEqualTo("poison");
    assertThat(header(letter, "imagegen-dlq-error-code")).isEqualTo("task_unreadable");
    assertThat(header(letter, "imagegen-dlq-source-topic")).isEqualTo(jobsTopic + ".events");
    String id = submit("after an unreadable one", "/after-poison");
    receiver.awaitFirst("/after-poison");
    awaitWebhooksCaughtUp(stack.serviceEnv(), jobsTopic);
    assertThat(DlqReplay.replay(KafkaSettings.from(new Env(stack.serviceEnv())),
        new DlqReplay.Options(Set.of(broken), Set.of(), null, true)))
        .singleElement().satisfies(decision -> assertThat(decision.replayed()).isFalse());
    assertThat(receiver.deliveries("/after-poison")).extracting(d -> d.header("webhook-id"))
        .containsExactly("msg_" + id + "_succeeded");
  }

  private static String header(ConsumerRecord<String, byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aTaskWithoutCallbackUrlHasNoneOnItsTaskObject() throws Exception {
    ApiClient.Response response = api.post(SUBMIT, EndToEndScenarios.DEV_KEY,
        "{\"model\":\"demo-async\",\"prompt\":\"quiet\",\"size\":\"64x64\"}");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().containsKey("callback_url")).isFalse();
  }

  @Test
  void aKeyWithoutASigningSecretGets400NamingCallbackUrl() throws Exception {
    ApiClient.Response refused = api.post(SUBMIT, EndToEndScenarios.OTHER_KEY, body("no secret", "/other"));

    assertThat(refused.status()).isEqualTo(400);
    JsonObject error = refused.json().getJsonObject("error");
    assertThat(error.getString("param")).isEqualTo("callback_url");
    assertThat(error.getString("message")).startsWith("Webhooks are not enabled for this API key");
  }

  @Test
  void withoutTheDevelopmentFlagAPrivateReceiverIsRefusedAtSubmitOrAtDelivery() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.put("IMAGEGEN_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "false");
    env.put("IMAGEGEN_KAFKA_JOBS_TOPIC", "strict-" + unique);
    env.put("IMAGEGEN_WORKER_GROUP_ID", "strict-" + unique);
    ApiMain.Running strictApi = ApiMain.start(env).toCompletionStage().toCompletableFuture()
        .get(2, TimeUnit.MINUTES);
    WorkerMain.Running strictWorker = WorkerMain.start(env).toCompletionStage().toCompletableFuture()
        .get(2, TimeUnit.MINUTES);
    // Counts TCP connections: a refused callback must never even be connected to.
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      AtomicInteger connections = new AtomicInteger();
      Thread acceptor = new Thread(() -> {
        while (true) {
          try (Socket ignored = listener.accept()) {
            connections.incrementAndGet();
          } catch (IOException closed) {
            return;
          }
        }
      }, "strict-receiver");
      acceptor.setDaemon(true);
      acceptor.start();
      ApiClient strict = new ApiClient(URI.create("http://127.0.0.1:" + strictApi.port()));

      // A loopback literal is refused when the task is submitted...
      ApiClient.Response literal = strict.post(SUBMIT, EndToEndScenarios.DEV_KEY, body("literal",
          "https://127.0.0.1:" + listener.getLocalPort() + "/strict"));
      assertThat(literal.status()).isEqualTo(400);
      assertThat(literal.json().getJsonObject("error").getString("param")).isEqualTo("callback_url");
      assertThat(literal.json().getJsonObject("error").getString("message")).contains("127.0.0.1 is a loopback");

      // ...and a name that resolves to loopback when the webhook would be sent.
      ApiClient.Response named = strict.post(SUBMIT, EndToEndScenarios.DEV_KEY, body("named",
          "https://localhost:" + listener.getLocalPort() + "/strict"));
      assertThat(named.status()).as(named.body()).isEqualTo(200);
      JsonObject done = EndToEndScenarios.awaitTerminal(strict, named.json().getString("task_id"),
          EndToEndScenarios.DEV_KEY, new ArrayList<>());
      assertThat(done.getString("status")).isEqualTo("SUCCEEDED");
      awaitWebhooksCaughtUp(env, "strict-" + unique);
      assertThat(connections).hasValue(0);
    } finally {
      strictWorker.close();
      strictApi.close();
    }
  }

  private static String body(String prompt, String callback) {
    String url = callback.startsWith("/") ? "http://127.0.0.1:" + receiver.port() + callback : callback;
    return new JsonObject().put("model", "demo-async").put("prompt", prompt).put("size", "64x64")
        .put("callback_url", url).encode();
  }

  private static String submit(String prompt, String path) throws Exception {
    ApiClient.Response response = api.post(SUBMIT, EndToEndScenarios.DEV_KEY, body(prompt, path));
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    assertThat(response.json().getString("callback_url")).isEqualTo(
        "http://127.0.0.1:" + receiver.port() + path);
    return response.json().getString("task_id");
  }

  /** Verifies the Standard Webhooks signature with the JDK's HMAC, independently of the worker's code. */
  private static void assertSignedBySecret(Delivery delivery) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
      String signed = delivery.header("webhook-id") + "." + delivery.header("webhook-timestamp") + "."
          + delivery.body();
      String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(
          signed.getBytes(StandardCharsets.UTF_8)));
      assertThat(delivery.header("webhook-signature").split(" ")).contains(expected);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Waits until the webhook consumer group has committed to the end of the events topic: every delivery so far has
   * ended (delivered or given up), so no further POST can still come.
   */
  private static void awaitWebhooksCaughtUp(Map<String, String> env, String topic) {
    String events = topic + ".events";
    String group = env.getOrDefault("IMAGEGEN_WORKER_GROUP_ID", "imagegen-workers") + "-webhooks";
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        env.get("IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS")))) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(events)).allTopicNames().get(10, TimeUnit.SECONDS).get(events).partitions()
            .forEach(p -> latest.put(new TopicPartition(events, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((p, info) -> ends.put(p, info.offset()));
        return ends.entrySet().stream().allMatch(end -> end.getValue() == 0 || committed.get(end.getKey()) != null
            && committed.get(end.getKey()).offset() >= end.getValue());
      });
    }
  }

  /** One POST the receiver got. */
  record Delivery(String path, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name);
    }
  }

  /** A webhook receiver on loopback that records every POST and answers scripted statuses per path (else 204). */
  static final class Receiver {
    private final HttpServer server;
    private final Map<String, List<Delivery>> received = new ConcurrentHashMap<>();
    private final Map<String, List<Integer>> answered = new ConcurrentHashMap<>();
    private final Map<String, Queue<Integer>> scripts = new ConcurrentHashMap<>();

    private Receiver(HttpServer server) {
      this.server = server;
    }

    static Receiver start() throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      Receiver receiver = new Receiver(server);
      server.createContext("/", receiver::handle);
      server.start();
      return receiver;
    }

    int port() {
      return server.getAddress().getPort();
    }

    void answer(String path, Integer... statuses) {
      scripts.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(statuses));
    }

    List<Delivery> deliveries(String path) {
      return List.copyOf(received.getOrDefault(path, List.of()));
    }

    List<Integer> statuses(String path) {
      return List.copyOf(answered.getOrDefault(path, List.of()));
    }

    Delivery awaitFirst(String path) {
      await().atMost(Duration.ofSeconds(60)).until(() -> !deliveries(path).isEmpty());
      return deliveries(path).get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
      String path = exchange.getRequestURI().getPath();
      Map<String, String> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Integer scripted = scripts.getOrDefault(path, new ConcurrentLinkedQueue<>()).poll();
      int status = scripted == null ? 204 : scripted;
      // Recorded before answering, so that a test seeing the answer's effect also sees the request.
      received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(new Delivery(path, headers, body));
      answered.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(status);
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    }

    void stop() {
      server.stop(0);
    }
  }
}
