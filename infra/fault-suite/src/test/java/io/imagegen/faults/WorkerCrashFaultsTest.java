package io.imagegen.faults;

import static io.imagegen.faults.FaultStack.ASYNC_MODEL;
import static io.imagegen.faults.FaultStack.DASHSCOPE_MODEL;
import static io.imagegen.faults.FaultStack.SCALE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagegen.common.tasks.Task;
import io.imagegen.fake.Behaviour;
import io.imagegen.local.ServiceProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Scenarios 1 (also against DashScope), 2, 3, 6 and 10: worker processes crash, restart, scale and freeze while jobs are in flight. */
class WorkerCrashFaultsTest extends FaultSuite {
  private static final Duration SETTLE = Duration.ofMinutes(3);
  /** Exit within the shutdown grace (20 s) plus JVM start-up noise on a busy 2-core machine. */
  private static final Duration DRAIN = Duration.ofSeconds(40);

  @Test
  void aWorkerKilledWithHundredsOfJobsInFlightLosesNoneOfThem() throws Exception {
    try (Scenario scenario = stack.running("kill9", latency(Duration.ofSeconds(5)), 2)) {
      ServiceProcess victim = scenario.workers().get(0);
      Checker checker = scenario.checker();
      int count = 400 * SCALE;

      checker.submitAtRate(count, 200, ASYNC_MODEL).join();
      await().atMost(Duration.ofSeconds(60)).until(() -> inFlight(victim) >= 100);
      int held = inFlight(victim);
      checker.fault();
      victim.kill();
      scenario.retire(victim);

      Verdict verdict = checker.verify(SETTLE, false);
      assertThat(held).as("jobs in flight on the killed worker").isGreaterThanOrEqualTo(100);
      assertThat(verdict.accepted()).as("accepted; refused by status (-1: no answer): %s", checker.refusals())
          .isEqualTo(count);
      assertThat(verdict.succeeded()).isEqualTo(count);
    }
  }

  /**
   * The DashScope variant (docs/providers.md#dashscope-no-second-vendor-charge): the worker that takes the killed one's
   * jobs over resumes polling the vendor tasks recorded on the task records instead of paying for new ones.
   */
  @Test
  void aWorkerKilledWhilePollingHundredsOfDashScopeTasksLosesNoneAndPaysForEachOnce() throws Exception {
    try (Scenario scenario = stack.running("kill9-dashscope", latency(Duration.ofSeconds(20)), 2)) {
      ServiceProcess victim = scenario.workers().get(0);
      Checker checker = scenario.checker();
      int count = 200 * SCALE;

      checker.submitAtRate(count, 100, DASHSCOPE_MODEL).join();
      // Killed once every vendor task id is on its record: then each of the victim's jobs is mid-poll, and a second
      // submit could only come from a worker that ignored the record (a kill between submit and record may pay twice).
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        List<Task> records = Evidence.taskRecords(stack.s3(), scenario.bucket());
        return records.size() == count && records.stream().allMatch(task -> task.upstreamTaskId() != null);
      });
      int held = inFlight(victim);
      checker.fault();
      victim.kill();
      scenario.retire(victim);

