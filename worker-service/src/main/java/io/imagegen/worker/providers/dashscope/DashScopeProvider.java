package io.imagegen.worker.providers.dashscope;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.images.ImageTypes;
import io.imagegen.worker.observability.WorkerTracing;
import io.opentelemetry.api.trace.SpanKind;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ImageProvider;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.StreamingImageBody;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alibaba DashScope (Model Studio) text-to-image, which is asynchronous only: submit a task with
 * {@code X-DashScope-Async: enable}, poll {@code /api/v1/tasks/{id}} until it is terminal, then download the result
 * URLs (they expire after 24 hours, so the worker re-hosts the bytes). Serves the wan t2i models that way; models
 * whose catalog {@code api} is {@value #MULTIMODAL} (qwen-image-2.0) go through the synchronous
 * {@link MultimodalCall} instead.
 */
public final class DashScopeProvider implements ImageProvider {
  private static final Logger LOG = LoggerFactory.getLogger(DashScopeProvider.class);
  static final String DEFAULT_BASE_URL = "https://dashscope.aliyuncs.com";
  static final String SUBMIT_PATH = "/api/v1/services/aigc/text2image/image-synthesis";
  /** The catalog's {@code api} value of models served by the synchronous multimodal-generation API. */
  static final String MULTIMODAL = "multimodal-generation";

  /**
   * How this worker process polls.
   *
   * @param firstPoll wait before the first task query; later waits grow ×1.5 from here
   * @param maxPollInterval the longest wait between two queries of one task
   * @param queryQps task queries per second for the whole deployment: DashScope's limit (20/s) is per account and
   *     every worker using the key shares it, so each worker polls at its {@code ClusterShare} of this rate
   */
  public record Options(Duration firstPoll, Duration maxPollInterval, int queryQps) {
    /** Refuses values that would poll in a tight loop or never. */
    public Options {
      Objects.requireNonNull(firstPoll, "firstPoll");
      Objects.requireNonNull(maxPollInterval, "maxPollInterval");
      if (firstPoll.isNegative() || firstPoll.isZero() || maxPollInterval.compareTo(firstPoll) < 0
          || queryQps < 1) {
        throw new IllegalArgumentException("need 0 < firstPoll <= maxPollInterval and queryQps >= 1: " + firstPoll
            + ", " + maxPollInterval + ", " + queryQps);
      }
    }

    /**
     * 1 s, backing off to the vendor's recommended 5 s (most tasks take several seconds, a few take minutes), and
     * 16 queries/s across all workers: the account limit less a margin for workers whose clocks disagree.
     */
    public static Options defaults() {
      return new Options(Duration.ofSeconds(1), Duration.ofSeconds(5), 16);
    }
  }

  private final ProviderContext context;
  private final Options options;
  private final QueryLimiter limiter;
  private final UpstreamFailures failures = UpstreamFailures.standard("dashscope");
  private final Set<PollLoop> polling = ConcurrentHashMap.newKeySet();

  /** An adapter whose task queries, across all its tasks, stay within its share of {@code options.queryQps()}. */
  public DashScopeProvider(ProviderContext context, Options options) {
    this.context = Objects.requireNonNull(context, "context");
    this.options = Objects.requireNonNull(options, "options");
    this.limiter = new QueryLimiter(context.share().of(options.queryQps()));
    context.share().onChange(() -> limiter.rate(context.share().of(options.queryQps())));
  }

  /** {@code dashscope}, as in the catalog. */
  @Override
  public String name() {
    return "dashscope";
  }

  /** Submits the task, polls it until it is terminal and downloads its images, within the model's attempt timeout. */
  @Override
  public Future<Generation> generate(GenerationRequest request) {
    ModelSpec model = request.model();
    String authorization;
    String base;
    Buffer body;
    try {
      authorization = "Bearer " + context.apiKey(model);
      base = context.baseUrl(model, DEFAULT_BASE_URL);
      if (MULTIMODAL.equals(model.api())) {
        return new MultimodalCall(context, failures).generate(request.task(), model, base, authorization);
      }
      // Encoded here so that an unencodable passthrough value fails the call, not a callback nobody watches.
      body = SubmitBody.of(request.task(), model).toBuffer();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    long deadline = System.nanoTime() + model.attemptTimeout().toNanos();
    Promise<Generation> result = Promise.promise();
    // One context for the whole attempt, so a task's poll state is only ever touched by one thread.
    String resumed = request.task().upstreamTaskId();
    context.vertx().getOrCreateContext().runOnContext(v -> {
      try {
        // A task taken over after a crash (or retried after a poll timeout) resumes the vendor task it already paid
        // for; only a vendor task the vendor lost is submitted afresh (docs/providers.md#dashscope).
        Future<Generation> generated = resumed == null
            ? submitThenPoll(request, base, authorization, body, model.attemptTimeout(), deadline)
            : pollAndCollect(base, authorization, resumed, deadline).recover(err ->
                err instanceof UpstreamException lost && lost.catalogued().orElse(null) == ErrorCode.UPSTREAM_TASK_LOST
                    ? submitThenPoll(request, base, authorization, body, model.attemptTimeout(), deadline)
                    : Future.failedFuture(err));
        generated.onComplete(result);
      } catch (RuntimeException e) {
        result.tryFail(e); // e.g. a base URL the HTTP client cannot parse
      }
    });
    return result.future();
  }

  /** Submits, records the vendor's task id on the task, then polls it. */
  private Future<Generation> submitThenPoll(GenerationRequest request, String base, String authorization,
      Buffer body, Duration timeout, long deadline) {
    return submit(base, authorization, body, timeout)
        .compose(taskId -> context.rememberUpstreamTask(request.task(), taskId).map(taskId))
        .compose(taskId -> pollAndCollect(base, authorization, taskId, deadline));
  }

  private Future<Generation> pollAndCollect(String base, String authorization, String taskId, long deadline) {
    return poll(base, authorization, taskId, remaining(deadline)).compose(answer -> collect(base, taskId, answer));
  }

  /** Poll loops still running; for tests that check nothing outlives its task. */
  int activePolls() {
    return polling.size();
  }

  private Future<String> submit(String base, String authorization, Buffer body, Duration timeout) {
    return WorkerTracing.around("dashscope submit", SpanKind.CLIENT, WorkerTracing.DASHSCOPE,
        context.web().postAbs(base + SUBMIT_PATH)
        .putHeader("Authorization", authorization)
        .putHeader("X-DashScope-Async", "enable")
        .putHeader("Content-Type", "application/json")
        .timeout(timeout.toMillis())
        .sendBuffer(body))
        .transform(exchange -> {
          if (exchange.failed()) {
            return Future.failedFuture(failures.unreachable(exchange.cause()));
          }
          var response = exchange.result();
          if (response.statusCode() / 100 != 2) {
            return Future.failedFuture(DashScopeErrors.fromResponse(failures, response));
          }
          JsonObject json = TaskAnswer.json(response.body());
          if (json == null) {
            return Future.failedFuture(failures.badResponse("the submit answer is not a JSON object"));
          }
          TaskAnswer answer = TaskAnswer.from(json);
          if (answer == null || answer.taskId() == null || answer.taskId().isBlank()) {
            String code = TaskAnswer.text(json, "code");
            return Future.failedFuture(code != null
                ? DashScopeErrors.fromCodeOnly(failures, code, TaskAnswer.text(json, "message"),
                    response.getHeader("Retry-After"))
                : failures.badResponse("the submit answer has no output.task_id"));
          }
          LOG.debug("dashscope task {} submitted", answer.taskId());
          return Future.succeededFuture(answer.taskId());
        });
  }

  private Future<TaskAnswer> poll(String base, String authorization, String taskId, Duration budget) {
    PollLoop loop = new PollLoop(context, limiter, options, failures, base, authorization, taskId);
    polling.add(loop);
    return loop.start(budget).onComplete(done -> polling.remove(loop));
  }

  /**
   * Downloads the images of a SUCCEEDED task (URLs on the host of {@code base} trusted); sub-images that failed are
   * dropped unless all did.
   */
  private Future<Generation> collect(String base, String taskId, TaskAnswer answer) {
    List<TaskAnswer.Result> ok = new ArrayList<>();
    List<TaskAnswer.Result> failed = new ArrayList<>();
    for (TaskAnswer.Result r : answer.results()) {
      (r.succeeded() ? ok : failed).add(r);
    }
    if (ok.isEmpty()) {
      return Future.failedFuture(failed.isEmpty()
          ? failures.badResponse("task " + taskId + " SUCCEEDED without any result")
          : DashScopeErrors.allFailed(failures, failed));
    }
    if (!failed.isEmpty()) {
      LOG.warn("dashscope task {}: {} of {} images failed (first: {}); keeping the rest", taskId, failed.size(),
          answer.results().size(), failed.get(0).code());
    }
    List<Future<StreamingImageBody.Image>> downloads = new ArrayList<>();
    for (TaskAnswer.Result r : ok) {
      downloads.add(context.download(r.url(), base, failures));
    }
    return context.allImages(downloads).map(all -> {
      List<Generation.Image> images = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        StreamingImageBody.Image image = all.get(i);
        images.add(image.as(ImageTypes.sniff(image.head()), ok.get(i).actualPrompt()));
      }
      // The vendor's own count is what it bills; it matches the images unless its answer is inconsistent.
      int billed = answer.imageCount() == null ? images.size() : answer.imageCount();
      return new Generation(images, Usage.images(billed));
    });
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }
}
