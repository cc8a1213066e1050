package io.imagegen.worker.providers.openai;

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
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The OpenAI Images API ({@code /v1/images/generations} and {@code /v1/images/edits}), spoken either to OpenAI
 * itself ({@code "openai"}) or to any OpenAI-compatible relay ({@code "openai-compatible"}: new-api/one-api,
 * OpenRouter-style gateways), which additionally receives the model's passthrough fields.
 */
public final class OpenAiProvider implements ImageProvider {
  /** The official API. */
  public static final String OPENAI = "openai";
  /** Any relay speaking the same protocol; its base URL must come from the catalog. */
  public static final String OPENAI_COMPATIBLE = "openai-compatible";
  private static final String OPENAI_BASE_URL = "https://api.openai.com";
  /**
   * Answers larger than this are parsed and base64-decoded on a worker thread: one 1536x1024 PNG is ~4 MB of
   * base64, and n=10 of them would hold the event loop for far too long.
   */
  static final int DECODE_OFF_LOOP_ABOVE = 1024 * 1024;

  private final ProviderContext context;
  private final String name;
  private final boolean relay;
  private final UpstreamFailures failures;

  /** An adapter serving catalog entries whose provider is {@code name} ({@link #OPENAI} or {@link #OPENAI_COMPATIBLE}). */
  public OpenAiProvider(ProviderContext context, String name) {
    if (!OPENAI.equals(name) && !OPENAI_COMPATIBLE.equals(name)) {
      throw new IllegalArgumentException("OpenAiProvider serves 'openai' or 'openai-compatible', not '" + name + "'");
    }
    this.context = context;
    this.name = name;
    this.relay = OPENAI_COMPATIBLE.equals(name);
    this.failures = UpstreamFailures.standard(name);
  }

  /** The catalog provider name given at construction. */
  @Override
  public String name() {
    return name;
  }

  /** One Images API call: an edit for tasks in edit mode, a generation otherwise. */
  @Override
  public Future<Generation> generate(GenerationRequest request) {
    Task task = request.task();
    ModelSpec model = request.model();
    String base;
    String key;
    try {
      base = baseUrl(model);
      key = context.apiKey(model);
    } catch (UpstreamException notConfigured) {
      return Future.failedFuture(notConfigured);
    }
    boolean edit = "edit".equals(task.mode());
    Map<String, Object> fields = RequestFields.of(task, model, relay, edit);
    Future<HttpResponse<Buffer>> answered = edit
        ? EditInputs.read(context, task).compose(inputs -> transport(post(base + "/v1/images/edits", key, model)
            // Netty would otherwise nest same-named files (image[] x N) in one multipart/mixed part, which OpenAI
            // does not read: every image must be its own form-data part.
            .multipartMixed(false)
            .sendMultipartForm(EditForm.of(fields, ModelFamily.of(model.upstreamModel()), inputs.images(),
                inputs.mask()))))
        : transport(post(base + "/v1/images/generations", key, model).sendJsonObject(new JsonObject(fields)));
    return answered.compose(response -> handle(response, task));
  }

  private String baseUrl(ModelSpec model) {
    if (relay && model.baseUrl() == null) {
      throw new UpstreamException("model_not_configured", "Model '" + model.id() + "' is not configured on this "
          + "deployment: an openai-compatible model needs a base_url in the catalog.", false, null);
    }
    return context.baseUrl(model, OPENAI_BASE_URL);
  }

  private HttpRequest<Buffer> post(String url, String key, ModelSpec model) {
    return context.web().postAbs(url)
        .putHeader("Authorization", "Bearer " + key)
        // The runner enforces the attempt timeout too; this one also closes the connection we would leak.
        .timeout(model.attemptTimeout().toMillis());
  }

  /** No answer at all (refused, reset, timed out) is worth another try. */
  private Future<HttpResponse<Buffer>> transport(Future<HttpResponse<Buffer>> sent) {
    return sent.recover(err -> Future.failedFuture(failures.unreachable(err)));
  }

  private Future<Generation> handle(HttpResponse<Buffer> response, Task task) {
    int status = response.statusCode();
    Buffer body = response.body();
    if (status / 100 != 2) {
      return Future.failedFuture(
          OpenAiError.parse(body).toException(status, response.getHeader("Retry-After"), failures));
    }
    String contentType = response.getHeader("Content-Type");
    if (!isJson(contentType)) {
      return Future.failedFuture(failures.badResponse("content type " + contentType + " instead of application/json"));
    }
    if (body == null || body.length() == 0) {
      return Future.failedFuture(failures.badResponse("empty body"));
    }
    Future<ImagesAnswer> parsed = body.length() > DECODE_OFF_LOOP_ABOVE
        ? context.vertx().executeBlocking(() -> ImagesAnswer.parse(body, failures), false)
        : parseHere(body);
    return parsed.compose(answer -> materialise(answer, task));
  }

  private Future<ImagesAnswer> parseHere(Buffer body) {
    try {
      return Future.succeededFuture(ImagesAnswer.parse(body, failures));
    } catch (UpstreamException e) {
      return Future.failedFuture(e);
    }
  }

  /** Downloads URL answers (relays may ignore response_format) and types every image. */
  private Future<Generation> materialise(ImagesAnswer answer, Task task) {
    List<Future<byte[]>> bytes = new ArrayList<>();
    for (ImagesAnswer.Item item : answer.items()) {
      bytes.add(item.bytes() != null ? Future.succeededFuture(item.bytes()) : context.download(item.url(), failures));
    }
    String declared = ImageTypes.ofOutputFormat(answer.outputFormat() != null
        ? answer.outputFormat() : task.params().get("output_format"));
    return Future.all(bytes).map(all -> {
      List<Generation.Image> images = new ArrayList<>();
      for (int i = 0; i < answer.items().size(); i++) {
        byte[] image = all.resultAt(i);
        String sniffed = ImageTypes.sniff(image);
        String type = declared != null ? declared : sniffed != null ? sniffed : ImageTypes.PNG;
        images.add(new Generation.Image(image, type, answer.items().get(i).revisedPrompt()));
      }
      ImagesAnswer.Tokens tokens = answer.tokens();
      Usage usage = tokens == null ? Usage.images(images.size())
          : new Usage(images.size(), tokens.total(), tokens.input(), tokens.output());
      return new Generation(images, usage);
    });
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return media.toLowerCase(Locale.ROOT).equals("application/json");
  }
}