      Verdict verdict = checker.verify(SETTLE, false);
      assertThat(held).as("DashScope jobs polling on the killed worker").isGreaterThanOrEqualTo(count / 4);
      assertThat(verdict.accepted()).as("accepted; refused by status (-1: no answer): %s", checker.refusals())
          .isEqualTo(count);
      assertThat(verdict.succeeded()).isEqualTo(count);
      for (String id : checker.accepted()) {
        assertThat(checker.upstreamCallsFor(id)).as("vendor tasks submitted for %s", id).isEqualTo(1);
      }
      assertThat(verdict.repeatCalls()).isZero();
    }
  }

  @Test
  void rollingSigtermRestartsUnderLoadDrainEveryWorkerAndLoseNothing() throws Exception {
    try (Scenario scenario = stack.running("rolling", latency(Duration.ofMillis(1500)), 3)) {
      List<ServiceProcess> originals = scenario.workers();
      Checker checker = scenario.checker();
      int count = 300 * SCALE;

      CompletableFuture<Void> load = checker.submitAtRate(count, 15 * SCALE, ASYNC_MODEL);
      checker.fault();
      for (ServiceProcess old : originals) {
        scenario.startWorker();
        assertThat(old.terminate(DRAIN)).as("exit code of %s after SIGTERM", old).isZero();
        scenario.retire(old);
      }
      load.join();

      Verdict verdict = checker.verify(SETTLE, false);
      assertThat(verdict.succeeded()).isEqualTo(count);
    }
  }

  @Test
  void scalingWorkersFromOneToThreeAndBackDuringLoadLosesNothing() throws Exception {
    try (Scenario scenario = stack.running("scale", latency(Duration.ofSeconds(1)), 1)) {
      Checker checker = scenario.checker();
      int count = 300 * SCALE;

      CompletableFuture<Void> load = checker.submitAtRate(count, 15 * SCALE, ASYNC_MODEL);
      await().atMost(Duration.ofSeconds(30)).until(() -> checker.accepted().size() >= count / 5);
      checker.fault();
      ServiceProcess second = scenario.startWorker();
      ServiceProcess third = scenario.startWorker();
      await().atMost(Duration.ofSeconds(60)).until(() -> checker.accepted().size() >= count / 2);
      for (ServiceProcess extra : List.of(second, third)) {
        assertThat(extra.terminate(DRAIN)).as("exit code of %s after SIGTERM", extra).isZero();
        scenario.retire(extra);
      }
      load.join();

      Verdict verdict = checker.verify(SETTLE, false);
      assertThat(verdict.succeeded()).isEqualTo(count);
    }
  }

  @Test
  void aWorkerKilledBetweenStoringImagesAndWritingTheStatusLeavesOneResult() throws Exception {
    try (Scenario scenario = stack.running("crashwindow", Behaviour.normal(), 1)) {
      ServiceProcess victim = scenario.workers().get(0);
      Checker checker = scenario.checker();
      int count = 20 * SCALE;

      stack.s3().holdStatusWritesAfterImages();
      try {
        checker.submitAtRate(count, 50, ASYNC_MODEL).join();
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.s3().heldWrites() >= count);
        checker.fault();
        victim.kill();
        scenario.retire(victim);
      } finally {
        stack.s3().releaseHeldWrites();
      }
      scenario.startWorker();

      Verdict verdict = checker.verify(SETTLE, false);
      assertThat(verdict.succeeded()).isEqualTo(count);
      // Every task's first images were stored and then abandoned: the redelivery generated and stored anew.
      assertThat(verdict.orphanImages()).isEqualTo(count);
      assertThat(verdict.repeatCalls()).isEqualTo(count);
    }
  }

  @Test
  void aFrozenWorkerThawedAfterItsSessionExpiredPublishesNoSecondResult() throws Exception {
    try (Scenario scenario = stack.running("frozen", latency(Duration.ofSeconds(3)), 2)) {
      ServiceProcess frozen = scenario.workers().get(0);
      Checker checker = scenario.checker();
      int count = 60 * SCALE;

      checker.submitAtRate(count, 60, ASYNC_MODEL).join();
      await().atMost(Duration.ofSeconds(60)).until(() -> inFlight(frozen) >= 5);
      checker.fault();
      frozen.freeze();
      Map<String, JsonNode> settled;
      try {
        // The other worker gets the frozen one's partitions once its session (10 s) expires, and finishes them.
        settled = checker.awaitTerminal(SETTLE);
      } finally {
        frozen.thaw();
      }
      // The thawed worker finishes its stale jobs: every one must lose its race to the published result.
      await().atMost(Duration.ofSeconds(90)).until(() -> frozen.isAlive() && inFlight(frozen) == 0);

      Verdict verdict = checker.verify(SETTLE, false);
      Map<String, JsonNode> after = checker.awaitTerminal(SETTLE);
      settled.forEach((id, task) -> assertThat(Checker.outcome(after.get(id))).as("result of %s", id)
          .isEqualTo(Checker.outcome(task)));
      assertThat(verdict.succeeded()).isEqualTo(count);
    }
  }
}
