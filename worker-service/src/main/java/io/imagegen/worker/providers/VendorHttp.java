package io.imagegen.worker.providers;

import io.imagegen.worker.observability.WorkerTracing;
import io.imagegen.common.config.Durations;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelSpec;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The synchronous JSON-over-HTTP exchange the OpenAI, Ark and Gemini adapters share: where a model's calls go, one POST
 * per call whose answer streams through a {@link StreamingImageBody}, its transport failures translated, and the checks
 * every answer passes before the vendor's own reading.
 */
public final class VendorHttp {
  private final ProviderContext context;
  private final UpstreamFailures failures;

  /** Where one model's calls go and the API key they carry. */
  public record Endpoint(String url, String key) {
  }

  /** Maps a non-2xx answer (status, body, Retry-After header) to the vendor's failure. */
  @FunctionalInterface
  public interface ErrorReader {
    /** The failure for one non-2xx answer; {@code retryAfter} may be {@code null}. */
    UpstreamException read(int status, Buffer body, String retryAfter, UpstreamFailures failures);
  }

  /** Calls through {@code context}'s HTTP client, naming the vendor of {@code failures} in every failure. */
  public VendorHttp(ProviderContext context, UpstreamFailures failures) {
    this.context = context;
    this.failures = failures;
  }

  /** The model's {@code path} below its base URL (or {@code defaultBaseUrl}) and its key; fails if either is unset. */
  public Future<Endpoint> endpoint(ModelSpec model, String defaultBaseUrl, String path) {
    try {
      return Future.succeededFuture(new Endpoint(context.baseUrl(model, defaultBaseUrl) + path,
          context.apiKey(model)));
    } catch (UpstreamException notConfigured) {
      return Future.failedFuture(notConfigured);
    }
  }

  /** A POST to {@code url} whose answer streams into {@code answer}; send it through {@link #sent}. */
  public HttpRequest<StreamingImageBody.Result> post(String url, String authHeader, String authValue, ModelSpec model,
      StreamingImageBody answer) {
    return context.web().postAbs(url)
        .putHeader(authHeader, authValue)
        // Frees the connection when the vendor goes silent; the job runner still bounds the attempt as a whole.
        .timeout(model.attemptTimeout().toMillis())
        .as(answer.codec());
  }

  /** POSTs JSON, streaming the answer into {@code answer}. */
  public Future<HttpResponse<StreamingImageBody.Result>> postJson(String url, String authHeader, String authValue,
      ModelSpec model, Buffer body, StreamingImageBody answer) {
    return sent(model, post(url, authHeader, authValue, model, answer)
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "application/json")
        .sendBuffer(body));
  }

  /**
   * {@code sending} bounded by the attempt timeout as a whole and with its failure translated: silence past the
   * timeout is {@code upstream_timeout}, a body that cannot be used is the vendor's bad response, a spool file that
   * cannot be written is ours, and anything else (refused, reset) means no answer; timeouts and no answer are worth
   * another try. The request's own timeout stops at the response head, so without this bound a vendor stalling
   * mid-body would hold the call, and its spool files, until the connection died.
   */
  public <T> Future<T> sent(ModelSpec model, Future<T> sending) {
    return WorkerTracing.vendorCall(model, null, sending.timeout(model.attemptTimeout().toMillis(),
        TimeUnit.MILLISECONDS).recover(err -> Future.failedFuture(translate(err, model))));
  }

  private Throwable translate(Throwable err, ModelSpec model) {
    if (err instanceof TimeoutException) {
      return new UpstreamException(ErrorCode.UPSTREAM_TIMEOUT, failures.vendor() + " did not answer within "
          + Durations.format(model.attemptTimeout()) + ".", err);
    }
    if (err instanceof StreamingImageBody.BadBody bad) {
      return failures.badResponse(bad.getMessage());
    }
    if (err instanceof FileSystemException disk) {
      return new IllegalStateException("cannot spool " + failures.vendor() + "'s answer: " + disk.getMessage(), disk);
    }
    return failures.unreachable(err);
  }

  /** A 2xx JSON answer read by {@code parse}; other statuses go to {@code error} with the body's remainder. */
  public <T> Future<T> read(HttpResponse<StreamingImageBody.Result> response, ErrorReader error,
      BiFunction<StreamingImageBody.Result, UpstreamFailures, T> parse) {
    StreamingImageBody.Result body = response.body();
    if (response.statusCode() / 100 != 2) {
      return Future.failedFuture(error.read(response.statusCode(), body.rest(), response.getHeader("Retry-After"),
          failures));
    }
    String type = response.getHeader("Content-Type");
    if (!isJson(type)) {
      return Future.failedFuture(failures.badResponse("content type " + type + " instead of JSON"));
    }
    if (body.restTruncated()) {
      return Future.failedFuture(failures.badResponse("more than " + StreamingImageBody.DEFAULT_REST_LIMIT
          + " bytes besides its images"));
    }
    try {
      // Small now that the images are out of it: parsing it costs the event loop nothing worth a thread hop.
      return Future.succeededFuture(parse.apply(body, failures));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Runs {@code read} on a 2xx body that must be a JSON object; a body of another shape fails as a bad response. */
  public static <T> T parseObject(Buffer body, UpstreamFailures failures, Function<JsonObject, T> read) {
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw failures.badResponse("the body is not a JSON object");
    }
    try {
      return read.apply(json);
    } catch (ClassCastException e) {
      throw failures.badResponse("unexpected JSON shape (" + e.getMessage() + ")");
    }
  }

  /** The {@code error} object of an error body, or {@code null} when it is not the vendor's envelope (proxy pages). */
  public static JsonObject errorObject(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      Object error = new JsonObject(body).getValue("error");
      return error instanceof JsonObject json ? json : null;
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static boolean isJson(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
  }
}
