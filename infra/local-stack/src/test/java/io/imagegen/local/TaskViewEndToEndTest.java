package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.worker.WorkerMain;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's task view (docs/architecture.md, "The task view") against the embedded stack: what waits cost the store,
 * how many a key may hold, how event streams resume, and that lost task events never freeze a task. No worker runs
 * until the last test, so submitted tasks stay QUEUED for as long as a test needs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TaskViewEndToEndTest {
  private static final String KEY = "sk-view";
  private static final int MAX_WAITS = 20;
  private static final String BODY = "{\"model\":\"demo-async\",\"prompt\":\"a watched fox\",\"size\":\"64x64\"}";
  private static final String UNIQUE = UUID.randomUUID().toString().substring(0, 8);
  private static final String BUCKET = "view-" + UNIQUE;

  @TempDir
  static Path data;
  static LocalStack stack;
  static ApiClient api;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startStackWithoutWorkers() throws Exception {
    stack = LocalStack.start(LocalStack.Options.defaults(data).withWorkers(0).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", "view=" + KEY,
        "IMAGEGEN_MAX_WAITS_PER_KEY", Integer.toString(MAX_WAITS),
        "IMAGEGEN_TASK_VIEW_STALE_AFTER", "500ms",
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "view-" + UNIQUE,
        "IMAGEGEN_S3_BUCKET", BUCKET)));
    api = new ApiClient(stack.apiBase());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void abandonedLongPollsStopReadingTheStoreAndGiveBackTheirSlots() throws Exception {
    String id = submit();
    String path = "/v1/images/generations/" + id;
    List<Socket> abandoned = new ArrayList<>();
    for (int i = 0; i < MAX_WAITS; i++) {
      abandoned.add(openLongPoll(path + "?wait=30"));
    }

    // Every slot of the key is held: one more wait of either kind is refused.
    await().atMost(Duration.ofSeconds(10)).until(() -> api.get(path + "?wait=1", KEY).status() == 429);
    ApiClient.Response refused = api.get(path + "?wait=1", KEY);
    assertThat(refused.json().getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
    assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();
    assertThat(streamStatus(path, null)).isEqualTo(429);
    assertThat(api.get(path, KEY).status()).as("a plain poll holds no slot").isEqualTo(200);
    // While they wait, the running task is re-read as it goes stale.
    long before = reads();
    await().atMost(Duration.ofSeconds(5)).until(() -> reads() >= before + 3);

    for (Socket socket : abandoned) {
      socket.close();
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> api.get(path + "?wait=1", KEY).status() == 200);
    AtomicLong previous = new AtomicLong(-1);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofSeconds(2))
        .until(() -> previous.getAndSet(reads()) == reads());
    long quiet = reads();
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> reads() == quiet);
  }

  @Test
  @Order(2)
  void aResumedEventStreamLosesNoTransition() throws Exception {
    String id = submit();
    String path = "/v1/images/generations/" + id;
    String first;
    HttpResponse<Stream<String>> opened = stream(path, null);
    try (Stream<String> lines = opened.body()) {
      first = events(lines.iterator(), 1).get(0);
    }
    assertThat(first).startsWith("id: 0\nevent: task\n");
    assertThat(task(first).getString("status")).isEqualTo("QUEUED");

    // Reconnected after event 0; the task is cancelled while the new stream is open.
    HttpResponse<Stream<String>> resumed = stream(path, "0");
    assertThat(resumed.statusCode()).isEqualTo(200);
    assertThat(api.post(path + "/cancel", KEY, "").status()).isEqualTo(200);
    List<String> after;
    try (Stream<String> lines = resumed.body()) {
      after = events(lines.iterator(), Integer.MAX_VALUE);
    }

    assertThat(after).hasSize(1);
    assertThat(after.get(0)).startsWith("id: 1\nevent: task\n");
    assertThat(task(after.get(0)).getString("status")).isEqualTo("CANCELLED");
    assertThat(streamStatus(path, "1")).as("nothing after the terminal event").isEqualTo(204);
  }

  @Test
  @Order(3)
  void pollsReachTheTerminalStateWhenEveryTaskEventIsLost() throws Exception {
    // This worker announces every change on a topic the API does not read: each event is lost to it.
    Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.put("IMAGEGEN_KAFKA_EVENTS_TOPIC", "nowhere-" + UNIQUE);
    WorkerMain.Running worker = WorkerMain.start(env).toCompletionStage().toCompletableFuture()
        .get(2, TimeUnit.MINUTES);
    try {
      String id = submit();

      ApiClient.Response waited = api.get("/v1/images/generations/" + id + "?wait=25", KEY);

      assertThat(waited.json().getString("status")).isEqualTo("SUCCEEDED");
      assertThat(api.get("/v1/images/generations/" + id, KEY).json().getString("status")).isEqualTo("SUCCEEDED");
    } finally {
      worker.close();
    }
  }

  private static String submit() throws Exception {
    ApiClient.Response submitted = api.post("/v1/images/generations", KEY, BODY);
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
    return submitted.json().getString("id");
  }

  private static long reads() {
    return stack.s3().taskRecordReads(BUCKET);
  }

  /** Sends a long-poll and leaves it open: closing the socket is the client going away. */
  private static Socket openLongPoll(String pathAndQuery) throws IOException {
    Socket socket = new Socket(stack.apiBase().getHost(), stack.apiBase().getPort());
    socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + KEY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  private static HttpResponse<Stream<String>> stream(String path, String lastEventId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(stack.apiBase().resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + KEY)
        .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofLines());
  }

  private static int streamStatus(String path, String lastEventId) throws Exception {
    HttpResponse<Stream<String>> response = stream(path, lastEventId);
    response.body().close();
    return response.statusCode();
  }

  /** Up to {@code max} events (their lines joined, comments left out) read from an event stream. */
  private static List<String> events(Iterator<String> lines, int max) {
    List<String> events = new ArrayList<>();
    StringBuilder event = new StringBuilder();
    while (events.size() < max && lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith(":")) {
        continue;
      }
      if (line.isEmpty()) {
        if (event.length() > 0) {
          events.add(event.toString());
          event.setLength(0);
        }
      } else {
        event.append(line).append('\n');
      }
    }
    return events;
  }

  /** The task object an event carries. */
  private static JsonObject task(String event) {
    return new JsonObject(event.substring(event.indexOf("data: ") + 6).trim());
  }
}
