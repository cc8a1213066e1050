package io.imagegen.api.http;

import io.imagegen.api.observability.ApiObservability;
import io.imagegen.common.errors.AuthenticationException;
import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.errors.PermissionException;
import io.imagegen.common.errors.QuotaExceededException;
import io.imagegen.common.errors.RateLimitedException;
import io.imagegen.common.errors.UnavailableException;
import io.imagegen.common.errors.UpstreamException;
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
    write(ctx, 500, "The server had an internal error; the request was not completed.", "internal_error", null);
  }

  /**
   * An error body in the shape of the path's API family: OpenAI's {@code {"error":{...}}} on {@code /v1}, the
   * {@code {success, code, message}} envelope on {@code /api/v1}.
   */
  static void write(RoutingContext ctx, int status, String message, String code, String param) {
    ctx.put(ApiObservability.ERROR_CODE, code);
    JsonObject body;
    if (Responses.isEnvelope(ctx)) {
      body = Responses.envelope(false, status, message);
    } else {
      JsonObject error = new JsonObject().put("message", message).put("type", type(status)).put("code", code)
          .putNull("param");
      if (param != null) {
        error.put("param", param);
      }
      body = new JsonObject().put("error", error);
    }
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  private static String type(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 402 -> "insufficient_quota";
      case 403 -> "permission_error";
      case 404, 400, 409, 413, 422 -> "invalid_request_error";
      case 429 -> "rate_limit_error";
      default -> "server_error";
    };
  }

  private static int status(ImageGenException e) {
    if (e instanceof InvalidRequestException) {
      return 400;
    }
    if (e instanceof AuthenticationException) {
      return 401;
    }
    if (e instanceof QuotaExceededException) {
      return 402;
    }
    if (e instanceof NotFoundException) {
      return 404;
    }
    if (e instanceof ConflictException) {
      return 409;
    }
    if (e instanceof PermissionException) {
      return 403;
    }
    if (e instanceof RateLimitedException) {
      return 429;
    }
    if (e instanceof UnavailableException) {
      return 503;
    }
    if (e instanceof UpstreamException) {
      // A synchronous wait that ended in a timeout is the edge-timeout status of the seed's error table.
      return "timeout".equals(e.code()) ? 524 : 502;
    }
    return 500;
  }
}
