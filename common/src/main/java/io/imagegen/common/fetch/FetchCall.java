package io.imagegen.common.fetch;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.errors.UpstreamException;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * One get/post of {@link SafeFetcher}: the overall deadline and the request it must cut off when it fires. Only
 * touched from the caller's context (start, timer, HTTP callbacks all run there), so plain fields suffice.
 */
final class FetchCall<T> {
  private final Vertx vertx;
  private final HttpClient client;
  private final FetchPolicy policy;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private FetchTarget target;
  private HttpClientRequest inFlight;
  private boolean over;
  private long timer;

  FetchCall(Vertx vertx, HttpClient client, FetchPolicy policy) {
    this.vertx = vertx;
    this.client = client;
    this.policy = policy;
  }

  /** Completes once, with the outcome of the work or the deadline failure, whichever comes first. */
  CompletableFuture<T> result() {
    return result;
  }

  /** The hop being worked on, named in transport and timeout errors. */
  void target(FetchTarget target) {
    this.target = target;
  }

  /** Arms the deadline, then runs {@code work}; must be called on the caller's context. */
  void start(Function<FetchCall<T>, Future<T>> work) {
    long timeoutMs = policy.totalTimeout().toMillis();
    timer = vertx.setTimer(timeoutMs, id -> finish(Future.failedFuture(new UpstreamException(ErrorCode.FETCH_TIMEOUT,
        "fetch" + (target == null ? "" : " from " + target.host()) + " did not finish within " + timeoutMs
            + " ms (totalTimeout)", null))));
    Future<T> outcome;
    try {
      outcome = work.apply(this);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(this::finish);
  }

  /** Opens a request and remembers it, so the deadline can reset it. */
  Future<HttpClientRequest> open(RequestOptions options) {
    if (over) {
      // The deadline passed during resolution: do not even connect.
      return Future.failedFuture(new IllegalStateException("fetch already finished"));
    }
    return client.request(options).map(request -> {
      if (over) {
        // The deadline passed while we were connecting.
        request.reset();
        throw new IllegalStateException("fetch already finished");
      }
      inFlight = request;
      return request;
    });
  }

  /** Drops the in-flight exchange (closing its HTTP/1 connection) instead of reading the rest of it. */
  void abandon() {
    if (inFlight != null) {
      HttpClientRequest request = inFlight;
      inFlight = null;
      if (request.response().succeeded()) {
        // The reset is our own doing; without a handler Vert.x would log it as an unhandled error.
        request.response().result().exceptionHandler(ignored -> { });
      }
      request.reset();
    }
  }

  private void finish(AsyncResult<T> outcome) {
    if (over) {
      return;
    }
    over = true;
    vertx.cancelTimer(timer);
    if (outcome.succeeded()) {
      result.complete(outcome.result());
    } else {
      abandon();
      result.completeExceptionally(translate(outcome.cause()));
    }
  }

  private RuntimeException translate(Throwable err) {
    if (err instanceof ImageGenException known) {
      return known;
    }
    String host = target == null ? "URL" : target.host();
    if (err instanceof ConnectTimeoutException) {
      return new UpstreamException(ErrorCode.FETCH_TIMEOUT, "connecting to " + host + " timed out after "
          + policy.connectTimeout().toMillis() + " ms (connectTimeout)", err);
    }
    if (err instanceof SSLException) {
      // A bad certificate will not fix itself on retry.
      return UpstreamException.permanent(ErrorCode.FETCH_FAILED, "TLS with " + host + " failed: " + err.getMessage(), err);
    }
    return new UpstreamException(ErrorCode.FETCH_FAILED, "could not fetch from " + host + ": " + err, err);
  }
}
