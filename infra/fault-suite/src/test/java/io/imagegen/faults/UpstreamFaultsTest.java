package io.imagegen.faults;

import static io.imagegen.faults.FaultStack.ASYNC_MODEL;
import static io.imagegen.faults.FaultStack.SCALE;
import static io.imagegen.faults.FaultStack.SHORT_DEADLINE_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.fake.Behaviour;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Scenarios 7, 8 and 9: the upstream hangs, refuses for good, or fails half of its calls. */
class UpstreamFaultsTest extends FaultSuite {
  private static final Duration SETTLE = Duration.ofMinutes(3);

  @Test
  void anUpstreamThatHangsPastTheDeadlineEndsItsTasksAsTimedOutAtTheDeadline() throws Exception {
    try (Scenario scenario = stack.running("hang", Behaviour.normal().withHang(true), 1)) {
      Checker checker = scenario.checker();
      int count = 20 * SCALE;

      checker.fault();
      checker.submitAtRate(count, 20, SHORT_DEADLINE_MODEL).join();

      Verdict verdict = checker.verify(SETTLE, false);
      assertThat(verdict.others()).isEqualTo(Map.of("FAILED:timeout", count));
      assertThat(verdict.deadLetters()).isEqualTo(count);
      // The model's deadline is 6 s (its attempt timeout 60 s): a hang must not hold a task past the deadline.
      assertThat(verdict.recoverySeconds()).isLessThan(20);
    }
  }

  @Test
  void aPoisonRecordAndPermanentRefusalsAreDeadLetteredAndTheConsumerCarriesOn() throws Exception {
    try (Scenario scenario = stack.running("poison", Behaviour.normal().withFailStatus(400), 1)) {
      Checker checker = scenario.checker();
      int count = 10 * SCALE;

      Evidence.produce(stack.kafka().bootstrapServers(), scenario.jobsTopic(), "poison",
          "{not a job".getBytes(StandardCharsets.UTF_8));
      checker.submitAtRate(count, 20, ASYNC_MODEL).join();
      checker.awaitTerminal(SETTLE);
      stack.upstream().behave(Behaviour.normal());
      checker.submitAtRate(count, 20, ASYNC_MODEL).join();

      Verdict verdict = checker.verify(SETTLE, false);
      assertThat(verdict.succeeded()).isEqualTo(count);
      assertThat(verdict.unsuccessful()).isEqualTo(count);
      assertThat(verdict.others().keySet()).allSatisfy(outcome ->
          assertThat(outcome).startsWith("FAILED:").isNotEqualTo("FAILED:internal_error"));
      assertThat(verdict.deadLetters()).as("the poison record and every refused task").isEqualTo(count + 1);
      assertThat(verdict.repeatCalls()).as("a permanent refusal is not retried").isZero();
    }
  }

  @Test
  void aStormOfFiftyPercent503And429IsRetriedThroughToSuccess() throws Exception {
    Behaviour storm = latency(Duration.ofMillis(200)).withFailStatus(503)
        .withErrorRate(0.5, 7);
    try (Scenario scenario = stack.running("storm", storm, 2)) {
      Checker checker = scenario.checker();
      int count = 150 * SCALE;

      checker.fault();
      CompletableFuture<Void> first = checker.submitAtRate(count / 2, 15 * SCALE, ASYNC_MODEL);
      first.join();
      stack.upstream().behave(latency(Duration.ofMillis(200)).withFailStatus(429)
          .withRetryAfterSeconds(1).withErrorRate(0.5, 11));
      checker.submitAtRate(count - count / 2, 15 * SCALE, ASYNC_MODEL).join();

      Verdict verdict = checker.verify(SETTLE, false);
      // Twenty attempts per task: all failing at 50 % has odds of one in a million.
      assertThat(verdict.succeeded()).isEqualTo(count);
      assertThat(verdict.repeatCalls()).as("retries").isPositive();
    }
  }
}
