package io.imagegen.faults;

import static io.imagegen.faults.FaultStack.ASYNC_MODEL;
import static io.imagegen.faults.FaultStack.SCALE;
import static io.imagegen.faults.FaultStack.SYNC_MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.fake.Behaviour;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Scenarios 4, 5, 11 and 12: the broker, the object store and the API go away, clients retry. */
class InfrastructureFaultsTest extends FaultSuite {
  private static final Duration SETTLE = Duration.ofMinutes(4);
  /** The outage the issue asks for: longer than every client and SDK timeout, so retries must span it. */
  private static final Duration S3_OUTAGE = Duration.ofSeconds(30);

  @Test
  void aBrokerCrashDuringSubmitsLosesNoTaskThatWasAnswered200() throws Exception {
    try (Scenario scenario = stack.running("broker", latency(Duration.ofSeconds(1)), 2)) {
      Checker checker = scenario.checker();
      int count = 300 * SCALE;

      CompletableFuture<Void> load = checker.submitAtRate(count, 15 * SCALE, ASYNC_MODEL);
      await().atMost(Duration.ofSeconds(30)).until(() -> checker.accepted().size() >= count / 5);
      checker.fault();
      stack.kafka().kill();
      try {
        // Submits now wait for the enqueue timeout (5 s) and are refused: nothing is promised for them.
        await().atMost(Duration.ofSeconds(60)).until(() -> !checker.refusals().isEmpty());
      } finally {
        stack.kafka().startBroker();
      }
      load.join();

      Verdict verdict = checker.verify(SETTLE, true);
      assertThat(verdict.accepted() + verdict.refused()).isEqualTo(count);
      assertThat(verdict.refused()).isPositive();
      assertThat(checker.refusals().keySet()).as("refusals by status").containsOnly(503);
      assertThat(verdict.succeeded()).isEqualTo(verdict.accepted());
    }
  }

  @Test
  void anObjectStoreDownForThirtySecondsDelaysTasksButLosesNone() throws Exception {
    try (Scenario scenario = stack.running("s3down", latency(Duration.ofSeconds(2)), 2)) {
      Checker checker = scenario.checker();
      int count = 180 * SCALE;

      CompletableFuture<Void> load = checker.submitAtRate(count, 4 * SCALE, ASYNC_MODEL);
      await().atMost(Duration.ofSeconds(30)).until(() -> checker.accepted().size() >= count / 10);
      stack.s3().stop();
      try {
        // Throughout the outage the API refuses with 503, never a 500.
        await().during(S3_OUTAGE).atMost(S3_OUTAGE.plusSeconds(10))
            .until(() -> !checker.refusals().containsKey(500));
      } finally {
        stack.s3().startServer();
        checker.fault();
      }
      load.join();

      Verdict verdict = checker.verify(SETTLE, false);
      assertThat(verdict.refused()).as("submits refused during the outage").isPositive();
      assertThat(checker.refusals().keySet()).as("refusals by status").containsOnly(503);
      assertThat(verdict.succeeded()).isEqualTo(verdict.accepted());
    }
  }

  @Test
  void syncRequestsRetriedWithTheirIdempotencyKeysAcrossAnApiRestartGetTheirOneResult() throws Exception {
    try (Scenario scenario = stack.running("apirestart", latency(Duration.ofSeconds(6)), 1)) {
      Checker checker = scenario.checker();
      int count = 20 * SCALE;
      List<String> prompts = new ArrayList<>();
      List<CompletableFuture<Client.Response>> first = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        prompts.add(checker.nextPrompt());
        first.add(checker.submit(SYNC_MODEL, prompts.get(i), "key-" + prompts.get(i)));
      }
      // Every job is with the upstream, so every first request is in the middle of its sync wait.
      await().atMost(Duration.ofSeconds(60)).until(() -> stack.upstream().requests().size() >= count);
      checker.fault();
      scenario.api().kill();
      first.forEach(CompletableFuture::join);
      scenario.startApi();

      List<CompletableFuture<Client.Response>> retries = new ArrayList<>();
      for (String prompt : prompts) {
        retries.add(checker.submit(SYNC_MODEL, prompt, "key-" + prompt));
      }
      for (CompletableFuture<Client.Response> retry : retries) {
        assertThat(retry.join().status()).as("retried sync request: %s", retry.join().body()).isEqualTo(200);
      }

      Verdict verdict = checker.verify(SETTLE, false);
      assertThat(checker.refusals()).as("first attempts cut off by the crash").isEqualTo(Map.of(-1, count));
      assertThat(verdict.accepted()).isEqualTo(count);
      assertThat(verdict.succeeded()).isEqualTo(count);
      assertThat(verdict.repeatCalls()).as("a retried request must not start a second generation").isZero();
    }
  }

  @Test
  void concurrentDuplicateSubmitsWithOneIdempotencyKeyCreateOneTask() throws Exception {
    try (Scenario scenario = stack.running("idempotency", latency(Duration.ofSeconds(1)), 1)) {
      Checker checker = scenario.checker();
      String key = UUID.randomUUID().toString();
      String prompt = checker.nextPrompt();

      List<CompletableFuture<Client.Response>> duplicates = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        duplicates.add(checker.submit(ASYNC_MODEL, prompt, key));
      }
      Set<String> ids = new java.util.HashSet<>();
      for (CompletableFuture<Client.Response> duplicate : duplicates) {
        Client.Response response = duplicate.join();
        if (response.ok()) {
          ids.add(response.body().path("task_id").asText());
        } else {
          // Only a submit racing the first one's creation may be told to retry.
          assertThat(response.status()).isEqualTo(409);
          assertThat(response.body().path("error").path("code").asText()).isEqualTo("idempotency_key_in_progress");
        }
      }
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(checker.submit(ASYNC_MODEL, prompt, key).join().status()).isEqualTo(200));
      Client.Response reused = checker.submit(ASYNC_MODEL, prompt + " changed", key).join();

      Verdict verdict = checker.verify(SETTLE, false);
      assertThat(ids).hasSize(1);
      assertThat(checker.accepted()).isEqualTo(ids);
      assertThat(reused.status()).isEqualTo(409);
      assertThat(reused.body().path("error").path("code").asText()).isEqualTo("idempotency_key_reused");
      assertThat(verdict.upstreamCalls()).isEqualTo(1);
      assertThat(verdict.succeeded()).isEqualTo(1);
    }
  }
}
