package io.imagegen.worker.providers.dashscope;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Set;

/** DashScope's error vocabulary mapped onto task outcomes. */
final class DashScopeErrors {
  /** Moderation refusals; {@code data_inspection_failed} is the spelling of the OpenAI-compatible endpoints. */
  private static final Set<String> CONTENT_POLICY = Set.of("DataInspectionFailed", "data_inspection_failed");

  private DashScopeErrors() {
  }

  /** A non-2xx answer carrying DashScope's {@code {"code", "message", "request_id"}} error body. */
  static UpstreamException fromResponse(UpstreamFailures failures, HttpResponse<Buffer> response) {
    var json = TaskAnswer.json(response.body());
    String code = json == null ? null : TaskAnswer.text(json, "code");
    String message = json == null ? null : TaskAnswer.text(json, "message");
    return fromStatus(failures, response.statusCode(), code, message, response.getHeader("Retry-After"));
  }

  /** Moderation first (DashScope reports it as a plain 400), then the shared status table. */
  static UpstreamException fromStatus(UpstreamFailures failures, int status, String code, String message,
      String retryAfter) {
    if (code != null && CONTENT_POLICY.contains(code)) {
      return failures.contentPolicy(message == null ? code : message);
    }
    return failures.fromStatus(status, code, message, retryAfter);
  }

  /**
   * A 2xx answer that carries an error code instead of a task (older gateways do this): judged as the status
   * the code stands for.
   */
  static UpstreamException fromCodeOnly(UpstreamFailures failures, String code, String message, String retryAfter) {
    int status = code.startsWith("Throttling") ? 429 : code.startsWith("InternalError") ? 500 : 400;
    return fromStatus(failures, status, code, message, retryAfter);
  }

  /**
   * A task that ended FAILED (or a result list in which every image failed). The request was accepted and run,
   * so running it again would fail the same way: final, under the vendor's own code.
   */
  static UpstreamException taskFailed(UpstreamFailures failures, String code, String message) {
    if (code != null && CONTENT_POLICY.contains(code)) {
      return failures.contentPolicy(message == null ? code : message);
    }
    String detail = failures.vendor() + " task failed" + (code == null ? "" : " (" + code + ")")
        + (message == null || message.isBlank() ? "" : ": " + message);
    return code == null || code.isBlank() ? new UpstreamException(ErrorCode.UPSTREAM_REJECTED, detail, null)
        : UpstreamException.finalFailure(code, detail);
  }

  /** The task was cancelled upstream (by someone with our key); nothing we resubmit would be wanted either. */
  static UpstreamException cancelled(UpstreamFailures failures, String taskId) {
    return new UpstreamException(ErrorCode.UPSTREAM_CANCELLED, failures.vendor() + " task " + taskId + " was cancelled "
        + "upstream.", null);
  }

  /** UNKNOWN: the task expired or never reached the vendor's task store; a fresh submit may well work. */
  static UpstreamException lost(UpstreamFailures failures, String taskId) {
    return new UpstreamException(ErrorCode.UPSTREAM_TASK_LOST, failures.vendor() + " no longer knows task " + taskId
        + " (expired or never stored).", null);
  }

  /** Every image of a SUCCEEDED task failed: judged like a failed task, moderation first since it says the most. */
  static UpstreamException allFailed(UpstreamFailures failures, List<TaskAnswer.Result> failed) {
    TaskAnswer.Result telling = failed.stream().filter(r -> r.code() != null && CONTENT_POLICY.contains(r.code()))
        .findFirst().orElse(failed.get(0));
    return taskFailed(failures, telling.code(), telling.message());
  }
}
