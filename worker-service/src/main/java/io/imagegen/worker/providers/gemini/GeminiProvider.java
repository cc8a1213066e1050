package io.imagegen.worker.providers.gemini;

import io.imagegen.common.config.Durations;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ImageProvider;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Google Gemini image models ({@code POST /v1beta/models/{model}:generateContent}). Each call yields one image, so a
 * task asking for {@code n} images makes {@code n} concurrent calls and joins them.
 */
public final class GeminiProvider implements ImageProvider {
  static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";

  private final ProviderContext context;
  /** Google's HTTP statuses follow the common table (429/5xx retry, 401/403 credentials); bad keys get 400, see error. */
  private final UpstreamFailures failures = UpstreamFailures.standard("gemini");

  /** An adapter that reaches Gemini through {@code context}'s HTTP client and credentials. */
  public GeminiProvider(ProviderContext context) {
    this.context = context;
  }

  /** {@code gemini}, the catalog's provider value. */
  @Override
  public String name() {
    return "gemini";
  }

  /** Generates (or, with input images, edits) the task's images, one concurrent call per image. */
  @Override
  public Future<Generation> generate(GenerationRequest request) {
    Task task = request.task();
    ModelSpec model = request.model();
    String url;
    String key;
    try {
      url = context.baseUrl(model, DEFAULT_BASE_URL) + "/v1beta/models/" + model.upstreamModel() + ":generateContent";
      key = context.apiKey(model);
    } catch (UpstreamException e) {
      return Future.failedFuture(e);
    }
    return context.editInputs(task)
        .compose(images -> context.offLoopWhenLarge(ProviderContext.totalBytes(images), () -> GeminiRequest.body(task, model, images).toBuffer()))
        .compose(body -> {
          List<Future<GeminiResponse.Parsed>> calls = new ArrayList<>();
          for (int i = 0; i < Math.max(1, task.n()); i++) {
            calls.add(call(url, key, model, body));
          }
          return Future.all(calls);
        })
        .map(all -> join(all.list()));
  }


  private Future<GeminiResponse.Parsed> call(String url, String key, ModelSpec model, Buffer body) {
    return context.web().postAbs(url)
        // A header rather than ?key=: URLs end up in access logs and error messages.
        .putHeader("x-goog-api-key", key)
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "application/json")
        // Frees the connection when Google goes silent; the job runner still bounds the attempt as a whole.
        .timeout(model.attemptTimeout().toMillis())
        .sendBuffer(body)
        .recover(err -> Future.failedFuture(err instanceof TimeoutException
            ? new UpstreamException("upstream_timeout", "gemini did not answer within "
                + Durations.format(model.attemptTimeout()) + ".", true, err)
            : failures.unreachable(err)))
        .compose(this::answer);
  }

  private Future<GeminiResponse.Parsed> answer(HttpResponse<Buffer> response) {
    if (response.statusCode() / 100 != 2) {
      return Future.failedFuture(GeminiResponse.error(response.statusCode(), response.body(),
          response.getHeader("Retry-After"), failures));
    }
    String type = response.getHeader("Content-Type");
    if (!GeminiResponse.isJson(type)) {
      return Future.failedFuture(failures.badResponse("content type " + type + " instead of JSON"));
    }
    Buffer body = response.body() == null ? Buffer.buffer() : response.body();
    return context.offLoopWhenLarge(body.length(), () -> GeminiResponse.parse(body, failures));
  }

  private static Generation join(List<GeminiResponse.Parsed> calls) {
    List<Generation.Image> images = new ArrayList<>();
    Usage usage = null;
    for (GeminiResponse.Parsed call : calls) {
      images.addAll(call.images());
      usage = usage == null ? call.usage() : new Usage(usage.generatedImages() + call.usage().generatedImages(),
          sum(usage.totalTokens(), call.usage().totalTokens()), sum(usage.inputTokens(), call.usage().inputTokens()),
          sum(usage.outputTokens(), call.usage().outputTokens()));
    }
    return new Generation(images, usage);
  }

  private static Integer sum(Integer a, Integer b) {
    return a == null ? b : b == null ? a : Integer.valueOf(a + b);
  }
}
