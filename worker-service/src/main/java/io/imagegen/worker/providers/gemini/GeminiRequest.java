package io.imagegen.worker.providers.gemini;

import io.imagegen.common.images.ImageTypes;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The JSON body of {@code generateContent} for one image: the prompt, input images and the image options. */
final class GeminiRequest {
  /** Gemini's aspect ratios, used when the catalog does not list the model's own. */
  static final List<String> RATIOS = List.of("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9");
  private static final Set<String> PRESETS = Set.of("1K", "2K", "4K");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

  private GeminiRequest() {
  }

  /** The request body; {@code inputs} are the edit's input images (empty for a plain generation). */
  static JsonObject body(Task task, ModelSpec model, List<Buffer> inputs) {
    JsonArray parts = new JsonArray().add(new JsonObject().put("text", task.prompt()));
    for (Buffer input : inputs) {
      parts.add(new JsonObject().put("inlineData", new JsonObject()
          .put("mimeType", ImageTypes.sniffOrPng(input))
          .put("data", Base64.getEncoder().encodeToString(input.getBytes()))));
    }
    return new JsonObject()
        .put("contents", new JsonArray().add(new JsonObject().put("role", "user").put("parts", parts)))
        .put("generationConfig", new JsonObject()
            // IMAGE alone is refused by some Gemini image models; TEXT comes back as commentary we drop.
            .put("responseModalities", new JsonArray().add("TEXT").add("IMAGE"))
            .put("imageConfig", imageConfig(task, model)));
  }

  /** {@code aspectRatio} and {@code imageSize}, each left out when nothing in the task determines it. */
  static JsonObject imageConfig(Task task, ModelSpec model) {
    JsonObject config = new JsonObject();
    String ratio = aspectRatio(task, model);
    if (ratio != null) {
      config.put("aspectRatio", ratio);
    }
    String imageSize = imageSize(task);
    if (imageSize != null) {
      config.put("imageSize", imageSize);
    }
    return config;
  }

  /** The client's {@code ratio}, else the size's own ratio when Gemini offers it (else Gemini's default, 1:1). */
  static String aspectRatio(Task task, ModelSpec model) {
    Object explicit = task.params().get("ratio");
    if (explicit != null && !String.valueOf(explicit).isBlank()) {
      return String.valueOf(explicit).trim();
    }
    int[] size = size(task.size());
    if (size == null) {
      return null;
    }
    int gcd = gcd(size[0], size[1]);
    String ratio = size[0] / gcd + ":" + size[1] / gcd;
    List<String> supported = model.allowedValues("ratio").isEmpty() ? RATIOS : model.allowedValues("ratio");
    return supported.contains(ratio) ? ratio : null;
  }

  /** The quality preset when it is one (1K/2K/4K), else the preset that covers the size's longer side. */
  static String imageSize(Task task) {
    String quality = task.quality() == null ? "" : task.quality().trim().toUpperCase(Locale.ROOT);
    if (PRESETS.contains(quality)) {
      return quality;
    }
    int[] size = size(task.size());
    if (size == null) {
      return null;
    }
    int side = Math.max(size[0], size[1]);
    return side <= 1024 ? "1K" : side <= 2048 ? "2K" : "4K";
  }

  private static int[] size(String size) {
    Matcher m = size == null ? null : SIZE.matcher(size.trim());
    if (m == null || !m.matches()) {
      return null;
    }
    int width = Integer.parseInt(m.group(1));
    int height = Integer.parseInt(m.group(2));
    return width > 0 && height > 0 ? new int[] {width, height} : null;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
