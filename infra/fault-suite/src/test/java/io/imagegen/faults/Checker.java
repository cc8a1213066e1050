package io.imagegen.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagegen.common.json.Json;
import io.imagegen.common.queue.TaskEvent;
import io.imagegen.common.tasks.Task;
import io.imagegen.fake.RecordedRequest;
import io.imagegen.common.usage.UsageEntry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Records every task the API accepted (answered 200 for) and, at the end, proves the promises: every accepted task
 * is terminal, exactly one result was written per task and it never changes, no SUCCEEDED task lacks its images, no
 * task record is left unfinished; and reports what the faults cost (repeat upstream calls, orphaned objects).
 */
final class Checker {
  private static final Pattern IMAGE_URL = Pattern.compile("/images/([^/]+)/");
  /** Long-poll length: short enough that a restarted API is noticed soon, long enough to keep requests few. */
  private static final Duration LONG_POLL = Duration.ofSeconds(5);

  private final Scenario scenario;
  private final FaultStack stack;
  private final Client client;
  /** Accepted task id → its (unique) prompt. */
  private final Map<String, String> accepted = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> refusals = new ConcurrentHashMap<>();
  private final AtomicInteger counter = new AtomicInteger();
  private final long began = System.nanoTime();
  private volatile long faultAt;

  Checker(Scenario scenario, FaultStack stack, Client client) {
    this.scenario = scenario;
    this.stack = stack;
    this.client = client;
  }

  /** A prompt no other task of this run has, so upstream calls can be attributed to tasks. */
  String nextPrompt() {
    return "fault " + scenario.name() + " #" + counter.incrementAndGet();
  }

  /** Submits once and records the task if it was accepted; a refusal or a broken connection is counted. */
  CompletableFuture<Client.Response> submit(String model, String prompt, String idempotencyKey) {
    return client.submit(model, prompt, idempotencyKey).handle((response, err) -> {
      if (err != null) {
        refusals.computeIfAbsent(-1, code -> new AtomicInteger()).incrementAndGet();
        return new Client.Response(-1, Json.MAPPER.getNodeFactory().textNode(String.valueOf(err)));
      }
      String id = acceptedId(response);
      if (id != null) {
        accepted.put(id, prompt);
      } else {
        refusals.computeIfAbsent(response.status(), code -> new AtomicInteger()).incrementAndGet();
      }
      return response;
    });
  }

