package io.imagegen.worker.providers.openai;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * OpenAI's error body {@code {"error":{"message","type","code","param"}}}, read leniently: relays and edge proxies
 * answer errors in other shapes (a bare string, a top-level message, an HTML page), and the status still counts.
 */
record OpenAiError(String message, String type, String code, String param) {
  /** gpt-image reports refusals as {@code moderation_blocked}, dall-e as {@code content_policy_violation}. */
  private static final Set<String> CONTENT_POLICY = Set.of("content_policy_violation", "moderation_blocked");
  private static final OpenAiError NONE = new OpenAiError(null, null, null, null);

  /** The error in {@code body}, with {@code null} fields for whatever it does not say. */
  static OpenAiError parse(Buffer body) {
    JsonObject json = json(body);
    if (json == null) {
      return NONE;
    }
    Object error = json.getValue("error");
    if (error instanceof JsonObject e) {
      return new OpenAiError(text(e.getValue("message")), text(e.getValue("type")), text(e.getValue("code")),
          text(e.getValue("param")));
    }
    if (error instanceof String message) {
      return new OpenAiError(message, null, text(json.getValue("code")), null);
    }
    return new OpenAiError(text(json.getValue("message")), text(json.getValue("type")), text(json.getValue("code")),
        null);
  }

  /** What a non-2xx answer with this error means for the task. */
  UpstreamException toException(int status, String retryAfterHeader, UpstreamFailures failures) {
    if (status == 400 && (is(CONTENT_POLICY, code) || is(CONTENT_POLICY, type))) {
      return failures.contentPolicy(message == null ? "content policy" : message);
    }
    if (status == 429 && ("insufficient_quota".equals(code) || "insufficient_quota".equals(type))) {
      // A 429 that no wait will fix: the account is out of credit. Retrying would only burn the task's deadline.
      return new UpstreamException(ErrorCode.UPSTREAM_QUOTA_EXHAUSTED, failures.vendor() + " answered 429: "
          + (message == null ? "quota exhausted" : message) + " (the gateway's upstream account is out of quota)",
          null);
    }
    return failures.fromStatus(status, code, message, retryAfterHeader);
  }

  private static boolean is(Set<String> codes, String value) {
    return value != null && codes.contains(value);
  }

  private static JsonObject json(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      Object value = io.vertx.core.json.Json.decodeValue(body);
      return value instanceof JsonObject object ? object : null;
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  private static String text(Object value) {
    return value == null || value instanceof JsonObject ? null : String.valueOf(value);
  }
}
