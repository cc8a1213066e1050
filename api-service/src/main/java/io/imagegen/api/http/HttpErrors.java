package io.imagegen.api.http;

import io.imagegen.api.observability.ApiObservability;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.RateLimitedException;
import io.imagegen.common.errors.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become HTTP statuses and OpenAI-shaped error bodies. */
final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  /** Seconds a client should wait before retrying when a dependency of ours is down. */
  private static final String RETRY_AFTER_UNAVAILABLE = "2";

  private HttpErrors() {
  }

  static void send(RoutingContext ctx, Throwable failure) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (failure instanceof ImageGenException known) {
      int status = status(known);
      if (known instanceof RateLimitedException limited) {
        // Whole seconds, rounded up: a client retrying a little early would just be refused again.
        response.putHeader("Retry-After", Long.toString(Math.max(1, (limited.retryAfter().toMillis() + 999) / 1000)));
      } else if (known.retryable()) {
        response.putHeader("Retry-After", RETRY_AFTER_UNAVAILABLE);
        LOG.warn("answered {}: {}", status, known.getMessage());
      } else {
        // OpenAI's SDKs retry every 5xx unless told not to; a failed generation would be resubmitted and billed.
        response.putHeader("X-Should-Retry", "false");
      }
      write(ctx, status, known.getMessage(), known.code(), known.param());
      return;
    }
    LOG.error("unexpected failure", failure);
    write(ctx, ErrorCode.INTERNAL_ERROR, "The server had an internal error; the request was not completed.", null);
  }

  /** An error body for a catalogued {@code code}, at its status. */
  static void write(RoutingContext ctx, ErrorCode code, String message, String param) {
    write(ctx, code.status(), message, code.code(), param);
  }

  /**
   * An error body in the shape of the path's API family: OpenAI's {@code {"error":{...}}} on {@code /v1}, the
   * {@code {success, code, message}} envelope on {@code /api/v1}.
   */
  static Future<Void> write(RoutingContext ctx, int status, String message, String code, String param) {
    ctx.put(ApiObservability.ERROR_CODE, code);
    JsonObject body;
    if (Responses.isEnvelope(ctx)) {
      // The envelope's code is the HTTP status (seed 000); the machine-readable code travels beside it.
      body = Responses.envelope(false, status, message).put("error_code", code);
      if (param != null) {
        body.put("param", param);
      }
    } else {
      JsonObject error = new JsonObject().put("message", message).put("type", ErrorCode.typeOf(status)).put("code", code)
          .putNull("param");
      if (param != null) {
        error.put("param", param);
      }
      body = new JsonObject().put("error", error);
    }
    return ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  /** Answers like {@link #write} and then closes the connection: for a request whose rest we will not read. */
  static void closing(RoutingContext ctx, ErrorCode code, String message) {
    ctx.response().putHeader("Connection", "close");
    write(ctx, code.status(), message, code.code(), null).onComplete(ignored -> ctx.request().connection().close());
  }

  /** The catalogued code's status; a vendor's own code is a refusal we relay (502), other failures by kind. */
  static int status(ImageGenException e) {
    return e.catalogued().map(ErrorCode::status).orElseGet(() -> {
      if (e instanceof InvalidRequestException) {
        return 400;
      }
      if (e instanceof UpstreamException) {
        return ErrorCode.UPSTREAM_REJECTED.status();
      }
      return ErrorCode.INTERNAL_ERROR.status();
    });
  }
}