  /** Submits {@code count} async tasks at {@code perSecond}, open loop; completes when every answer is in. */
  CompletableFuture<Void> submitAtRate(int count, double perSecond, String model) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    List<CompletableFuture<Client.Response>> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      CompletableFuture<Client.Response> answer = new CompletableFuture<>();
      all.add(answer);
      timer.schedule(() -> submit(model, nextPrompt(), null).whenComplete((r, e) -> answer.complete(r)),
          (long) (i * 1000 / perSecond), TimeUnit.MILLISECONDS);
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> timer.shutdown());
  }

  /** Marks the moment the fault began (or ended); recovery time is measured from here to the last terminal task. */
  void fault() {
    faultAt = System.nanoTime();
  }

  Set<String> accepted() {
    return Set.copyOf(accepted.keySet());
  }

  /** Waits until every accepted task is terminal, then checks every promise; fails the test on a broken one. */
  Verdict verify(Duration timeout, boolean eventsMayBeLost) throws Exception {
    // eventsMayBeLost: while the broker is down, announcements (fire-and-forget wake-ups) are dropped by design.
    Map<String, JsonNode> terminal = awaitTerminal(timeout);
    long allTerminal = System.nanoTime();
    for (Task record : Evidence.taskRecords(stack.s3(), scenario.bucket())) {
      assertThat(record.status().isTerminal()).as("task record %s (%s) must be terminal", record.id(),
          record.status()).isTrue();
    }
    int records = Evidence.keys(stack.s3(), scenario.bucket(), "tasks/").size();
    Set<String> referenced = new HashSet<>();
    Map<String, Integer> codes = new TreeMap<>();
    int succeeded = 0;
    for (Map.Entry<String, JsonNode> entry : terminal.entrySet()) {
      JsonNode task = entry.getValue();
      String status = task.path("status").asText();
      if ("SUCCEEDED".equals(status)) {
        succeeded++;
        JsonNode data = task.path("result").path("data");
        assertThat(data.size()).as("images of %s", entry.getKey()).isEqualTo(1);
        for (JsonNode image : data) {
          String url = image.path("url").asText();
          byte[] png = client.download(url);
          assertThat(png).as("image of %s at %s", entry.getKey(), url).startsWith(0x89, 'P', 'N', 'G');
          referenced.add(url.substring(url.indexOf("/images/") + 1));
        }
      } else {
        codes.merge(status + ":" + task.path("error").path("code").asText(), 1, Integer::sum);
      }
    }
    // The proof of one result: the store accepted exactly one terminal write per task (counted at its front door).
    Map<String, Integer> writes = stack.s3().terminalTaskWrites(scenario.bucket());
    Map<String, Long> announced = terminalEvents();
    for (String id : terminal.keySet()) {
      assertThat(writes.getOrDefault(id, 0)).as("terminal results written for %s", id).isEqualTo(1);
      if (!eventsMayBeLost) {
        assertThat(announced.getOrDefault(id, 0L)).as("terminal announcements of %s", id).isPositive();
      }
    }
    assertLedgerSettlesEveryTaskOnce(terminal, timeout);
    Map<String, JsonNode> reread = awaitTerminal(timeout);
    reread.forEach((id, task) -> assertThat(outcome(task)).as("result of %s read again", id)
        .isEqualTo(outcome(terminal.get(id))));
    List<String> images = Evidence.keys(stack.s3(), scenario.bucket(), "images/");
    Map<String, Integer> calls = upstreamCalls();
    int repeats = accepted.values().stream().mapToInt(p -> Math.max(0, calls.getOrDefault(p, 0) - 1)).sum();
    Verdict verdict = new Verdict(scenario.name(), accepted.size(), refused(), succeeded, codes,
        calls.values().stream().mapToInt(Integer::intValue).sum(), repeats,
        (int) images.stream().filter(key -> !referenced.contains(key)).count(), records - accepted.size(),
        Evidence.readTopic(stack.kafka().bootstrapServers(), scenario.jobsTopic() + ".dlq").size(),
        faultAt == 0 ? -1 : (allTerminal - faultAt) / 1e9, (allTerminal - began) / 1e9);
    FaultReport.add(verdict);
    return verdict;
  }

  /**
   * The usage ledger (docs/architecture.md#usage-ledger): folded by task id, it holds exactly one settlement per
   * terminal task, with the task's status, and its amounts add up to the tasks' costs.
   */
  private void assertLedgerSettlesEveryTaskOnce(Map<String, JsonNode> terminal, Duration timeout) {
    String topic = scenario.env().get("IMAGEGEN_KAFKA_USAGE_TOPIC");
    org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      Map<String, UsageEntry> latest = new HashMap<>();
      for (var record : Evidence.readTopic(stack.kafka().bootstrapServers(), topic)) {
        if (terminal.containsKey(record.key())) {
          UsageEntry entry = Json.fromBytes(record.value(), UsageEntry.class);
          // The aggregation rule: the latest entry per task wins, but a reservation never reopens a settlement.
          if (entry.settled() || !latest.containsKey(record.key()) || !latest.get(record.key()).settled()) {
            latest.put(record.key(), entry);
          }
        }
      }
      BigDecimal ledger = BigDecimal.ZERO;
      BigDecimal costs = BigDecimal.ZERO;
      for (Map.Entry<String, JsonNode> task : terminal.entrySet()) {
        UsageEntry entry = latest.get(task.getKey());
        assertThat(entry).as("ledger entry of %s", task.getKey()).isNotNull();
        assertThat(entry.status()).as("ledger status of %s", task.getKey())
            .isEqualTo(task.getValue().path("status").asText());
        ledger = ledger.add(entry.amount());
        JsonNode cost = task.getValue().path("result").path("cost").path("amount");
        costs = costs.add(cost.isMissingNode() ? BigDecimal.ZERO : cost.decimalValue());
      }
      assertThat(ledger).as("ledger total of %s", scenario.name()).isEqualByComparingTo(costs);
    });
  }

  /** The final view of every accepted task, long-polling the ones that are not terminal yet. */
  Map<String, JsonNode> awaitTerminal(Duration timeout) throws Exception {
    Map<String, JsonNode> done = new ConcurrentHashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> pending = new HashSet<>(accepted.keySet());
    while (!pending.isEmpty()) {
      if (System.nanoTime() > deadline) {
        Map<String, String> stuck = new TreeMap<>();
        pending.stream().limit(20).forEach(id -> stuck.put(id, client.task(id, Duration.ZERO).join().body()
            .path("status").asText("?")));
        throw new AssertionError(pending.size() + " of " + accepted.size() + " accepted tasks of " + scenario.name()
            + " are not terminal after " + timeout + ", e.g. " + stuck);
      }
      List<CompletableFuture<Void>> polls = new ArrayList<>();
      for (String id : pending) {
        polls.add(client.task(id, LONG_POLL).handle((response, err) -> {
          if (err == null && response.ok() && isTerminal(response.body())) {
            done.put(id, response.body());
          }
          return null;
        }));
      }
      CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).join();
      boolean progress = pending.removeAll(done.keySet());
      if (!progress) {
        // Every poll failed at once (the API is restarting); do not spin on a refused port.
        TimeUnit.MILLISECONDS.sleep(500);
      }
    }
    return new HashMap<>(done);
  }

  private Map<String, Long> terminalEvents() {
    List<ConsumerRecord<String, byte[]>> events = Evidence.readTopic(stack.kafka().bootstrapServers(),
        scenario.jobsTopic() + ".events");
    return events.stream().map(record -> Json.fromBytes(record.value(), TaskEvent.class))
        .filter(event -> event.status() != null && event.status().isTerminal())
        .collect(Collectors.groupingBy(TaskEvent::taskId, Collectors.counting()));
  }

  /** Upstream generation calls per prompt: OpenAI-style calls as recorded, DashScope's as the vendor tasks it created. */
  private Map<String, Integer> upstreamCalls() {
    Map<String, Integer> calls = new HashMap<>(stack.upstream().dashScopeSubmits());
    for (RecordedRequest request : stack.upstream().requests()) {
      if (request.json() != null && request.json().getString("prompt") != null) {
        calls.merge(request.json().getString("prompt"), 1, Integer::sum);
      }
    }
    return calls;
  }

  /** Upstream calls for one accepted task. */
  int upstreamCallsFor(String id) {
    return upstreamCalls().getOrDefault(accepted.get(id), 0);
  }

  private int refused() {
    return refusals.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Refused submits by HTTP status (-1: no answer). */
  Map<Integer, Integer> refusals() {
    Map<Integer, Integer> copy = new TreeMap<>();
    refusals.forEach((status, count) -> copy.put(status, count.get()));
    return copy;
  }

  private static String acceptedId(Client.Response response) {
    if (!response.ok()) {
      return null;
    }
    if (response.body().has("task_id")) {
      return response.body().get("task_id").asText();
    }
    // A synchronous answer carries no id; its image URLs do (images/{task id}/...).
    Matcher image = IMAGE_URL.matcher(response.body().path("data").path(0).path("url").asText());
    return image.find() ? image.group(1) : null;
  }

  private static boolean isTerminal(JsonNode task) {
    return Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(task.path("status").asText());
  }

  /** What must never change once a task is terminal. */
  static String outcome(JsonNode task) {
    return task.path("status").asText() + " " + task.path("result").path("data") + " " + task.path("error");
  }
}
