package io.imagegen.worker.providers.openai;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UpstreamException;
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
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The OpenAI Images API ({@code /v1/images/generations}, {@code /v1/images/edits} and {@code /v1/images/variations}),
 * spoken either to OpenAI
 * itself ({@code "openai"}) or to any OpenAI-compatible relay ({@code "openai-compatible"}: new-api/one-api,
 * OpenRouter-style gateways), which additionally receives the model's passthrough fields.
 *
 * <p>Answers are never buffered whole: {@link StreamingImageBody} decodes each {@code b64_json} image into a spool
 * file as it arrives, so the images of a successful generation are file-backed and the job runner uploads them from
 * disk.
 */
public final class OpenAiProvider implements ImageProvider {
  /** The official API. */
  public static final String OPENAI = "openai";
  /** Any relay speaking the same protocol; its base URL must come from the catalog. */
  public static final String OPENAI_COMPATIBLE = "openai-compatible";
  private static final String OPENAI_BASE_URL = "https://api.openai.com";

  private final ProviderContext context;
  private final String name;
  private final boolean relay;
  private final UpstreamFailures failures;
  private final VendorHttp http;

  /** An adapter for {@code name}: {@link #OPENAI} or {@link #OPENAI_COMPATIBLE}. */
  public OpenAiProvider(ProviderContext context, String name) {
    if (!OPENAI.equals(name) && !OPENAI_COMPATIBLE.equals(name)) {
      throw new IllegalArgumentException("OpenAiProvider serves 'openai' or 'openai-compatible', not '" + name + "'");
    }
    this.context = context;
    this.name = name;
    this.relay = OPENAI_COMPATIBLE.equals(name);
    this.failures = UpstreamFailures.standard(name);
    this.http = new VendorHttp(context, failures);
  }

  /** The catalog provider name given at construction. */
  @Override
  public String name() {
    return name;
  }

  /**
   * One Images API call: an edit for tasks in edit mode, a variation in variation mode, a generation otherwise. On success the spooled images
   * belong to the caller, who deletes their files once stored; on failure none are left behind.
   */
  @Override
  public Future<Generation> generate(GenerationRequest request) {
    Task task = request.task();
    ModelSpec model = request.model();
    String base;
    String auth;
    try {
      base = baseUrl(model);
      auth = "Bearer " + context.apiKey(model);
    } catch (UpstreamException notConfigured) {
      return Future.failedFuture(notConfigured);
    }
    boolean variation = "variation".equals(task.mode());
    boolean edit = "edit".equals(task.mode()) || variation;
    Map<String, Object> fields = variation ? RequestFields.forVariation(task, model, relay)
        : RequestFields.of(task, model, relay, edit);
    StreamingImageBody answer = context.imageBody(StreamingImageBody.B64_JSON);
    // A variation is an edit without prompt or mask, posted to its own endpoint in the same multipart shape.
    Future<HttpResponse<StreamingImageBody.Result>> answered = edit
        ? EditInputs.read(context, task).compose(inputs -> http.sent(model,
            http.post(base + (variation ? "/v1/images/variations" : "/v1/images/edits"), "Authorization", auth,
                model, answer)
                // Netty would otherwise nest same-named files (image[] x N) in one multipart/mixed part, which
                // OpenAI does not read: every image must be its own form-data part.
                .multipartMixed(false)
                .sendMultipartForm(EditForm.of(fields, ModelFamily.of(model.upstreamModel()), inputs.images(),
                    inputs.mask()))))
        : http.postJson(base + "/v1/images/generations", "Authorization", auth, model,
            new JsonObject(fields).toBuffer(), answer);
    return answered.compose(response -> http.read(response, OpenAiProvider::error, ImagesAnswer::parse))
        .compose(parsed -> materialise(parsed, task, base))
        .transform(outcome -> StreamingImageBody.settle(outcome, List.of(answer)));
  }

  private String baseUrl(ModelSpec model) {
    if (relay && model.baseUrl() == null) {
      throw new UpstreamException(ErrorCode.MODEL_NOT_CONFIGURED, "Model '" + model.id() + "' is not configured on this "
          + "deployment: an openai-compatible model needs a base_url in the catalog.", null);
    }
    return context.baseUrl(model, OPENAI_BASE_URL);
  }

  private static UpstreamException error(int status, Buffer body, String retryAfter, UpstreamFailures failures) {
    return OpenAiError.parse(body).toException(status, retryAfter, failures);
  }

  /** Downloads URL answers (relays may ignore response_format; {@code base} is trusted) and types every image. */
  private Future<Generation> materialise(ImagesAnswer answer, Task task, String base) {
    List<Future<StreamingImageBody.Image>> fetched = new ArrayList<>();
    for (ImagesAnswer.Item item : answer.items()) {
      fetched.add(item.url() == null ? Future.succeededFuture(item.image())
          : context.download(item.url(), base, failures));
    }
    String declared = ImageTypes.ofOutputFormat(answer.outputFormat() != null
        ? answer.outputFormat() : task.params().get("output_format"));
    return context.allImages(fetched).map(all -> {
      List<Generation.Image> images = new ArrayList<>();
      for (int i = 0; i < answer.items().size(); i++) {
        StreamingImageBody.Image image = all.get(i);
        String sniffed = io.imagegen.common.images.ImageTypes.sniff(image.head());
        String type = declared != null ? declared : sniffed != null ? sniffed : ImageTypes.PNG;
        images.add(image.as(type, answer.items().get(i).revisedPrompt()));
      }
      ImagesAnswer.Tokens tokens = answer.tokens();
      Usage usage = tokens == null ? Usage.images(images.size())
          : new Usage(images.size(), tokens.total(), tokens.input(), tokens.output(), tokens.details());
      return new Generation(images, usage);
    });
  }
}
