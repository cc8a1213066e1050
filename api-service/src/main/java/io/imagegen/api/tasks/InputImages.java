package io.imagegen.api.tasks;

import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.fetch.SafeFetcher;
import io.imagegen.common.images.ImageTypes;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.ObjectStore.Condition;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Edit-mode inputs: every form the seed allows (URL, data URL, raw base64, an array of them, or an object) is turned
 * into bytes, checked to be an image, and stored privately ({@link BucketLayout#inputs}), so that job messages carry
 * only keys. URLs are fetched through the SSRF-safe fetcher.
 */
final class InputImages {
  /** Decoded inputs larger than this are refused; OpenAI's own limit for edit inputs. */
  static final int MAX_BYTES = 20 * 1024 * 1024;

  private final SafeFetcher fetcher;
  private final ObjectStore objects;

  InputImages(SafeFetcher fetcher, ObjectStore objects) {
    this.fetcher = fetcher;
    this.objects = objects;
  }

  /**
   * Stores the inputs of {@code image} for task {@code taskId}; the result is their storage keys, in order. When any
   * input is refused, the ones already stored are removed again: a refused edit leaves nothing behind.
   */
  Future<List<String>> store(String taskId, ModelSpec model, Object image) {
    List<String> sources;
    try {
      sources = sources(image);
    } catch (InvalidRequestException e) {
      return Future.failedFuture(e);
    }
    if (sources.isEmpty()) {
      return Future.failedFuture(InvalidRequestException.field("image", "image must not be empty"));
    }
    if (sources.size() > model.limits().maxInputImages()) {
      return Future.failedFuture(InvalidRequestException.field("image", model.id() + " accepts at most "
          + model.limits().maxInputImages() + " input image(s), got " + sources.size()));
    }
    List<Future<String>> stored = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      String key = BucketLayout.input(taskId, i);
      int index = i;
      stored.add(bytes(sources.get(i)).compose(bytes -> {
        String type = ImageTypes.sniff(bytes);
        if (type == null) {
          return Future.failedFuture(InvalidRequestException.field("image",
              "image[" + index + "] is not a PNG, JPEG, WebP or GIF image"));
        }
        return objects.put(key, bytes, type, Condition.NONE).map(etag -> key);
      }));
    }
    // join, not all: every store must have settled before the survivors of a refused request can be removed.
    return Future.join(stored).transform(outcome -> {
      if (outcome.succeeded()) {
        return Future.succeededFuture(outcome.result().<String>list());
      }
      discard(stored.stream().filter(Future::succeeded).map(Future::result).toList());
      return Future.failedFuture(stored.stream().filter(Future::failed).findFirst().orElseThrow().cause());
    });
  }

  /** Best-effort removal when the task that would have used them was never accepted. */
  void discard(List<String> keys) {
    keys.forEach(objects::delete);
  }

  private Future<byte[]> bytes(String source) {
    if (source.startsWith("http://") || source.startsWith("https://")) {
      return fetcher.get(source).<byte[]>map(fetched -> fetched.body().getBytes()).recover(err -> {
        // Whatever went wrong with the client's URL is reported against the field that carried it.
        String message = err instanceof ImageGenException ? err.getMessage() : "could not fetch " + source;
        return Future.failedFuture(InvalidRequestException.field("image", "image URL: " + message));
      });
    }
    String base64 = source;
    if (source.startsWith("data:")) {
      int comma = source.indexOf(',');
      if (comma < 0 || !source.substring(0, comma).endsWith(";base64")) {
        return Future.failedFuture(InvalidRequestException.field("image", "data URLs must be base64-encoded"));
      }
      base64 = source.substring(comma + 1);
    }
    if (base64.length() > MAX_BYTES / 3 * 4 + 4) {
      return Future.failedFuture(InvalidRequestException.field("image", "an input image is larger than "
          + MAX_BYTES + " bytes"));
    }
    try {
      return Future.succeededFuture(Base64.getMimeDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(InvalidRequestException.field("image",
          "image must be an http(s) URL, a data URL or base64 image data"));
    }
  }

  /** The image sources of every accepted form, in order. */
  static List<String> sources(Object image) {
    List<String> out = new ArrayList<>();
    if (image instanceof List<?> list) {
      for (Object item : list) {
        out.add(single(item));
      }
    } else {
      out.add(single(image));
    }
    return out;
  }

  private static String single(Object item) {
    if (item instanceof String text && !text.isBlank()) {
      return text.trim();
    }
    if (item instanceof Map<?, ?> object) {
      // OpenAI-style {"image_url": "..."} or {"image_url": {"url": "..."}}, plus {"url"}, {"b64_json"}, {"data"}.
      for (String field : List.of("url", "image_url", "b64_json", "data")) {
        Object value = object.get(field);
        if (value instanceof Map<?, ?> nested && nested.get("url") instanceof String url) {
          return url.trim();
        }
        if (value instanceof String text && !text.isBlank()) {
          return text.trim();
        }
      }
    }
    throw InvalidRequestException.field("image",
        "each image must be a URL, data URL or base64 string, or an object with url, image_url, b64_json or data");
  }
}
