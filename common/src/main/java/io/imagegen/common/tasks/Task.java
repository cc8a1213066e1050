package io.imagegen.common.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.imagegen.common.errors.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The durable record of one image task, as stored (privately) in the object store. Transitions return new
 * instances and refuse anything the {@link TaskStatus} state machine forbids, so a terminal task never changes.
 * Times are Unix seconds, as in the OpenAI API. {@code callbackUrl} (optional) receives a signed webhook once the
 * task is terminal. {@code upstreamTaskId} (optional) is an asynchronous vendor's own task id, recorded before the
 * worker polls it, so that a worker taking the job over resumes it instead of paying for a second one.
 */
public record Task(
    @JsonProperty("id") String id,
    @JsonProperty("owner") String owner,
    @JsonProperty("status") TaskStatus status,
    @JsonProperty("created_at") long createdAt,
    @JsonProperty("started_at") Long startedAt,
    @JsonProperty("completed_at") Long completedAt,
    @JsonProperty("expires_at") long expiresAt,
    @JsonProperty("model") String model,
    @JsonProperty("prompt") String prompt,
    @JsonProperty("size") String size,
    @JsonProperty("quality") String quality,
    @JsonProperty("n") int n,
    @JsonProperty("mode") String mode,
    @JsonProperty("params") Map<String, Object> params,
    @JsonProperty("attempts") int attempts,
    @JsonProperty("result") TaskResult result,
    @JsonProperty("error") TaskError error,
    @JsonProperty("callback_url") String callbackUrl,
    @JsonProperty("upstream_task_id") String upstreamTaskId) {

  /** The {@code params} entry holding the storage key of the task's Idempotency-Key claim, when it has one. */
  public static final String IDEMPOTENCY_RECORD = "idempotency_record";

  public Task {
    params = params == null ? Map.of() : Map.copyOf(params);
  }

  /** A new QUEUED task that expires {@code retention} after creation unless it finishes later. */
  public static Task queued(String id, String owner, Instant now, Duration retention, String model, String prompt,
      String size, String quality, int n, String mode, Map<String, Object> params) {
    long created = now.getEpochSecond();
    return new Task(id, owner, TaskStatus.QUEUED, created, null, null, created + retention.toSeconds(), model, prompt,
        size, quality, n, mode, params, 0, null, null, null, null);
  }

  /** The same task, announcing its terminal state to {@code url} (or to nobody when {@code null}). */
  public Task withCallbackUrl(String url) {
    return new Task(id, owner, status, createdAt, startedAt, completedAt, expiresAt, model, prompt, size, quality, n,
        mode, params, attempts, result, error, url, upstreamTaskId);
  }

  /** The same task, remembering the vendor's own task id for this generation. */
  public Task withUpstreamTaskId(String upstreamId) {
    return new Task(id, owner, status, createdAt, startedAt, completedAt, expiresAt, model, prompt, size, quality, n,
        mode, params, attempts, result, error, callbackUrl, upstreamId);
  }

  /** RUNNING with one more attempt recorded. */
  public Task running(Instant now) {
    check(TaskStatus.RUNNING);
    return new Task(id, owner, TaskStatus.RUNNING, createdAt, startedAt == null ? now.getEpochSecond() : startedAt,
        null, expiresAt, model, prompt, size, quality, n, mode, params, attempts + 1, null, null, callbackUrl,
        upstreamTaskId);
  }

  /** SUCCEEDED with its result, visible for {@code retention} from now. */
  public Task succeeded(TaskResult taskResult, Instant now, Duration retention) {
    check(TaskStatus.SUCCEEDED);
    long done = now.getEpochSecond();
    return new Task(id, owner, TaskStatus.SUCCEEDED, createdAt, startedAt, done, done + retention.toSeconds(), model,
        prompt, size, quality, n, mode, params, attempts, taskResult, null, callbackUrl, upstreamTaskId);
  }

  /** FAILED with its error, visible for {@code retention} from now. */
  public Task failed(TaskError taskError, Instant now, Duration retention) {
    check(TaskStatus.FAILED);
    long done = now.getEpochSecond();
    return new Task(id, owner, TaskStatus.FAILED, createdAt, startedAt, done, done + retention.toSeconds(), model,
        prompt, size, quality, n, mode, params, attempts, null, taskError, callbackUrl, upstreamTaskId);
  }

  /** CANCELLED at the owner's request, visible for {@code retention} from now. */
  public Task cancelled(Instant now, Duration retention) {
    check(TaskStatus.CANCELLED);
    long done = now.getEpochSecond();
    return new Task(id, owner, TaskStatus.CANCELLED, createdAt, startedAt, done, done + retention.toSeconds(), model,
        prompt, size, quality, n, mode, params, attempts, null, new TaskError(ErrorCode.CANCELLED.code(),
        "The task was cancelled before it finished."), callbackUrl, upstreamTaskId);
  }

  /**
   * This snapshot's place in the task's history, increasing with every write the state machine allows (QUEUED 0,
   * attempt k running 2k, terminal odd), so that copies of a task seen in any order can be ordered without the
   * store's opaque ETag.
   */
  public long revision() {
    return 2L * attempts + (status.isTerminal() ? 1 : 0);
  }

  public boolean isExpired(Instant now) {
    return now.getEpochSecond() >= expiresAt;
  }

  private void check(TaskStatus next) {
    if (!status.canMoveTo(next)) {
      throw new IllegalStateException("task " + id + " cannot move from " + status + " to " + next);
    }
  }
}
