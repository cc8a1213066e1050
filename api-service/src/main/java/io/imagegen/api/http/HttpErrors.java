package io.imagegen.api.http;

import io.imagegen.common.errors.AuthenticationException;
import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.errors.UnavailableException;
import io.imagegen.common.errors.UpstreamException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become HTTP statuses and OpenAI-shaped error bodies. */
final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  /** Seconds a client should wait before retrying when a dependency of ours is down. */
  private static final String RETRY_AFTER_UNAVAILABLE = "2";

  private HttpErrors() {
  }

  static void send(HttpServerResponse response, Throwable failure) {
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (failure instanceof ImageGenException known) {
      int status = status(known);
      if (known.retryable()) {
        response.putHeader("Retry-After", RETRY_AFTER_UNAVAILABLE);
        LOG.warn("answered {}: {}", status, known.getMessage());
      }
      write(response, status, known.getMessage(), type(status), known.code(), known.param());
      return;
    }
    LOG.error("unexpected failure", failure);
    write(response, 500, "The server had an internal error; the request was not completed.", "server_error",
        "internal_error", null);
  }

  /** An error with no exception behind it (routing, body limits). */
  static void write(HttpServerResponse response, int status, String message, String type, String code, String param) {
    JsonObject error = new JsonObject().put("message", message).put("type", type).put("code", code)
        .putNull("param");
    if (param != null) {
      error.put("param", param);
    }
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", error).encode());
  }

  static String type(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
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
    if (e instanceof NotFoundException) {
      return 404;
    }
    if (e instanceof ConflictException) {
      return 409;
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
