package io.imagegen.worker.providers.ark;

import io.imagegen.common.images.ImageTypes;
import io.imagegen.common.config.Durations;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
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
 * Volcengine Ark Seedream ({@code POST /api/v3/images/generations}): one synchronous call per attempt. With
 * {@code sequential_image_generation=auto} that one call returns a set of up to {@code n} related images.
 */
public final class ArkProvider implements ImageProvider {
  static final String DEFAULT_BASE_URL = "https://ark.cn-beijing.volces.com";
  static final String PATH = "/api/v3/images/generations";

  private final ProviderContext context;
  private final UpstreamFailures failures = UpstreamFailures.standard("ark");

  /** An adapter that reaches Ark through {@code context}'s HTTP client and credentials. */
  public ArkProvider(ProviderContext context) {
    this.context = context;
  }

  /** {@code ark}, the catalog's provider value. */
  @Override
  public String name() {
    return "ark";
  }

  /** Generates (or, with input images, edits) the task's images with one Ark call. */
  @Override
  public Future<Generation> generate(GenerationRequest request) {
    Task task = request.task();
    ModelSpec model = request.model();
    String url;
    String key;
    try {
      url = context.baseUrl(model, DEFAULT_BASE_URL) + PATH;
      key = context.apiKey(model);
    } catch (UpstreamException e) {
      return Future.failedFuture(e);
    }
    return context.editInputs(task)
        .compose(images -> context.offLoopWhenLarge(ProviderContext.totalBytes(images), () -> ArkRequest.body(task, model, images).toBuffer()))
        .compose(body -> post(url, key, model, body))
        .compose(this::answer);
  }


  private Future<HttpResponse<Buffer>> post(String url, String key, ModelSpec model, Buffer body) {
    return context.web().postAbs(url)
        .putHeader("Authorization", "Bearer " + key)
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "application/json")
        // Frees the connection when Ark goes silent; the job runner still bounds the attempt as a whole.
        .timeout(model.attemptTimeout().toMillis())
        .sendBuffer(body)
        .recover(err -> Future.failedFuture(err instanceof TimeoutException
            ? new UpstreamException("upstream_timeout", "ark did not answer within "
                + Durations.format(model.attemptTimeout()) + ".", true, err)
            : failures.unreachable(err)));
  }

  private Future<Generation> answer(HttpResponse<Buffer> response) {
    if (response.statusCode() / 100 != 2) {
      return Future.failedFuture(ArkResponse.error(response.statusCode(), response.body(),
          response.getHeader("Retry-After"), failures));
    }
    String type = response.getHeader("Content-Type");
    if (!ArkResponse.isJson(type)) {
      return Future.failedFuture(failures.badResponse("content type " + type + " instead of JSON"));
    }
    Buffer body = response.body() == null ? Buffer.buffer() : response.body();
    return context.offLoopWhenLarge(body.length(), () -> ArkResponse.parse(body, failures)).compose(this::images);
  }

  /** Fetches URL items (Ark answers them when it ignores response_format) so every image ends up as bytes. */
  private Future<Generation> images(ArkResponse.Parsed parsed) {
    List<Future<byte[]>> all = new ArrayList<>();
    for (ArkResponse.Item item : parsed.items()) {
      all.add(item.bytes() != null ? Future.succeededFuture(item.bytes()) : context.download(item.url(), failures));
    }
    return Future.all(all).compose(done -> {
      List<Generation.Image> images = new ArrayList<>();
      for (byte[] bytes : done.<byte[]>list()) {
        String type = ImageTypes.sniff(bytes);
        if (type == null) {
          return Future.failedFuture(failures.badResponse("a result is not a PNG, JPEG, WebP or GIF image"));
        }
        // Ark does not rewrite prompts.
        images.add(new Generation.Image(bytes, type, null));
      }
      return Future.succeededFuture(new Generation(images, parsed.usage()));
    });
  }
}
