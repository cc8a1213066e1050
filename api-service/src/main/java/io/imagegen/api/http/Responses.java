package io.imagegen.api.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Successful bodies, plain on {@code /v1} and wrapped in the {@code /api/v1} envelope. */
final class Responses {
  private Responses() {
  }

  static boolean isEnvelope(RoutingContext ctx) {
    return ctx.request().path().startsWith("/api/v1/");
  }

  static void ok(RoutingContext ctx, int status, JsonObject body) {
    JsonObject out = isEnvelope(ctx) ? envelope(true, status, "successful").put("data", body) : body;
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(out.encode());
  }

  /** The seed's {@code {success, code, message}} envelope; {@code code} is the HTTP status as a string. */
  static JsonObject envelope(boolean success, int status, String message) {
    return new JsonObject().put("success", success).put("code", Integer.toString(status)).put("message", message);
  }
}
