package io.imagegen.worker.providers.ark;

import io.imagegen.common.images.ImageTypes;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ImageProvider;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.StreamingImageBody;
import io.imagegen.worker.providers.UpstreamFailures;
import io.imagegen.worker.providers.VendorHttp;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Volcengine Ark Seedream ({@code POST /api/v3/images/generations}): one synchronous call per attempt. With
 * {@code sequential_image_generation=auto} that one call returns a set of up to {@code n} related images.
 */
public final class ArkProvider implements ImageProvider {
  static final String DEFAULT_BASE_URL = "https://ark.cn-beijing.volces.com";
  static final String PATH = "/api/v3/images/generations";

  private final ProviderContext context;
  private final UpstreamFailures failures = UpstreamFailures.standard("ark");
  private final VendorHttp http;

  /** An adapter that reaches Ark through {@code context}'s HTTP client and credentials. */
  public ArkProvider(ProviderContext context) {
    this.context = context;
    this.http = new VendorHttp(context, failures);
  }

  /** {@code ark}, the catalog's provider value. */
  @Override
  public String name() {
    return "ark";
  }

  /** Generates (or, with input images, edits) the task's images with one Ark call, spooling them as they arrive. */
  @Override
  public Future<Generation> generate(GenerationRequest request) {
    Task task = request.task();
    ModelSpec model = request.model();
    StreamingImageBody answer = context.imageBody(StreamingImageBody.B64_JSON);
    return http.endpoint(model, DEFAULT_BASE_URL, PATH).compose(endpoint -> context.editInputs(task)
        .compose(images -> context.offLoopWhenLarge(ProviderContext.totalBytes(images), () -> ArkRequest.body(task, model, images).toBuffer()))
        .compose(body -> http.postJson(endpoint.url(), "Authorization", "Bearer " + endpoint.key(), model, body,
            answer))
        .compose(response -> http.read(response, ArkResponse::error, ArkResponse::parse))
        .compose(parsed -> images(parsed, endpoint.url())))
        .transform(outcome -> StreamingImageBody.settle(outcome, List.of(answer)));
  }

  /** Fetches URL items (Ark answers them when it ignores response_format) and types every image. */
  private Future<Generation> images(ArkResponse.Parsed parsed, String endpoint) {
    List<Future<StreamingImageBody.Image>> all = new ArrayList<>();
    for (ArkResponse.Item item : parsed.items()) {
      all.add(item.image() != null ? Future.succeededFuture(item.image())
          : context.download(item.url(), endpoint, failures));
    }
    return context.allImages(all).compose(done -> {
      List<Generation.Image> images = new ArrayList<>();
      for (StreamingImageBody.Image image : done) {
        String type = ImageTypes.sniff(image.head());
        if (type == null) {
          return context.discard(done).compose(ignored -> Future.failedFuture(
              failures.badResponse("a result is not a PNG, JPEG, WebP or GIF image")));
        }
        // Ark does not rewrite prompts.
        images.add(image.as(type, null));
      }
      return Future.succeededFuture(new Generation(images, parsed.usage()));
    });
  }
}
