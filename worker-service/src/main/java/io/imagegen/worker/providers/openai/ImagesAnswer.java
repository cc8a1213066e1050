package io.imagegen.worker.providers.openai;

import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A 2xx Images API answer, parsed and base64-decoded. Images given as URLs are left for the caller to download.
 *
 * @param outputFormat the answer's own {@code output_format} (gpt-image reports it), or {@code null}
 * @param tokens the answer's {@code usage}, or {@code null} when it has none (dall-e, most relays)
 */
record ImagesAnswer(List<Item> items, String outputFormat, Tokens tokens) {
  /** One {@code data[]} entry: exactly one of {@code bytes} and {@code url} is set. */
  record Item(byte[] bytes, String url, String revisedPrompt) {
  }

  /** Token counts, each {@code null} when not reported. */
  record Tokens(Integer total, Integer input, Integer output) {
  }

  ImagesAnswer {
    items = List.copyOf(items);
  }

  /** Parses {@code body}; anything unusable fails with {@code failures.badResponse}. */
  static ImagesAnswer parse(Buffer body, UpstreamFailures failures) {
    JsonObject json;
    try {
      json = body.toJsonObject();
    } catch (RuntimeException e) {
      // Truncated or not an object: either way nothing to take images from.
      throw failures.badResponse("malformed JSON (" + body.length() + " bytes)");
    }
    Object data = json.getValue("data");
    if (!(data instanceof JsonArray array) || array.isEmpty()) {
      // Some relays answer 200 with an error object instead of a status; say what they said.
      OpenAiError error = OpenAiError.parse(body);
      throw failures.badResponse("no images in data[]" + (error.message() == null ? "" : ": " + error.message()));
    }
    List<Item> items = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      items.add(item(array.getValue(i), i, failures));
    }
    return new ImagesAnswer(items, string(json.getValue("output_format")), tokens(json.getValue("usage")));
  }

  private static Item item(Object entry, int index, UpstreamFailures failures) {
    if (!(entry instanceof JsonObject object)) {
      throw failures.badResponse("data[" + index + "] is not an object");
    }
    String revised = string(object.getValue("revised_prompt"));
    String b64 = string(object.getValue("b64_json"));
    if (b64 != null && !b64.isEmpty()) {
      return new Item(decode(b64, index, failures), null, revised);
    }
    String url = string(object.getValue("url"));
    if (url != null && !url.isBlank()) {
      return new Item(null, url, revised);
    }
    throw failures.badResponse("data[" + index + "] has neither b64_json nor url");
  }

  private static byte[] decode(String b64, int index, UpstreamFailures failures) {
    // Some relays hand back a data URL instead of bare base64.
    String payload = b64.startsWith("data:") ? b64.substring(b64.indexOf(',') + 1) : b64;
    try {
      byte[] bytes = Base64.getDecoder().decode(payload);
      if (bytes.length == 0) {
        throw failures.badResponse("data[" + index + "].b64_json is empty");
      }
      return bytes;
    } catch (IllegalArgumentException e) {
      throw failures.badResponse("data[" + index + "].b64_json is not base64");
    }
  }

  private static Tokens tokens(Object usage) {
    if (!(usage instanceof JsonObject object)) {
      return null;
    }
    return new Tokens(integer(object.getValue("total_tokens")), integer(object.getValue("input_tokens")),
        integer(object.getValue("output_tokens")));
  }

  private static Integer integer(Object value) {
    return value instanceof Number number ? Integer.valueOf(number.intValue()) : null;
  }

  private static String string(Object value) {
    return value instanceof String text ? text : null;
  }
}
