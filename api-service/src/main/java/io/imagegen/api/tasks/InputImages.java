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

  /** The storage keys of a request's inputs: the images in order, and the mask or {@code null}. */
  record Stored(List<String> imageKeys, String maskKey) {
    static final Stored NONE = new Stored(List.of(), null);

    List<String> all() {
      List<String> keys = new ArrayList<>(imageKeys);
      if (maskKey != null) {
        keys.add(maskKey);
      }
      return keys;
    }
  }

  /**
   * Stores the inputs of {@code image} (and the optional {@code mask}) for task {@code taskId}. Every input is
   * fetched or decoded and checked before the first one is written, and a failed write removes the others, so a
   * refused request leaves no input object behind.
   */
  Future<Stored> store(String taskId, ModelSpec model, Object image, Object mask) {
    List<String> sources;
    String maskSource;
    try {
      sources = sources(image);
      maskSource = mask == null ? null : single(mask, "mask");
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
    List<Future<Input>> checked = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      checked.add(checked(sources.get(i), "image", "image[" + i + "]", BucketLayout.input(taskId, i)));
    }
    if (maskSource != null) {
      checked.add(checked(maskSource, "mask", "mask", BucketLayout.mask(taskId)));
    }
    return Future.all(checked).compose(all -> {
      List<Input> inputs = all.list();
      List<Future<String>> written = inputs.stream()
          .map(input -> objects.put(input.key(), input.bytes(), input.type(), Condition.NONE)
              .map(etag -> input.key()))
          .toList();
      List<String> keys = inputs.stream().map(Input::key).toList();
      return Future.join(written).transform(outcome -> {
        if (outcome.failed()) {
          discard(keys);
          return Future.failedFuture(outcome.cause());
        }
        return Future.succeededFuture(maskSource == null ? new Stored(keys, null)
            : new Stored(keys.subList(0, keys.size() - 1), keys.get(keys.size() - 1)));
      });
    });
  }

  private record Input(String key, byte[] bytes, String type) {
  }

  private Future<Input> checked(String source, String field, String label, String key) {
    return bytes(source, field).compose(bytes -> {
      String type = ImageTypes.sniff(bytes);
      return type == null
          ? Future.failedFuture(InvalidRequestException.field(field, label + " is not a PNG, JPEG, WebP or GIF image"))
          : Future.succeededFuture(new Input(key, bytes, type));
    });
  }

  /** Best-effort removal when the task that would have used them was never accepted. */
  void discard(List<String> keys) {
    keys.forEach(objects::delete);
  }

  private Future<byte[]> bytes(String source, String field) {
    if (source.startsWith("http://") || source.startsWith("https://")) {
      return fetcher.get(source).<byte[]>map(fetched -> fetched.body().getBytes()).recover(err -> {
        // Whatever went wrong with the client's URL is reported against the field that carried it.
        String message = err instanceof ImageGenException ? err.getMessage() : "could not fetch " + source;
        return Future.failedFuture(InvalidRequestException.field(field, field + " URL: " + message));
      });
    }
    String base64 = source;
    if (source.startsWith("data:")) {
      int comma = source.indexOf(',');
      if (comma < 0 || !source.substring(0, comma).endsWith(";base64")) {
        return Future.failedFuture(InvalidRequestException.field(field, "data URLs must be base64-encoded"));
      }
      base64 = source.substring(comma + 1);
    }
    if (base64.length() > MAX_BYTES / 3 * 4 + 4) {
      return Future.failedFuture(InvalidRequestException.field(field, field + " is larger than "
          + MAX_BYTES + " bytes"));
    }
    try {
      return Future.succeededFuture(Base64.getMimeDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(InvalidRequestException.field(field,
          field + " must be an http(s) URL, a data URL or base64 image data"));
    }
  }

  /** The image sources of every accepted form, in order. */
  static List<String> sources(Object image) {
    List<String> out = new ArrayList<>();
    if (image instanceof List<?> list) {
      for (Object item : list) {
        out.add(single(item, "image"));
      }
    } else {
      out.add(single(image, "image"));
    }
    return out;
  }

  private static String single(Object item, String field) {
    if (item instanceof String text && !text.isBlank()) {
      return text.trim();
    }
    if (item instanceof Map<?, ?> object) {
      // OpenAI-style {"image_url": "..."} or {"image_url": {"url": "..."}}, plus {"url"}, {"b64_json"}, {"data"}.
      for (String name : List.of("url", "image_url", "b64_json", "data")) {
        Object value = object.get(name);
        if (value instanceof Map<?, ?> nested && nested.get("url") instanceof String url) {
          return url.trim();
        }
        if (value instanceof String text && !text.isBlank()) {
          return text.trim();
        }
      }
    }
    throw InvalidRequestException.field(field, ("image".equals(field) ? "each image" : field + " must be one image and")
        + " must be a URL, data URL or base64 string, or an object with url, image_url, b64_json or data");
  }
}
