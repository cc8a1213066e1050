package io.imagegen.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagegen.common.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class TaskStateMachineTest {
  private static final Instant CREATED = Instant.ofEpochSecond(1_700_000_000L);
  private static final Duration RETENTION = Duration.ofHours(24);
  private static final TaskResult RESULT = new TaskResult(1_700_000_050L,
      List.of(new ImageData("https://cdn.example/images/a.png", "a red fox, revised", "images/a.png", "image/png", 1234)),
      new Usage(1, 10, 4, 6), new TaskResult.Cost(new java.math.BigDecimal("0.04"), "USD"));
  private static final TaskError ERROR = new TaskError("upstream_error", "the model gave up");

  private static Task queued() {
    return Task.queued("image_0123456789abcdef01234567", "alice", CREATED, RETENTION, "demo-async", "a red fox",
        "1024x1024", "auto", 2, "generation", Map.of("seed", 42L, "user", "u-1"));
  }

  @ParameterizedTest
  @CsvSource({
      "QUEUED, RUNNING", "QUEUED, FAILED", "QUEUED, CANCELLED",
      "RUNNING, RUNNING", "RUNNING, SUCCEEDED", "RUNNING, FAILED", "RUNNING, CANCELLED"})
  void theLifeCycleAllowsOnlyForwardMoves(TaskStatus from, TaskStatus to) {
    assertThat(from.canMoveTo(to)).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
      "QUEUED, QUEUED", "QUEUED, SUCCEEDED",
      "RUNNING, QUEUED"})
  void aTaskNeverMovesBackwardsOrSkipsRunningOnTheWayToSuccess(TaskStatus from, TaskStatus to) {
    assertThat(from.canMoveTo(to)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(value = TaskStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
  void aTerminalStatusAllowsNoMoveAtAll(TaskStatus terminal) {
    assertThat(terminal.isTerminal()).isTrue();
    for (TaskStatus next : TaskStatus.values()) {
      assertThat(terminal.canMoveTo(next)).as("%s -> %s", terminal, next).isFalse();
    }
  }

  @Test
  void onlySucceededFailedAndCancelledAreTerminal() {
    EnumSet<TaskStatus> terminal = EnumSet.noneOf(TaskStatus.class);
    for (TaskStatus status : TaskStatus.values()) {
      if (status.isTerminal()) {
        terminal.add(status);
      }
    }
    assertThat(terminal).containsExactlyInAnyOrder(TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED);
  }

  @Test
  void aNewTaskIsQueuedWithNoAttemptsAndExpiresOneRetentionAfterCreation() {
    Task task = queued();

    assertThat(task.status()).isEqualTo(TaskStatus.QUEUED);
    assertThat(task.attempts()).isZero();
    assertThat(task.createdAt()).isEqualTo(CREATED.getEpochSecond());
    assertThat(task.startedAt()).isNull();
    assertThat(task.completedAt()).isNull();
    assertThat(task.expiresAt()).isEqualTo(CREATED.getEpochSecond() + RETENTION.toSeconds());
    assertThat(task.result()).isNull();
    assertThat(task.error()).isNull();
  }

  @Test
  void eachRunRecordsOneMoreAttemptAndKeepsTheFirstStartTime() {
    Task first = queued().running(CREATED.plusSeconds(5));
    Task second = first.running(CREATED.plusSeconds(60));
    Task third = second.running(CREATED.plusSeconds(120));

    assertThat(first.status()).isEqualTo(TaskStatus.RUNNING);
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(second.attempts()).isEqualTo(2);
    assertThat(third.attempts()).isEqualTo(3);
    assertThat(first.startedAt()).isEqualTo(CREATED.getEpochSecond() + 5);
    assertThat(third.startedAt()).isEqualTo(CREATED.getEpochSecond() + 5);
  }

  @Test
  void transitionsReturnNewInstancesAndLeaveTheOriginalUntouched() {
    Task original = queued();

    Task running = original.running(CREATED.plusSeconds(1));

    assertThat(running).isNotSameAs(original);
    assertThat(original.status()).isEqualTo(TaskStatus.QUEUED);
    assertThat(original.attempts()).isZero();
    assertThat(original.startedAt()).isNull();
  }

  @Test
  void successRecordsTheResultAndExpiresOneRetentionAfterCompletion() {
    Instant done = CREATED.plusSeconds(90);
    Task succeeded = queued().running(CREATED.plusSeconds(5)).succeeded(RESULT, done, Duration.ofHours(1));

    assertThat(succeeded.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(succeeded.completedAt()).isEqualTo(done.getEpochSecond());
    assertThat(succeeded.expiresAt()).isEqualTo(done.getEpochSecond() + 3600);
    assertThat(succeeded.result()).isEqualTo(RESULT);
    assertThat(succeeded.error()).isNull();
    assertThat(succeeded.attempts()).isEqualTo(1);
    assertThat(succeeded.startedAt()).isEqualTo(CREATED.getEpochSecond() + 5);
  }

  @Test
  void failureRecordsTheErrorAndExpiresOneRetentionAfterCompletion() {
    Instant done = CREATED.plusSeconds(300);
    Task failed = queued().running(CREATED.plusSeconds(5)).failed(ERROR, done, Duration.ofMinutes(10));

    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.completedAt()).isEqualTo(done.getEpochSecond());
    assertThat(failed.expiresAt()).isEqualTo(done.getEpochSecond() + 600);
    assertThat(failed.error()).isEqualTo(ERROR);
    assertThat(failed.result()).isNull();
  }

  @Test
  void aQueuedTaskMayFailWithoutEverRunning() {
    Task failed = queued().failed(ERROR, CREATED.plusSeconds(3), RETENTION);

    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.startedAt()).isNull();
    assertThat(failed.attempts()).isZero();
  }

  @Test
  void aQueuedTaskCannotSucceedWithoutRunning() {
    assertThatThrownBy(() -> queued().succeeded(RESULT, CREATED.plusSeconds(1), RETENTION))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("QUEUED")
        .hasMessageContaining("SUCCEEDED");
  }

  @Test
  void aTerminalTaskNeverChangesAgain() {
    Task succeeded = queued().running(CREATED.plusSeconds(1)).succeeded(RESULT, CREATED.plusSeconds(2), RETENTION);
    Task failed = queued().running(CREATED.plusSeconds(1)).failed(ERROR, CREATED.plusSeconds(2), RETENTION);

    for (Task terminal : List.of(succeeded, failed)) {
      assertThatThrownBy(() -> terminal.running(CREATED.plusSeconds(3)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(terminal.id());
      assertThatThrownBy(() -> terminal.succeeded(RESULT, CREATED.plusSeconds(3), RETENTION))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> terminal.failed(ERROR, CREATED.plusSeconds(3), RETENTION))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aCancelledTaskRefusesEveryTransition() {
    Task cancelled = new Task("image_0123456789abcdef01234567", "alice", TaskStatus.CANCELLED, 1, null, 2L, 3,
        "demo-async", "p", "1024x1024", "auto", 1, "generation", Map.of(), 0, null, null, null, null);

    assertThatThrownBy(() -> cancelled.running(CREATED)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cancelled.succeeded(RESULT, CREATED, RETENTION))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cancelled.failed(ERROR, CREATED, RETENTION)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aTaskIsExpiredFromItsExpiryInstantOnwards() {
    Task task = queued();
    Instant expiry = Instant.ofEpochSecond(task.expiresAt());

    assertThat(task.isExpired(expiry.minusSeconds(1))).isFalse();
    assertThat(task.isExpired(expiry)).isTrue();
    assertThat(task.isExpired(expiry.plusSeconds(1))).isTrue();
  }

  @Test
  void paramsAreCopiedSoLaterChangesToTheCallersMapDoNotLeakIn() {
    Map<String, Object> params = new HashMap<>(Map.of("seed", 1L));
    Task task = Task.queued("image_0123456789abcdef01234567", "alice", CREATED, RETENTION, "demo-async", "p",
        "1024x1024", "auto", 1, "generation", params);

    params.put("seed", 2L);

    assertThat(task.params()).containsExactlyEntriesOf(Map.of("seed", 1L));
    assertThat(new Task("id", "o", TaskStatus.QUEUED, 0, null, null, 0, "m", "p", "s", "q", 1, "generation", null, 0,
        null, null, null, null).params()).isEmpty();
  }

  @Test
  void aSucceededTaskSurvivesAJsonRoundTripWithEveryField() {
    Task task = queued().running(CREATED.plusSeconds(5)).running(CREATED.plusSeconds(9))
        .succeeded(RESULT, CREATED.plusSeconds(50), RETENTION);

    Task back = Json.fromBytes(Json.toBytes(task), Task.class);

    // Jackson reads small JSON integers back as Integer, so compare params by value rather than by boxed type.
    assertThat(back).usingRecursiveComparison().ignoringFields("params").isEqualTo(task);
    assertThat(back.params()).containsOnlyKeys("seed", "user");
    assertThat(((Number) back.params().get("seed")).longValue()).isEqualTo(42L);
    assertThat(back.params().get("user")).isEqualTo("u-1");
    assertThat(back.result()).isEqualTo(RESULT);
  }

  @Test
  void aFailedTaskSurvivesAJsonRoundTripWithEveryField() {
    Task task = queued().failed(ERROR, CREATED.plusSeconds(50), RETENTION);

    Task back = Json.fromBytes(Json.toBytes(task), Task.class);

    assertThat(back).usingRecursiveComparison().ignoringFields("params").isEqualTo(task);
    assertThat(back.error()).isEqualTo(ERROR);
    assertThat(back.startedAt()).isNull();
  }

  @Test
  void aCallbackUrlIsKeptThroughEveryTransitionAndStoredAsCallbackUrl() throws IOException {
    Task hooked = queued().withCallbackUrl("https://hooks.example.com/imagegen");

    Task succeeded = hooked.running(CREATED.plusSeconds(1)).succeeded(RESULT, CREATED.plusSeconds(2), RETENTION);
    Task failed = hooked.running(CREATED.plusSeconds(1)).failed(ERROR, CREATED.plusSeconds(2), RETENTION);
    Task cancelled = hooked.cancelled(CREATED.plusSeconds(2), RETENTION);

    assertThat(List.of(succeeded, failed, cancelled)).extracting(Task::callbackUrl)
        .containsOnly("https://hooks.example.com/imagegen");
    assertThat(Json.MAPPER.readTree(Json.toBytes(succeeded)).get("callback_url").asText())
        .isEqualTo("https://hooks.example.com/imagegen");
    assertThat(Json.fromBytes(Json.toBytes(failed), Task.class).callbackUrl())
        .isEqualTo("https://hooks.example.com/imagegen");
  }

  @Test
  void theStoredJsonUsesSnakeCaseNamesAndOmitsNulls() throws IOException {
    Task task = queued().running(CREATED.plusSeconds(5)).succeeded(RESULT, CREATED.plusSeconds(50), RETENTION);

    JsonNode json = Json.MAPPER.readTree(Json.toBytes(task));

    assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder("id", "owner", "status", "created_at",
        "started_at", "completed_at", "expires_at", "model", "prompt", "size", "quality", "n", "mode", "params",
        "attempts", "result");
    assertThat(json.has("task_id")).isFalse();
    assertThat(json.has("createdAt")).isFalse();
    assertThat(json.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(json.get("created_at").asLong()).isEqualTo(CREATED.getEpochSecond());
    assertThat(json.get("started_at").asLong()).isEqualTo(CREATED.getEpochSecond() + 5);
    assertThat(json.get("completed_at").asLong()).isEqualTo(CREATED.getEpochSecond() + 50);
    JsonNode image = json.get("result").get("data").get(0);
    assertThat(image.get("revised_prompt").asText()).isEqualTo("a red fox, revised");
    assertThat(image.get("storage_key").asText()).isEqualTo("images/a.png");
    assertThat(image.get("content_type").asText()).isEqualTo("image/png");
    JsonNode usage = json.get("result").get("usage");
    assertThat(usage.get("generated_images").asInt()).isEqualTo(1);
    assertThat(usage.get("total_tokens").asInt()).isEqualTo(10);
    assertThat(usage.get("input_tokens").asInt()).isEqualTo(4);
    assertThat(usage.get("output_tokens").asInt()).isEqualTo(6);
  }

  @Test
  void aQueuedTaskOmitsTheFieldsItDoesNotHaveYet() throws IOException {
    JsonNode json = Json.MAPPER.readTree(Json.toBytes(queued()));

    assertThat(json.has("started_at")).isFalse();
    assertThat(json.has("completed_at")).isFalse();
    assertThat(json.has("result")).isFalse();
    assertThat(json.has("error")).isFalse();
    assertThat(json.get("attempts").asInt()).isZero();
  }

  @Test
  void everyLegalWriteRaisesTheRevisionSoSnapshotsSeenInAnyOrderCanBeOrdered() {
    Task queued = queued();
    Task first = queued.running(CREATED.plusSeconds(1));
    Task second = first.running(CREATED.plusSeconds(2));
    Task done = second.succeeded(RESULT, CREATED.plusSeconds(3), RETENTION);

    assertThat(List.of(queued, first, second, done)).extracting(Task::revision).isSorted().doesNotHaveDuplicates();
    assertThat(queued.cancelled(CREATED, RETENTION).revision()).isGreaterThan(queued.revision());
    assertThat(first.failed(ERROR, CREATED, RETENTION).revision()).isGreaterThan(first.revision());
  }
}
