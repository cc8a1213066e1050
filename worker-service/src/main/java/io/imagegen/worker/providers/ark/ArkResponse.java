package io.imagegen.worker.providers.ark;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.StreamingImageBody;
import io.imagegen.worker.providers.UpstreamFailures;
import io.imagegen.worker.providers.VendorHttp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Reads Ark's answers: the success body ({@code data[]} plus {@code usage}) and the error envelope. */
final class ArkResponse {
  /** Ark's moderation codes: InputTextSensitiveContentDetected, OutputImageSensitiveContentDetected and kin. */
  private static final String SENSITIVE = "SensitiveContent";

  /** One result image, or the URL to fetch it from. */
  record Item(StreamingImageBody.Image image, String url) {
  }

  /** A successful answer; usage counts the images alone when Ark did not report token usage. */
  record Parsed(List<Item> items, Usage usage) {
  }

  private ArkResponse() {
  }

  /** Parses a 2xx body; anything we cannot turn into at least one image fails with the matching exception. */
  static Parsed parse(StreamingImageBody.Result body, UpstreamFailures failures) {
    return VendorHttp.parseObject(body.rest(), failures, json -> {
      JsonArray data = json.getJsonArray("data");
      if (data == null || data.isEmpty()) {
        throw failures.badResponse("no images in the answer (empty data)");
      }
      List<Item> items = new ArrayList<>();
      List<JsonObject> errors = new ArrayList<>();
      for (int i = 0; i < data.size(); i++) {
        JsonObject entry = data.getJsonObject(i);
        if (entry.getJsonObject("error") != null) {
          // Sequential generation reports a refused image of the set in place instead of failing the call.
          errors.add(entry.getJsonObject("error"));
          continue;
        }
        StreamingImageBody.Image image = body.image(entry.getString("b64_json"), "data[" + i + "].b64_json",
            failures);
        if (image == null && entry.getString("url") == null) {
          throw failures.badResponse("data[" + i + "] has neither b64_json nor url");
        }
        items.add(new Item(image, image == null ? entry.getString("url") : null));
      }
      if (items.isEmpty()) {
        throw allRefused(errors, failures);
      }
      return new Parsed(items, usage(json.getJsonObject("usage"), items.size()));
    });
  }

  /** Maps a non-2xx answer: moderation codes to a content-policy failure, the rest by status. */
  static UpstreamException error(int status, Buffer body, String retryAfter, UpstreamFailures failures) {
    JsonObject error = VendorHttp.errorObject(body);
    String code = error == null ? null : text(error.getValue("code"));
    String message = error == null ? null : text(error.getValue("message"));
    if (code != null && code.contains(SENSITIVE)) {
      return failures.contentPolicy(message == null ? code : message);
    }
    return failures.fromStatus(status, code, message, retryAfter);
  }

  private static UpstreamException allRefused(List<JsonObject> errors, UpstreamFailures failures) {
    JsonObject first = errors.get(0);
    String code = text(first.getValue("code"));
    String message = text(first.getValue("message"));
    if (errors.stream().anyMatch(e -> String.valueOf(e.getValue("code")).contains(SENSITIVE))) {
      return failures.contentPolicy(message == null ? code : message);
    }
    return failures.badResponse("every image failed (" + code + (message == null ? "" : ": " + message) + ")");
  }

  private static Usage usage(JsonObject usage, int images) {
    if (usage == null) {
      return Usage.images(images);
    }
    Integer generated = integer(usage.getValue("generated_images"));
    return new Usage(generated == null ? images : generated, integer(usage.getValue("total_tokens")), null,
        integer(usage.getValue("output_tokens")));
  }

  private static Integer integer(Object value) {
    return value instanceof Number n ? n.intValue() : null;
  }

  private static String text(Object value) {
    return value == null || String.valueOf(value).isBlank() ? null : String.valueOf(value);
  }
}
