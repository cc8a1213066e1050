package io.imagegen.worker.providers.gemini;

import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ImageProvider;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.StreamingImageBody;
import io.imagegen.worker.providers.UpstreamFailures;
import io.imagegen.worker.providers.VendorHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Google Gemini image models ({@code POST /v1beta/models/{model}:generateContent}). Each call yields one image, so a
 * task asking for {@code n} images makes {@code n} concurrent calls and joins them.
 */
public final class GeminiProvider implements ImageProvider {
  static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";
  /** Result images are parts' {@code inlineData.data}; the REST API writes camelCase, snake_case is accepted too. */
  private static final StreamingImageBody.Field INLINE_DATA = StreamingImageBody.Field.inside(
      Set.of("inlineData", "inline_data"), "data");

  private final ProviderContext context;
  /** Google's HTTP statuses follow the common table (429/5xx retry, 401/403 credentials); bad keys get 400, see error. */
  private final UpstreamFailures failures = UpstreamFailures.standard("gemini");
  private final VendorHttp http;

  /** An adapter that reaches Gemini through {@code context}'s HTTP client and credentials. */
  public GeminiProvider(ProviderContext context) {
    this.context = context;
    this.http = new VendorHttp(context, failures);
  }

  /** {@code gemini}, the catalog's provider value. */
  @Override
  public String name() {
    return "gemini";
  }

  /**
   * Generates (or, with input images, edits) the task's images, one concurrent call per image, their images spooled
   * as they arrive. One failed call fails them all, and the spool files of the others go with it.
   */
  @Override
  public Future<Generation> generate(GenerationRequest request) {
    Task task = request.task();
    ModelSpec model = request.model();
    String path = "/v1beta/models/" + model.upstreamModel() + ":generateContent";
    List<StreamingImageBody> answers = new ArrayList<>();
    return http.endpoint(model, DEFAULT_BASE_URL, path).compose(endpoint -> context.editInputs(task)
        .compose(images -> context.offLoopWhenLarge(ProviderContext.totalBytes(images), () -> GeminiRequest.body(task, model, images).toBuffer()))
        .compose(body -> {
          List<Future<GeminiResponse.Parsed>> calls = new ArrayList<>();
          for (int i = 0; i < Math.max(1, task.n()); i++) {
            StreamingImageBody answer = context.imageBody(INLINE_DATA);
            answers.add(answer);
            calls.add(call(endpoint, model, body, answer));
          }
          return Future.all(calls);
        }))
        .map(all -> join(all.list()))
        .transform(outcome -> StreamingImageBody.settle(outcome, answers));
  }

  private Future<GeminiResponse.Parsed> call(VendorHttp.Endpoint endpoint, ModelSpec model, Buffer body,
      StreamingImageBody answer) {
    // A header rather than ?key=: URLs end up in access logs and error messages.
    return http.postJson(endpoint.url(), "x-goog-api-key", endpoint.key(), model, body, answer)
        .compose(response -> http.read(response, GeminiResponse::error, GeminiResponse::parse));
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
