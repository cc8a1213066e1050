package io.imagegen.worker.providers.openai;

import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.StreamingImageBody;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A 2xx Images API answer, parsed from the body as {@link StreamingImageBody} left it: base64 images are already
 * spooled to files, and their {@code b64_json} values are placeholders. Images given as URLs are left for the caller
 * to download.
 *
 * @param outputFormat the answer's own {@code output_format} (gpt-image reports it), or {@code null}
 * @param tokens the answer's {@code usage}, or {@code null} when it has none (dall-e, most relays)
 */
record ImagesAnswer(List<Item> items, String outputFormat, Tokens tokens) {
  /** One {@code data[]} entry: its image, or else the URL to fetch it from. */
  record Item(StreamingImageBody.Image image, String url, String revisedPrompt) {
  }

  /** Token counts, each {@code null} when not reported; {@code details} is OpenAI's input split, if given. */
  record Tokens(Integer total, Integer input, Integer output, Usage.InputTokensDetails details) {
  }

  ImagesAnswer {
    items = List.copyOf(items);
  }

  /** Parses {@code streamed}; anything unusable fails with {@code failures.badResponse}. */
  static ImagesAnswer parse(StreamingImageBody.Result streamed, UpstreamFailures failures) {
    Buffer body = streamed.rest();
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
      items.add(item(array.getValue(i), i, streamed, failures));
    }
    return new ImagesAnswer(items, string(json.getValue("output_format")), tokens(json.getValue("usage")));
  }

  private static Item item(Object entry, int index, StreamingImageBody.Result streamed, UpstreamFailures failures) {
    if (!(entry instanceof JsonObject object)) {
      throw failures.badResponse("data[" + index + "] is not an object");
    }
    String revised = string(object.getValue("revised_prompt"));
    StreamingImageBody.Image image = streamed.image(string(object.getValue("b64_json")),
        "data[" + index + "].b64_json", failures);
    String url = string(object.getValue("url"));
    if (image == null && (url == null || url.isBlank())) {
      throw failures.badResponse("data[" + index + "] has neither b64_json nor url");
    }
    return new Item(image, image == null ? url : null, revised);
  }

  private static Tokens tokens(Object usage) {
    if (!(usage instanceof JsonObject object)) {
      return null;
    }
    Usage.InputTokensDetails details = object.getValue("input_tokens_details") instanceof JsonObject split
        ? new Usage.InputTokensDetails(integer(split.getValue("text_tokens")), integer(split.getValue("image_tokens")))
        : null;
    return new Tokens(integer(object.getValue("total_tokens")), integer(object.getValue("input_tokens")),
        integer(object.getValue("output_tokens")), details);
  }

  private static Integer integer(Object value) {
    return value instanceof Number number ? Integer.valueOf(number.intValue()) : null;
  }

  private static String string(Object value) {
    return value instanceof String text ? text : null;
  }
}
