package io.imagegen.worker.providers.dashscope;

import io.imagegen.worker.observability.WorkerTracing;
import io.opentelemetry.api.trace.SpanKind;
import io.imagegen.common.config.Durations;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls one DashScope task until it is terminal, entirely on timers: wait the current interval, wait for a query
 * token, query, then either finish or wait again with a longer interval. Everything about the task lives here and
 * dies with it: once the outcome is decided (result, failure, or the attempt's time is up) no timer is left and
 * late answers are ignored. Must be started on, and is only ever called back on, one Vert.x context.
 */
final class PollLoop {
  private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);
  /** Consecutive unusable query answers (5xx, resets, garbage) tolerated before the attempt is given up. */
  static final int MAX_CONSECUTIVE_ERRORS = 5;
  private static final double GROWTH = 1.5;
  /** One query is a small read: if it takes this long, the connection is dead and the next one may not be. */
  private static final long QUERY_TIMEOUT_MS = 30_000;

  private final ProviderContext context;
  private final QueryLimiter limiter;
  private final DashScopeProvider.Options options;
  private final UpstreamFailures failures;
  private final String taskId;
  private final String url;
  private final String authorization;
  private final Promise<TaskAnswer> outcome = Promise.promise();
  private long intervalMs;
  private int consecutiveErrors;
  private long timer = -1;
  private long deadlineTimer = -1;

  PollLoop(ProviderContext context, QueryLimiter limiter, DashScopeProvider.Options options,
      UpstreamFailures failures, String baseUrl, String authorization, String taskId) {
    this.context = context;
    this.limiter = limiter;
    this.options = options;
    this.failures = failures;
    this.taskId = taskId;
    this.url = baseUrl + "/api/v1/tasks/" + taskId;
    this.authorization = authorization;
  }

  /** Starts polling; completes with the SUCCEEDED answer, or fails with the task's outcome or after {@code budget}. */
  Future<TaskAnswer> start(Duration budget) {
    intervalMs = options.firstPoll().toMillis();
    // The caller applies the same timeout to the whole attempt and then stops listening; this timer makes sure
    // the loop stops too instead of polling for a result nobody will collect.
    deadlineTimer = vertx().setTimer(Math.max(1, budget.toMillis()), id -> fail(new UpstreamException(
        ErrorCode.UPSTREAM_TIMEOUT, failures.vendor() + " task " + taskId + " did not finish within the attempt's "
        + "remaining " + Durations.format(budget) + ".", null)));
    schedule(intervalMs);
    return outcome.future();
  }

  private void schedule(long delayMs) {
    if (!over()) {
      timer = vertx().setTimer(Math.max(1, delayMs), id -> takeToken());
    }
  }

  private void takeToken() {
    if (over()) {
      return;
    }
    long waitMs = limiter.reserve();
    if (waitMs == 0) {
      query();
    } else {
      timer = vertx().setTimer(waitMs, id -> query());
    }
  }

  private void query() {
    if (over()) {
      return;
    }
    long waitMs = limiter.claim();
    if (waitMs > 0) {
      timer = vertx().setTimer(waitMs, id -> query()); // an earlier query went out late; keep the spacing
      return;
    }
    timer = -1;
    WorkerTracing.around("dashscope poll", SpanKind.CLIENT, WorkerTracing.DASHSCOPE,
        context.web().getAbs(url).putHeader("Authorization", authorization).timeout(QUERY_TIMEOUT_MS).send())
        .onComplete(this::answered);
  }

  private void answered(AsyncResult<HttpResponse<Buffer>> exchange) {
    if (over()) {
      return; // decided while the query was in flight
    }
    if (exchange.failed()) {
      transientError(failures.unreachable(exchange.cause()));
      return;
    }
    HttpResponse<Buffer> response = exchange.result();
    int status = response.statusCode();
    if (status == 429) {
      // Throttled task queries say nothing about the task (other workers share the account's quota): wait, go on.
      Duration retryAfter = UpstreamFailures.retryAfter(response.getHeader("Retry-After"));
      long hinted = retryAfter == null ? 0 : retryAfter.toMillis();
      LOG.debug("{} task {}: query throttled; next in at least {} ms", failures.vendor(), taskId, hinted);
      schedule(Math.max(hinted, grow()));
      return;
    }
    if (status >= 500 || status == 408) {
      transientError(new UpstreamException(ErrorCode.UPSTREAM_UNREACHABLE, failures.vendor() + " task queries failed "
          + MAX_CONSECUTIVE_ERRORS + " times in a row (last: HTTP " + status + ")", null));
      return;
    }
    if (status / 100 != 2) {
      fail(DashScopeErrors.fromResponse(failures, response)); // our key, or a request the vendor will never take
      return;
    }
    TaskAnswer answer = TaskAnswer.parse(response.body());
    if (answer == null || answer.status() == null) {
      // A proxy hiccup looks like this; the task itself is probably fine, so give it a few more looks.
      transientError(failures.badResponse("unreadable task query answer for " + taskId));
      return;
    }
    consecutiveErrors = 0;
    decide(answer);
  }

  private void decide(TaskAnswer answer) {
    switch (answer.status()) {
      case "PENDING", "RUNNING" -> schedule(grow());
      case "SUCCEEDED" -> finish(answer);
      case "FAILED" -> fail(DashScopeErrors.taskFailed(failures, answer.code(), answer.message()));
      case "CANCELED" -> fail(DashScopeErrors.cancelled(failures, taskId));
      case "UNKNOWN" -> fail(DashScopeErrors.lost(failures, taskId));
      default -> fail(failures.badResponse("unexpected task_status '" + answer.status() + "' for " + taskId));
    }
  }

  /** Counts an unusable answer; {@code ifExhausted} is the outcome once too many came in a row. */
  private void transientError(UpstreamException ifExhausted) {
    consecutiveErrors++;
    if (consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
      fail(ifExhausted);
    } else {
      LOG.debug("{} task {}: query failed ({}); {} in a row", failures.vendor(), taskId, ifExhausted.getMessage(),
          consecutiveErrors);
      schedule(grow());
    }
  }

  /** The next interval: ×1.5 each time, up to the configured maximum. */
  private long grow() {
    intervalMs = Math.min(options.maxPollInterval().toMillis(), Math.round(intervalMs * GROWTH));
    return intervalMs;
  }

  private void finish(TaskAnswer answer) {
    if (outcome.tryComplete(answer)) {
      stopTimers();
    }
  }

  private void fail(UpstreamException error) {
    if (outcome.tryFail(error)) {
      stopTimers();
    }
  }

  private void stopTimers() {
    if (timer >= 0) {
      vertx().cancelTimer(timer);
      timer = -1;
    }
    if (deadlineTimer >= 0) {
      vertx().cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
  }

  private boolean over() {
    return outcome.future().isComplete();
  }

  private Vertx vertx() {
    return context.vertx();
  }
}
