package io.imagegen.common.fetch;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.streams.WriteStream;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Reads the body of an answer that passed the address rules, counting bytes as they arrive against the policy's
 * {@code maxBytes}: declared lengths can lie, so the count is what enforces the cap.
 */
final class ResponseBodies {
  private static final String DEFAULT_MEDIA_TYPE = "application/octet-stream";

  private final FetchPolicy policy;

  ResponseBodies(FetchPolicy policy) {
    this.policy = policy;
  }

  /** Reads a GET's answer into memory under the policy's type and size rules; see {@link SafeFetcher#get}. */
  Future<SafeFetcher.Fetched> collect(FetchTarget target, HttpClientResponse response) {
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      return Future.failedFuture(status >= 500 || status == 408 || status == 429
          ? new UpstreamException(ErrorCode.FETCH_FAILED, "image URL answered " + status, null)
          : new InvalidRequestException(ErrorCode.URL_FETCH_REJECTED, "image URL answered " + status, null));
    }
    String rawType = response.getHeader(HttpHeaders.CONTENT_TYPE);
    String mediaType = rawType == null ? "" : rawType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (mediaType.isEmpty() && policy.allowedContentTypes().isEmpty()) {
      mediaType = DEFAULT_MEDIA_TYPE;
    }
    if (!policy.allowsContentType(mediaType)) {
      return Future.failedFuture(new InvalidRequestException(ErrorCode.UNSUPPORTED_CONTENT_TYPE, "URL returned content type "
          + (mediaType.isEmpty() ? "(none)" : mediaType) + "; expected one of "
          + String.join(", ", new TreeSet<>(policy.allowedContentTypes())), null));
    }
    long declared = contentLength(response);
    if (declared > policy.maxBytes()) {
      return Future.failedFuture(tooLarge(declared + " bytes"));
    }
    // Declared lengths can lie, so the streamed count is what actually enforces the cap.
    Buffer body = Buffer.buffer((int) Math.min(declared >= 0 ? declared : 64 * 1024, 1024 * 1024));
    Promise<SafeFetcher.Fetched> done = Promise.promise();
    String contentType = mediaType;
    response.handler(chunk -> {
      if (body.length() + (long) chunk.length() > policy.maxBytes()) {
        done.tryFail(tooLarge("more than " + policy.maxBytes() + " bytes"));
      } else if (!done.future().isComplete()) {
        body.appendBuffer(chunk);
      }
    });
    response.exceptionHandler(done::tryFail);
    response.endHandler(v -> done.tryComplete(new SafeFetcher.Fetched(target.uri().toString(), contentType, body)));
    return done.future();
  }

  /** Writes a 2xx body to {@code sink} under the size cap, keeping its head; see {@link SafeFetcher#stream}. */
  Future<SafeFetcher.Streamed> stream(FetchTarget target, HttpClientResponse response, WriteStream<Buffer> sink) {
    long declared = contentLength(response);
    if (declared > policy.maxBytes()) {
      return Future.failedFuture(tooLarge(declared + " bytes"));
    }
    Promise<SafeFetcher.Streamed> done = Promise.promise();
    Buffer head = Buffer.buffer(SafeFetcher.HEAD_BYTES);
    long[] size = {0};
    sink.exceptionHandler(done::tryFail);
    response.handler(chunk -> {
      if (done.future().isComplete()) {
        return;
      }
      size[0] += chunk.length();
      if (size[0] > policy.maxBytes()) {
        // Failing the call resets the exchange: nothing more is read.
        done.tryFail(tooLarge("more than " + policy.maxBytes() + " bytes"));
        return;
      }
      if (head.length() < SafeFetcher.HEAD_BYTES) {
        head.appendBuffer(chunk.slice(0, Math.min(chunk.length(), SafeFetcher.HEAD_BYTES - head.length())));
      }
      sink.write(chunk).onFailure(done::tryFail);
      if (sink.writeQueueFull()) {
        response.pause();
        sink.drainHandler(ignored -> response.resume());
      }
    });
    response.exceptionHandler(done::tryFail);
    response.endHandler(ignored -> sink.end().onComplete(ended -> {
      if (ended.succeeded()) {
        done.tryComplete(new SafeFetcher.Streamed(target.uri().toString(), response.statusCode(), null, size[0], head));
      } else {
        done.tryFail(ended.cause());
      }
    }));
    return done.future();
  }

  private static long contentLength(HttpClientResponse response) {
    String value = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    try {
      return value == null ? -1 : Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private InvalidRequestException tooLarge(String size) {
    return new InvalidRequestException(ErrorCode.CONTENT_TOO_LARGE, "URL returned " + size + ", over the limit of "
        + policy.maxBytes() + " bytes (maxBytes)", null);
  }
}
