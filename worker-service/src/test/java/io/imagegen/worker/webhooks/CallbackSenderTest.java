package io.imagegen.worker.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.config.Env;
import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UnavailableException;
import io.imagegen.common.fetch.FetchPolicy;
import io.imagegen.common.fetch.SafeFetcher;
import io.imagegen.common.queue.TaskEvent;
import io.imagegen.common.tasks.ImageData;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskError;
import io.imagegen.common.tasks.TaskResult;
import io.imagegen.common.tasks.TaskStore;
import io.imagegen.common.tasks.TaskView;
import io.imagegen.common.tasks.Usage;
import io.imagegen.common.storage.Versioned;
import io.imagegen.common.webhooks.WebhookSecrets;
import io.imagegen.worker.tasks.RetryPolicy;
import io.imagegen.worker.webhooks.CallbackSender.Outcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delivery, signing, retries and refusals of one webhook, against a real HTTP receiver on loopback. */
class CallbackSenderTest {
  private static final String SECRET = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final WebhookSecrets SECRETS = WebhookSecrets.from(new Env(Map.of(WebhookSecrets.VARIABLE,
      "alice=whsec_" + SECRET)));
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Instant CREATED = NOW.minusSeconds(30);
  private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5));

  /** One request the receiver got. */
  private record Received(Map<String, String> headers, String body, long atNanos) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  /** Statuses the receiver answers in turn (with headers); 204 once they run out. */
  private final Queue<Integer> answers = new ArrayDeque<>();
  private final Map<Integer, Map<String, String>> answerHeaders = new ConcurrentHashMap<>();
  private final FakeStore store = new FakeStore();
  private final HttpServer receiver;

  CallbackSenderTest() throws Exception {
    receiver = vertx.createHttpServer().requestHandler(this::receive).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void receive(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      Map<String, String> headers = new ConcurrentHashMap<>();
      request.headers().forEach(header -> headers.put(header.getKey().toLowerCase(), header.getValue()));
      received.add(new Received(headers, body.toString(), System.nanoTime()));
      Integer status;
      synchronized (answers) {
        status = answers.poll();
      }
      int code = status == null ? 204 : status;
      request.response().setStatusCode(code);
      answerHeaders.getOrDefault(code, Map.of()).forEach(request.response()::putHeader);
      request.response().end();
    });
  }

  private void answer(Integer... statuses) {
    synchronized (answers) {
      answers.addAll(List.of(statuses));
    }
  }

  private String hook() {
    return "http://127.0.0.1:" + receiver.actualPort() + "/hooks/imagegen";
  }

  private CallbackSender sender(boolean allowPrivateNetworks, RetryPolicy retry) {
    return new CallbackSender(vertx, store, new SafeFetcher(vertx,
        FetchPolicy.webhooks().withAllowPrivateNetworks(allowPrivateNetworks)), SECRETS, retry,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Task succeeded(String owner, String callbackUrl) {
    TaskResult result = new TaskResult(NOW.getEpochSecond(), List.of(new ImageData("https://cdn.example.com/1.png",
        "a fox", "images/key/1.png", "image/png", 100)), new Usage(1, null, null, null), null);
    return store.put(Task.queued("image_00000000000000000000000a", owner, CREATED, Duration.ofHours(1), "demo-async",
            "a fox", "64x64", "auto", 1, "generation", Map.of()).withCallbackUrl(callbackUrl)
        .running(CREATED.plusSeconds(1)).succeeded(result, NOW.minusSeconds(5), Duration.ofHours(1)));
  }

  private static String hmac(String id, String timestamp, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET), "HmacSHA256"));
    return "v1," + Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body)
        .getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aFinishedTaskIsPostedOnceAsAStandardWebhookSignedOverItsExactBody() throws Exception {
    Task task = succeeded("alice", hook());

    Outcome outcome = await(sender(true, FAST).deliver(TaskEvent.of(task, 0)));

    assertThat(outcome).isEqualTo(Outcome.DELIVERED);
    assertThat(received).hasSize(1);
    Received post = received.get(0);
    assertThat(post.headers()).containsEntry("content-type", "application/json")
        .containsEntry("webhook-id", "msg_image_00000000000000000000000a_succeeded")
        .containsEntry("webhook-timestamp", Long.toString(NOW.getEpochSecond()));
    assertThat(post.headers().get("webhook-signature"))
        .isEqualTo(hmac("msg_image_00000000000000000000000a_succeeded", Long.toString(NOW.getEpochSecond()),
            post.body()));
    JsonObject payload = new JsonObject(post.body());
    assertThat(payload.getString("type")).isEqualTo("image.generation.task.succeeded");
    assertThat(payload.getString("timestamp")).isEqualTo("2026-03-01T11:59:55Z");
    assertThat(payload.getJsonObject("data")).isEqualTo(TaskView.of(task));
  }

  @Test
  void aRepeatedEventForAnEndAlreadyDeliveredSendsNothingMore() throws Exception {
    Task task = succeeded("alice", hook());
    CallbackSender sender = sender(true, FAST);

    Outcome first = await(sender.deliver(TaskEvent.of(task, 0)));
    Outcome again = await(sender.deliver(TaskEvent.of(task, 0)));

    assertThat(first).isEqualTo(Outcome.DELIVERED);
    assertThat(again).isEqualTo(Outcome.REPEATED);
    assertThat(received).hasSize(1);
    assertThat(sender.outcomes()).containsEntry(Outcome.DELIVERED, 1L).containsEntry(Outcome.REPEATED, 1L);
  }

  @Test
  void aReceiverThatAnswers503TwiceGetsTheSameMessageAThirdTime() throws Exception {
    answer(503, 503);
    Task task = succeeded("alice", hook());

    Outcome outcome = await(sender(true, FAST).deliver(TaskEvent.of(task, 0)));

    assertThat(outcome).isEqualTo(Outcome.DELIVERED);
    assertThat(received).hasSize(3);
    assertThat(received).extracting(r -> r.headers().get("webhook-id")).containsOnly(
        "msg_image_00000000000000000000000a_succeeded");
    assertThat(received).extracting(Received::body).containsOnly(received.get(0).body());
  }

  @Test
  void aRetryAfterLongerThanTheBackoffIsWaitedOut() throws Exception {
    answer(429);
    answerHeaders.put(429, Map.of("Retry-After", "1"));
    Task task = succeeded("alice", hook());

    Outcome outcome = await(sender(true, FAST).deliver(TaskEvent.of(task, 0)));

    assertThat(outcome).isEqualTo(Outcome.DELIVERED);
    assertThat(received).hasSize(2);
    assertThat(received.get(1).atNanos() - received.get(0).atNanos()).isGreaterThanOrEqualTo(
        TimeUnit.MILLISECONDS.toNanos(950));
  }

  @Test
  void aClientErrorOtherThan408Or429EndsTheDeliveryAtOnce() throws Exception {
    answer(400);

    Outcome outcome = await(sender(true, FAST).deliver(TaskEvent.of(succeeded("alice", hook()), 0)));

    assertThat(outcome).isEqualTo(Outcome.GAVE_UP);
    assertThat(received).hasSize(1);
  }

  @Test
  void aRedirectIsNotFollowedAndEndsTheDelivery() throws Exception {
    answer(307);
    answerHeaders.put(307, Map.of("Location", "http://127.0.0.1:1/elsewhere"));

    Outcome outcome = await(sender(true, FAST).deliver(TaskEvent.of(succeeded("alice", hook()), 0)));

    assertThat(outcome).isEqualTo(Outcome.GAVE_UP);
    assertThat(received).hasSize(1);
  }

  @Test
  void aReceiverThatKeepsFailingIsGivenUpAfterTheLastAttempt() throws Exception {
    answer(500, 502, 408, 504, 503);

    Outcome outcome = await(sender(true, FAST).deliver(TaskEvent.of(succeeded("alice", hook()), 0)));

    assertThat(outcome).isEqualTo(Outcome.GAVE_UP);
    assertThat(received).hasSize(FAST.maxAttempts());
  }

  @Test
  void aLoopbackReceiverIsRefusedWithoutEverBeingCalledUnlessPrivateNetworksAreAllowed() throws Exception {
    CallbackSender sender = sender(false, FAST);

    Outcome outcome = await(sender.deliver(TaskEvent.of(succeeded("alice", hook()), 0)));

    assertThat(outcome).isEqualTo(Outcome.REFUSED);
    assertThat(received).isEmpty();
    assertThat(sender.outcomes()).containsEntry(Outcome.REFUSED, 1L).containsEntry(Outcome.DELIVERED, 0L);
  }

  @Test
  void anOwnerWithoutASecretOnThisWorkerIsRefused() throws Exception {
    Outcome outcome = await(sender(true, FAST).deliver(TaskEvent.of(succeeded("bob", hook()), 0)));

    assertThat(outcome).isEqualTo(Outcome.REFUSED);
    assertThat(received).isEmpty();
  }

  @Test
  void aTaskWithoutCallbackOrWithoutRecordNeedsNothing() throws Exception {
    CallbackSender sender = sender(true, FAST);
    Task plain = succeeded("alice", null);

    assertThat(await(sender.deliver(TaskEvent.of(plain, 0)))).isEqualTo(Outcome.NOT_NEEDED);
    Task gone = succeeded("alice", hook());
    store.tasks.clear();
    assertThat(await(sender.deliver(TaskEvent.of(gone, 0)))).isEqualTo(Outcome.NOT_NEEDED);
    assertThat(received).isEmpty();
  }

  @Test
  void anUnreadableTaskRecordFailsTheDeliveryOnceAsNonRetryablePoison() throws Exception {
    Task task = succeeded("alice", hook());
    store.unreadable.add(task.id());

    Future<Outcome> delivery = sender(true, FAST).deliver(TaskEvent.of(task, 0));

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(delivery::isComplete);
    assertThat(delivery.cause()).isInstanceOf(ImageGenException.class);
    assertThat(((ImageGenException) delivery.cause()).code()).isEqualTo("task_unreadable");
    assertThat(((ImageGenException) delivery.cause()).retryable()).isFalse();
    assertThat(store.reads).isEqualTo(1);
    assertThat(received).isEmpty();
  }

  @Test
  void aFailingTaskStoreIsReadAgainUntilItAnswers() throws Exception {
    Task task = succeeded("alice", hook());
    store.failuresLeft = 2;

    Outcome outcome = await(sender(true, FAST).deliver(TaskEvent.of(task, 0)));

    assertThat(outcome).isEqualTo(Outcome.DELIVERED);
    assertThat(store.reads).isEqualTo(3);
  }

  @Test
  void failedAndCancelledTasksAreAnnouncedWithTheirOwnTypeAndId() throws Exception {
    Task queued = Task.queued("image_00000000000000000000000b", "alice", CREATED, Duration.ofHours(1), "demo-async",
        "p", "64x64", "auto", 1, "generation", Map.of()).withCallbackUrl(hook());
    Task failed = store.put(queued.failed(new TaskError("demo_failure", "no"), NOW, Duration.ofHours(1)));
    CallbackSender sender = sender(true, FAST);
    await(sender.deliver(TaskEvent.of(failed, 0)));
    Task cancelled = store.put(queued.cancelled(NOW, Duration.ofHours(1)));
    await(sender.deliver(TaskEvent.of(cancelled, 0)));

    List<String> types = new ArrayList<>();
    received.forEach(r -> types.add(new JsonObject(r.body()).getString("type") + " " + r.headers().get("webhook-id")));
    assertThat(types).containsExactly(
        "image.generation.task.failed msg_image_00000000000000000000000b_failed",
        "image.generation.task.cancelled msg_image_00000000000000000000000b_cancelled");
  }

  /** An in-memory task store whose reads can be made to fail. */
  private static final class FakeStore implements TaskStore {
    final Map<String, Task> tasks = new ConcurrentHashMap<>();
    volatile int failuresLeft;
    volatile int reads;
    /** Ids whose record is stored but cannot be parsed, as S3TaskStore reports it. */
    final Set<String> unreadable = ConcurrentHashMap.newKeySet();

    Task put(Task task) {
      tasks.put(task.id(), task);
      return task;
    }

    @Override
    public Future<Versioned<Task>> find(String id) {
      reads++;
      if (failuresLeft > 0) {
        failuresLeft--;
        return Future.failedFuture(new UnavailableException(ErrorCode.STORAGE_UNAVAILABLE, "object store unavailable", null));
      }
      if (unreadable.contains(id)) {
        return Future.failedFuture(new UncheckedIOException("malformed Task JSON", new java.io.IOException("eof")));
      }
      Task task = tasks.get(id);
      return Future.succeededFuture(task == null ? null : new Versioned<>(task, "etag"));
    }

    @Override
    public Future<Versioned<Task>> create(Task task) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Versioned<Task>> replace(Versioned<Task> current, Task next) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> delete(String id) {
      throw new UnsupportedOperationException();
    }
  }
}
