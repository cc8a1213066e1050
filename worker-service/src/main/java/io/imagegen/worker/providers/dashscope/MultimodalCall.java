package io.imagegen.worker.providers.dashscope;

import io.imagegen.common.images.ImageTypes;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.StreamingImageBody;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * DashScope's synchronous {@code multimodal-generation} API, which serves qwen-image-2.0 for generation and editing
 * alike (docs/providers.md, "DashScope"): {@code input.messages[0].content} holds the input images, then the text;
 * {@code parameters} carries {@code n}, {@code size} as {@code W*H}, {@code negative_prompt}, {@code prompt_extend},
 * {@code watermark} and {@code seed}; result URLs come back in {@code output.choices[].message.content[].image}.
 */
final class MultimodalCall {
  static final String PATH = "/api/v1/services/aigc/multimodal-generation/generation";

  private final ProviderContext context;
  private final UpstreamFailures failures;

  MultimodalCall(ProviderContext context, UpstreamFailures failures) {
    this.context = context;
    this.failures = failures;
  }

  /** Calls the API once and downloads the images it made. */
  Future<Generation> generate(Task task, ModelSpec model, String base, String authorization) {
    return context.editInputs(task)
        .compose(inputs -> context.offLoopWhenLarge(ProviderContext.totalBytes(inputs),
            () -> body(task, model, inputs).toBuffer()))
        .compose(body -> context.web().postAbs(base + PATH)
            .putHeader("Authorization", authorization)
            .putHeader("Content-Type", "application/json")
            .timeout(model.attemptTimeout().toMillis())
            .sendBuffer(body)
            .recover(err -> Future.failedFuture(failures.unreachable(err))))
        .compose(response -> {
          if (response.statusCode() / 100 != 2) {
            return Future.failedFuture(DashScopeErrors.fromResponse(failures, response));
          }
          JsonObject json = TaskAnswer.json(response.body());
          return json == null ? Future.failedFuture(failures.badResponse("the answer is not a JSON object"))
              : collect(json, base);
        });
  }

  /** The request body: inputs as data URLs before the text, optional parameters only when the caller set them. */
  static JsonObject body(Task task, ModelSpec model, List<Buffer> inputs) {
    JsonArray content = new JsonArray();
    for (Buffer input : inputs) {
      content.add(new JsonObject().put("image", "data:" + ImageTypes.sniffOrPng(input) + ";base64,"
          + Base64.getEncoder().encodeToString(input.getBytes())));
    }
    content.add(new JsonObject().put("text", task.prompt()));
    Map<String, Object> params = task.params();
    JsonObject parameters = new JsonObject().put("n", task.n());
    if (task.size() != null) {
      parameters.put("size", task.size().replace('x', '*')); // DashScope writes 1024*1024
    }
    for (String field : List.of("negative_prompt", "prompt_extend", "watermark")) {
      if (params.get(field) != null) {
        parameters.put(field, params.get(field));
      }
    }
    if (params.get("seed") instanceof Number seed) {
      parameters.put("seed", seed.longValue());
    }
    return new JsonObject().put("model", model.upstreamModel())
        .put("input", new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", content))))
        .put("parameters", parameters);
  }

  private Future<Generation> collect(JsonObject json, String base) {
    List<String> urls = new ArrayList<>();
    JsonObject output = json.getValue("output") instanceof JsonObject o ? o : new JsonObject();
    if (output.getValue("choices") instanceof JsonArray choices) {
      for (Object choice : choices) {
        if (choice instanceof JsonObject c && c.getValue("message") instanceof JsonObject message
            && message.getValue("content") instanceof JsonArray parts) {
          for (Object part : parts) {
            if (part instanceof JsonObject p && p.getValue("image") instanceof String url && !url.isBlank()) {
              urls.add(url);
            }
          }
        }
      }
    }
    if (urls.isEmpty()) {
      String code = TaskAnswer.text(json, "code");
      return Future.failedFuture(code != null
          ? DashScopeErrors.taskFailed(failures, code, TaskAnswer.text(json, "message"))
          : failures.badResponse("no images in output.choices[].message.content[]"));
    }
    List<Future<StreamingImageBody.Image>> downloads = new ArrayList<>();
    for (String url : urls) {
      // Streamed to the spool through the SSRF-safe fetcher and sniffed, as every vendor result is.
      downloads.add(context.download(url, base, failures));
    }
    JsonObject usage = json.getValue("usage") instanceof JsonObject u ? u : new JsonObject();
    return context.allImages(downloads).map(all -> {
      List<Generation.Image> images = new ArrayList<>();
      for (StreamingImageBody.Image image : all) {
        images.add(image.as(ImageTypes.sniff(image.head()), null));
      }
      Object count = usage.getValue("image_count");
      return new Generation(images, Usage.images(count instanceof Number n ? n.intValue() : images.size()));
    });
  }
}
