package io.imagegen.worker.providers.gemini;

import io.imagegen.common.images.ImageTypes;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.StreamingImageBody;
import io.imagegen.worker.providers.UpstreamFailures;
import io.imagegen.worker.providers.VendorHttp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads {@code generateContent} answers: candidates with inline images, safety verdicts and the error envelope. */
final class GeminiResponse {
  /** Finish reasons that mean "refused on content grounds" rather than "broke". */
  static final Set<String> REFUSALS = Set.of("SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT",
      "IMAGE_PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_RECITATION");
  /** ErrorInfo reasons Google gives a bad key; it answers them with 400 INVALID_ARGUMENT, not 401. */
  private static final Set<String> KEY_REASONS = Set.of("API_KEY_INVALID", "API_KEY_EXPIRED");

  /** One call's images and usage. */
  record Parsed(List<Generation.Image> images, Usage usage) {
  }

  private GeminiResponse() {
  }

  /** Parses a 2xx body into its images; a refusal or an answer without an image fails with the matching exception. */
  static Parsed parse(StreamingImageBody.Result body, UpstreamFailures failures) {
    return VendorHttp.parseObject(body.rest(), failures, json -> {
      JsonObject feedback = json.getJsonObject("promptFeedback");
      if (feedback != null && feedback.getString("blockReason") != null) {
        throw failures.contentPolicy("prompt blocked (" + feedback.getString("blockReason") + ")"
            + suffix(feedback.getString("blockReasonMessage")));
      }
      JsonArray candidates = json.getJsonArray("candidates");
      if (candidates == null || candidates.isEmpty()) {
        throw failures.badResponse("no candidates in the answer");
      }
      JsonObject candidate = candidates.getJsonObject(0);
      List<Generation.Image> images = images(candidate, body, failures);
      if (images.isEmpty()) {
        String reason = candidate.getString("finishReason");
        if (reason != null && REFUSALS.contains(reason)) {
          throw failures.contentPolicy("no image (" + reason + ")" + suffix(candidate.getString("finishMessage")));
        }
        throw failures.badResponse(reason == null || "STOP".equals(reason)
            ? "no image in response" : "no image in response (finishReason " + reason + ")");
      }
      JsonObject usage = json.getJsonObject("usageMetadata", new JsonObject());
      return new Parsed(images, new Usage(images.size(), integer(usage.getValue("totalTokenCount")),
          integer(usage.getValue("promptTokenCount")), integer(usage.getValue("candidatesTokenCount"))));
    });
  }

  /** Maps a non-2xx answer: a rejected key to an operator failure, the rest by status with Google's status name. */
  static UpstreamException error(int status, Buffer body, String retryAfterHeader, UpstreamFailures failures) {
    JsonObject error = VendorHttp.errorObject(body);
    String name = error == null ? null : error.getString("status");
    String message = error == null ? null : error.getString("message");
    if (error != null && keyRejected(error, message)) {
      // Same outcome as UpstreamFailures gives 401/403 (loud log, non-retryable upstream_auth_failed).
      return new UpstreamFailures(failures.vendor(), Set.of(), Set.of(status)).fromStatus(status, name, message, null);
    }
    String retryAfter = retryAfterHeader != null ? retryAfterHeader : retryDelay(error);
    return failures.fromStatus(status, name, message, retryAfter);
  }

  private static List<Generation.Image> images(JsonObject candidate, StreamingImageBody.Result body,
      UpstreamFailures failures) {
    JsonObject content = candidate.getJsonObject("content");
    JsonArray parts = content == null ? null : content.getJsonArray("parts");
    List<Generation.Image> images = new ArrayList<>();
    if (parts == null) {
      return images;
    }
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = parts.getJsonObject(i);
      JsonObject inline = part.getJsonObject("inlineData", part.getJsonObject("inline_data"));
      // Thought parts are the model's interim drafts, not results; text parts are commentary, not a revised prompt.
      if (inline == null || Boolean.TRUE.equals(part.getBoolean("thought"))) {
        continue;
      }
      String declared = inline.getString("mimeType", inline.getString("mime_type"));
      if (declared != null && !declared.startsWith("image/")) {
        continue; // another modality, not a result image
      }
      StreamingImageBody.Image image = body.image(inline.getString("data"), "inline data", failures);
      if (image == null) {
        throw failures.badResponse("inline data without bytes");
      }
      String type = declared != null ? declared : ImageTypes.sniff(image.head());
      if (type == null) {
        throw failures.badResponse("inline data without a type is not a recognisable image");
      }
      images.add(image.as(type, null));
    }
    return images;
  }

  private static boolean keyRejected(JsonObject error, String message) {
    if (message != null && (message.contains("API_KEY_INVALID") || message.startsWith("API key not valid"))) {
      return true;
    }
    // Set.of(...).contains(null) throws, and most details (RetryInfo, Help) carry no reason.
    return details(error).stream().map(d -> d.getString("reason", "")).anyMatch(KEY_REASONS::contains);
  }

  /** Google puts its back-off hint in a RetryInfo detail ("37s", "1.5s") rather than in Retry-After. */
  private static String retryDelay(JsonObject error) {
    if (error == null) {
      return null;
    }
    for (JsonObject detail : details(error)) {
      Object delay = detail.getValue("retryDelay");
      if (delay instanceof String s && s.endsWith("s")) {
        try {
          return new BigDecimal(s.substring(0, s.length() - 1)).setScale(0, RoundingMode.CEILING).toPlainString();
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static List<JsonObject> details(JsonObject error) {
    Object details = error.getValue("details");
    List<JsonObject> out = new ArrayList<>();
    if (details instanceof JsonArray array) {
      for (Object detail : array) {
        if (detail instanceof JsonObject json) {
          out.add(json);
        }
      }
    }
    return out;
  }

  private static Integer integer(Object value) {
    return value instanceof Number n ? n.intValue() : null;
  }

  private static String suffix(String message) {
    return message == null || message.isBlank() ? "" : ": " + message;
  }
}
