package io.imagegen.worker.providers.ark;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Reads Ark's answers: the success body ({@code data[]} plus {@code usage}) and the error envelope. */
final class ArkResponse {
  /** Ark's moderation codes: InputTextSensitiveContentDetected, OutputImageSensitiveContentDetected and kin. */
  private static final String SENSITIVE = "SensitiveContent";

  /** One result image: its bytes, or the URL to fetch them from. */
  record Item(byte[] bytes, String url) {
  }

  /** A successful answer; usage counts the images alone when Ark did not report token usage. */
  record Parsed(List<Item> items, Usage usage) {
  }

  private ArkResponse() {
  }

  /** Whether a {@code Content-Type} header announces JSON. */
  static boolean isJson(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
  }

  /** Parses a 2xx body; anything we cannot turn into at least one image fails with the matching exception. */
  static Parsed parse(Buffer body, UpstreamFailures failures) {
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw failures.badResponse("the body is not a JSON object");
    }
    try {
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
        } else if (entry.getString("b64_json") != null) {
          items.add(new Item(decode(entry.getString("b64_json"), failures), null));
        } else if (entry.getString("url") != null) {
          items.add(new Item(null, entry.getString("url")));
        } else {
          throw failures.badResponse("data[" + i + "] has neither b64_json nor url");
        }
      }
      if (items.isEmpty()) {
        throw allRefused(errors, failures);
      }
      return new Parsed(items, usage(json.getJsonObject("usage"), items.size()));
    } catch (ClassCastException e) {
      throw failures.badResponse("unexpected JSON shape (" + e.getMessage() + ")");
    }
  }

  /** Maps a non-2xx answer: moderation codes to a content-policy failure, the rest by status. */
  static UpstreamException error(int status, Buffer body, String retryAfter, UpstreamFailures failures) {
    JsonObject error = errorObject(body);
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

  private static byte[] decode(String base64, UpstreamFailures failures) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw failures.badResponse("b64_json is not valid base64");
    }
    if (bytes.length == 0) {
      throw failures.badResponse("b64_json is empty");
    }
    return bytes;
  }

  private static Usage usage(JsonObject usage, int images) {
    if (usage == null) {
      return Usage.images(images);
    }
    Integer generated = integer(usage.getValue("generated_images"));
    return new Usage(generated == null ? images : generated, integer(usage.getValue("total_tokens")), null,
        integer(usage.getValue("output_tokens")));
  }

  /** The {@code error} object of an error body, or {@code null} when the body is not Ark's envelope (proxy pages). */
  private static JsonObject errorObject(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      Object error = new JsonObject(body).getValue("error");
      return error instanceof JsonObject json ? json : null;
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static Integer integer(Object value) {
    return value instanceof Number n ? n.intValue() : null;
  }

  private static String text(Object value) {
    return value == null || String.valueOf(value).isBlank() ? null : String.valueOf(value);
  }
}
