package io.imagegen.worker.providers;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.errors.UnavailableException;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.fetch.FetchPolicy;
import io.imagegen.common.fetch.SafeFetcher;
import io.imagegen.common.images.ImageTypes;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.tasks.S3TaskStore;
import io.imagegen.common.tasks.Task;
import io.imagegen.worker.upstream.ClusterShare;
import io.vertx.core.AsyncResult;
import io.imagegen.common.tasks.TaskStatus;
import io.imagegen.common.tasks.TaskStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemException;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every adapter needs: the HTTP client, credentials and base URLs from the environment, and stored inputs. */
public final class ProviderContext {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderContext.class);
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+)}");
  /** Above this, encoding or decoding a body moves to a worker thread. */
  public static final int OFF_LOOP_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final WebClient web;
  private final ObjectStore objects;
  private final Map<String, String> env;
  private final Path spoolDir;
  /** Fetches vendor result URLs; its policy caps their size (docs/configuration.md). */
  private final SafeFetcher results;
  private final ClusterShare share;

  /**
   * A context whose adapters spool big results to {@code spoolDir} until they are stored and apply {@code share}
   * of deployment-wide vendor limits.
   */
  public ProviderContext(Vertx vertx, WebClient web, ObjectStore objects, Map<String, String> env, Path spoolDir,
      ClusterShare share) {
    this.share = share;
    this.vertx = vertx;
    this.web = web;
    this.objects = objects;
    this.env = Map.copyOf(env);
    this.spoolDir = spoolDir;
    this.results = new SafeFetcher(vertx, FetchPolicy.vendorResults());
  }

  /** A context spooling to {@code spoolDir}, the only caller of its vendors (the whole of every limit). */
  public ProviderContext(Vertx vertx, WebClient web, ObjectStore objects, Map<String, String> env, Path spoolDir) {
    this(vertx, web, objects, env, spoolDir, ClusterShare.whole());
  }

  /** A context spooling to {@code java.io.tmpdir}, the only caller of its vendors. */
  public ProviderContext(Vertx vertx, WebClient web, ObjectStore objects, Map<String, String> env) {
    this(vertx, web, objects, env, Path.of(System.getProperty("java.io.tmpdir")));
  }

  public Vertx vertx() {
    return vertx;
  }

  public WebClient web() {
    return web;
  }

  /** This worker's share of deployment-wide vendor limits. */
  public ClusterShare share() {
    return share;
  }

  /** A body for one vendor answer that spools the values of {@code field} to this worker's spool directory. */
  public StreamingImageBody imageBody(StreamingImageBody.Field field) {
    return new StreamingImageBody(vertx, spoolDir, field, StreamingImageBody.DEFAULT_REST_LIMIT);
  }

  /** Whether the model's credentials and base URL are configured; start-up reports those that are not. */
  public boolean isConfigured(ModelSpec model) {
    return (model.apiKeyEnv() == null || env.get(model.apiKeyEnv()) != null)
        && (model.baseUrl() == null || !PLACEHOLDER.matcher(resolve(model.baseUrl())).find());
  }

  /** The upstream API key; a missing one fails the task with an operator-facing message. */
  public String apiKey(ModelSpec model) {
    String key = model.apiKeyEnv() == null ? null : env.get(model.apiKeyEnv());
    if (key == null || key.isBlank()) {
      throw notConfigured(model, "its API key (" + model.apiKeyEnv() + ") is not set");
    }
    return key;
  }

  /** The base URL with {@code ${VAR}} placeholders filled from the environment, without a trailing slash. */
  public String baseUrl(ModelSpec model, String fallback) {
    String url = resolve(model.baseUrl() == null ? fallback : model.baseUrl());
    if (PLACEHOLDER.matcher(url).find()) {
      throw notConfigured(model, "its base URL (" + model.baseUrl() + ") refers to an unset variable");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** The task's stored input images (edit mode), in request order; none for a generation. */
  public Future<List<Buffer>> inputImages(Task task) {
    Object keys = task.params().get("image_keys");
    if (!(keys instanceof List<?> list) || list.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Future<Buffer>> reads = new ArrayList<>();
    for (Object key : list) {
      reads.add(objects.get(String.valueOf(key)).compose(found -> found == null
          ? Future.failedFuture(new UnavailableException(ErrorCode.INPUT_MISSING, "input image " + key + " is missing", null))
          : Future.succeededFuture(Buffer.buffer(found.value()))));
    }
    return Future.all(reads).map(all -> all.list());
  }

  /** The task's input images when it is an edit, none otherwise. */
  public Future<List<Buffer>> editInputs(Task task) {
    return "edit".equals(task.mode()) ? inputImages(task) : Future.succeededFuture(List.of());
  }

  /** Runs {@code job} here when it handles little data, on a worker thread when megabytes of base64 would stall the loop. */
  public <T> Future<T> offLoopWhenLarge(long bytes, Callable<T> job) {
    if (bytes > OFF_LOOP_BYTES) {
      return vertx.executeBlocking(job, false);
    }
    try {
      return Future.succeededFuture(job.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  /** The combined size of {@code buffers}. */
  public static long totalBytes(List<Buffer> buffers) {
    return buffers.stream().mapToLong(Buffer::length).sum();
  }

  /**
   * Records an asynchronous vendor's own task id on {@code task}'s record before it is polled, so that a worker that
   * takes the job over polls that vendor task instead of paying for a second one (docs/providers.md#dashscope).
   * Best effort: it never fails, because failing would make the retry submit (and pay) again for sure.
   */
  public Future<Void> rememberUpstreamTask(Task task, String upstreamTaskId) {
    // compose turns anything thrown on the way into a failed future, which is logged like any other failure.
    return Future.succeededFuture(objects).compose(store -> remember(new S3TaskStore(store), task, upstreamTaskId, 0))
        .otherwise(err -> {
          LOG.warn("task {}: could not record upstream task {}: {}", task.id(), upstreamTaskId, err.getMessage());
          return null;
        });
  }

  private static Future<Void> remember(TaskStore tasks, Task task, String upstreamTaskId, int conflicts) {
    return tasks.find(task.id()).compose(found -> {
      // Only while this attempt still owns the task: a newer attempt or an outcome must not be rewritten.
      if (found == null || found.value().status() != TaskStatus.RUNNING
          || found.value().attempts() != task.attempts()) {
        return Future.<Void>succeededFuture();
      }
      return tasks.replace(found, found.value().withUpstreamTaskId(upstreamTaskId)).<Void>mapEmpty()
          .recover(err -> err instanceof ConflictException && conflicts < 3
              ? remember(tasks, task, upstreamTaskId, conflicts + 1)
              : Future.failedFuture(err));
    });
  }

  /**
   * Downloads a result image the vendor gave as a URL (those expire, so we re-host them) into a spool file, through
   * the SSRF-safe fetcher: a URL on the host of {@code vendorBaseUrl} is trusted as the operator configured it, any
   * other host must resolve to public addresses (docs/architecture.md). The size cap holds while reading; bytes that
   * are not an image fail as the vendor's bad response. On failure no file is left.
   */
  public Future<StreamingImageBody.Image> download(String url, String vendorBaseUrl, UpstreamFailures failures) {
    Path path = SpoolFile.newPath(spoolDir);
    return vertx.fileSystem().open(path.toString(), SpoolFile.openOptions()).compose(file ->
        results.stream(url, hostOf(vendorBaseUrl), file).transform(outcome -> {
          Future<StreamingImageBody.Image> image = downloaded(outcome, path, failures);
          if (image.succeeded()) {
            return image;
          }
          // A 2xx body ended (and closed) the file; any other outcome left it open.
          boolean ended = outcome.succeeded() && outcome.result().statusCode() / 100 == 2;
          return (ended ? Future.<Void>succeededFuture() : file.close()).otherwiseEmpty()
              .compose(ignored -> vertx.fileSystem().delete(path.toString())).otherwiseEmpty()
              .transform(ignored -> image);
        }));
  }

  private static Future<StreamingImageBody.Image> downloaded(AsyncResult<SafeFetcher.Streamed> outcome, Path path,
      UpstreamFailures failures) {
    if (outcome.failed()) {
      Throwable err = outcome.cause();
      if (err instanceof InvalidRequestException refused) {
        // A refused address, redirect or size is the vendor's answer being unusable, not a network hiccup.
        return Future.failedFuture(failures.badResponse("result image URL refused: " + refused.getMessage()));
      }
      if (err instanceof FileSystemException disk) {
        return Future.failedFuture(new IllegalStateException("cannot spool a result image: " + disk.getMessage(),
            disk));
      }
      return Future.failedFuture(failures.unreachable(err));
    }
    SafeFetcher.Streamed answer = outcome.result();
    if (answer.statusCode() / 100 != 2) {
      return Future.failedFuture(failures.fromStatus(answer.statusCode(), null, "result image download failed",
          answer.retryAfter()));
    }
    byte[] head = answer.head().getBytes();
    if (ImageTypes.sniff(head) == null) {
      return Future.failedFuture(failures.badResponse(answer.size() == 0 ? "empty result image"
          : "the result image URL served something that is not a PNG, JPEG, WebP or GIF image"));
    }
    return Future.succeededFuture(new StreamingImageBody.Image(path, null, answer.size(), head));
  }

  /**
   * Waits for every one of {@code images}; when any failed, deletes the spool files of those that did not (nobody
   * will publish them) and fails with the first failure.
   */
  public Future<List<StreamingImageBody.Image>> allImages(List<Future<StreamingImageBody.Image>> images) {
    return Future.join(images).transform(all -> {
      if (all.succeeded()) {
        return Future.succeededFuture(all.result().list());
      }
      List<StreamingImageBody.Image> kept = new ArrayList<>();
      images.stream().filter(Future::succeeded).map(Future::result).forEach(kept::add);
      return discard(kept).transform(ignored -> Future.failedFuture(all.cause()));
    });
  }

  /** Deletes the spool files behind {@code images}; completes once they are gone, and never fails. */
  public Future<Void> discard(List<StreamingImageBody.Image> images) {
    List<Future<Void>> deleted = new ArrayList<>();
    for (StreamingImageBody.Image image : images) {
      if (image.file() != null) {
        deleted.add(vertx.fileSystem().delete(image.file().toString()).otherwiseEmpty());
      }
    }
    return Future.join(deleted).<Void>mapEmpty().otherwiseEmpty();
  }

  private static String hostOf(String baseUrl) {
    String host = baseUrl == null ? null : URI.create(baseUrl).getHost();
    return host != null && host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  private String resolve(String url) {
    Matcher m = PLACEHOLDER.matcher(url);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static UpstreamException notConfigured(ModelSpec model, String why) {
    return new UpstreamException(ErrorCode.MODEL_NOT_CONFIGURED, "Model '" + model.id() + "' is not configured on this "
        + "deployment: " + why + ".", null);
  }
}
