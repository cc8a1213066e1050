package io.imagegen.local;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.shareddata.Lock;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pass-through HTTP front for S3Proxy that makes writes to one key mutually exclusive. S3Proxy checks
 * {@code If-Match}/{@code If-None-Match} and then writes, non-atomically (measured: two racing conditional writes
 * both succeeded in 60 of 100 tries), whereas AWS S3 and MinIO apply them atomically. The task store relies on that
 * atomicity, so the embedded stack restores it here. Requests are forwarded byte for byte, Host header included, so
 * SigV4 signatures and presigned URLs stay valid.
 */
final class AtomicS3Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AtomicS3Gateway.class);
  private static final Set<HttpMethod> WRITES = Set.of(HttpMethod.PUT, HttpMethod.POST, HttpMethod.DELETE);
  /** A write holding the lock longer than this has failed anyway; S3 clients time out well before. */
  private static final long LOCK_TIMEOUT_MS = 60_000;
  private static final Pattern IMAGE_KEY = Pattern.compile("/[^/]+/images/([^/]+)/.+");
  private static final Pattern TASK_KEY = Pattern.compile("/([^/]+)/tasks/([^/]+)\\.json");
  /** Framing-agnostic: the SDK may send the JSON inside aws-chunked frames, which leave the bytes themselves intact. */
  private static final Pattern TERMINAL = Pattern.compile("\"status\"\\s*:\\s*\"(SUCCEEDED|FAILED|CANCELLED)\"");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
      "proxy-connection", "te", "trailer", "expect");

  private final Vertx vertx;
  private final HttpClient client;
  private final HttpServer server;
  private final int backendPort;
  /** Task ids whose images were written through this gateway. */
  private final Set<String> imaged = ConcurrentHashMap.newKeySet();
  private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
  private volatile boolean holdStatusAfterImages;
  /** "bucket METHOD prefix" → requests received, e.g. "b PUT tasks": what a piece of work costs the store. */
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  /** "bucket/task id" → task record writes with a terminal status that the store accepted. */
  private final Map<String, Integer> terminalWrites = new ConcurrentHashMap<>();
  /** Bucket → task record reads (GETs) that reached the gateway. */
  private final Map<String, LongAdder> taskReads = new ConcurrentHashMap<>();

  private AtomicS3Gateway(Vertx vertx, HttpClient client, HttpServer server, int backendPort) {
    this.vertx = vertx;
    this.client = client;
    this.server = server;
    this.backendPort = backendPort;
  }

  /** Listens on {@code port} and forwards to S3Proxy on {@code backendPort}, both on loopback. */
  static AtomicS3Gateway start(int port, int backendPort) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(256));
    AtomicS3Gateway[] self = new AtomicS3Gateway[1];
    HttpServer server = vertx.createHttpServer()
        .requestHandler(request -> self[0].forward(request))
        .listen(port, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    self[0] = new AtomicS3Gateway(vertx, client, server, backendPort);
    return self[0];
  }

  int port() {
    return server.actualPort();
  }

  /**
   * Opens the crash window between a worker's image upload and its status write: from now on a task record write
   * for a task whose images were already stored hangs unanswered, as if its writer died before sending it.
   */
  void holdStatusWritesAfterImages() {
    holdStatusAfterImages = true;
  }

  /** How many task record writes are hanging in the crash window. */
  int heldWrites() {
    return held.size();
  }

  /** Closes the crash window: held writes fail with 503 without reaching the store, later ones pass. */
  void releaseHeldWrites() {
    holdStatusAfterImages = false;
    held.forEach(request -> request.response().setStatusCode(503).end());
    held.clear();
  }

  private void forward(HttpServerRequest request) {
    request.pause();
    String path = request.path();
    if (request.method() == HttpMethod.GET) {
      Matcher task = TASK_KEY.matcher(path);
      if (task.matches()) {
        taskReads.computeIfAbsent(task.group(1), bucket -> new LongAdder()).increment();
      }
    }
    count(request.method(), path);
    if (request.method() == HttpMethod.PUT) {
      Matcher image = IMAGE_KEY.matcher(path);
      Matcher task = TASK_KEY.matcher(path);
      if (image.matches()) {
        imaged.add(image.group(1));
      } else if (task.matches()) {
        if (holdStatusAfterImages && imaged.contains(task.group(2))) {
          held.add(request);
          return;
        }
        // Task records are small: read the body to count terminal writes, the proof of "one result per task".
        continueIfExpected(request);
        request.body().onSuccess(body -> exclusively(request, () -> relay(request, body).onSuccess(status -> {
          if (status / 100 == 2 && TERMINAL.matcher(body.toString(StandardCharsets.ISO_8859_1)).find()) {
            terminalWrites.merge(task.group(1) + "/" + task.group(2), 1, Integer::sum);
          }
        })));
        // body() only collects what flows: undo the pause above.
        request.resume();
        return;
      }
    }
    exclusively(request, () -> relay(request, null));
  }

  /** Object writes (a key below the bucket) are serialised per key; everything else passes straight through. */
  private void exclusively(HttpServerRequest request, Supplier<Future<Integer>> relay) {
    String path = request.path();
    boolean exclusive = WRITES.contains(request.method()) && path.indexOf('/', 1) > 0;
    Future<Lock> locked = exclusive
        ? vertx.sharedData().getLocalLockWithTimeout("s3:" + path, LOCK_TIMEOUT_MS)
        : Future.succeededFuture(null);
    locked.onComplete(lock -> {
      if (lock.failed()) {
        request.response().setStatusCode(503).end();
        return;
      }
      relay.get().onComplete(done -> {
        if (lock.result() != null) {
          lock.result().release();
        }
      });
    });
  }

  /** Requests for objects of {@code bucket} so far, per method and first key segment ("PUT tasks", "GET images"). */
  Map<String, Long> requests(String bucket) {
    Map<String, Long> counts = new HashMap<>();
    requests.forEach((key, count) -> {
      if (key.startsWith(bucket + " ")) {
        counts.put(key.substring(bucket.length() + 1), count.sum());
      }
    });
    return counts;
  }

  private void count(HttpMethod method, String path) {
    String[] parts = path.split("/", 4);
    if (parts.length >= 2 && !parts[1].isEmpty()) {
      // Bucket-level requests (listings, HEAD bucket) count as "(bucket)".
      String segment = parts.length >= 3 ? parts[2] : "(bucket)";
      requests.computeIfAbsent(parts[1] + " " + method.name() + " " + segment, k -> new LongAdder()).increment();
    }
  }

  /** Terminal task record writes the store accepted in {@code bucket}, per task id. */
  Map<String, Integer> terminalWrites(String bucket) {
    Map<String, Integer> writes = new HashMap<>();
    terminalWrites.forEach((key, count) -> {
      if (key.startsWith(bucket + "/")) {
        writes.put(key.substring(bucket.length() + 1), count);
      }
    });
    return writes;
  }

  /** Task record reads the gateway saw in {@code bucket}: what polling costs the store. */
  long taskReads(String bucket) {
    LongAdder reads = taskReads.get(bucket);
    return reads == null ? 0 : reads.sum();
  }

  /** Forwards {@code request} (its {@code body} if already read, else streamed); completes with the status sent. */
  private Future<Integer> relay(HttpServerRequest request, Buffer body) {
    RequestOptions options = new RequestOptions()
        .setMethod(request.method())
        .setHost("127.0.0.1")
        .setPort(backendPort)
        .setURI(request.uri());
    return client.request(options).compose(outbound -> {
      copyHeaders(request.headers(), outbound.headers());
      if (request.headers().contains("Transfer-Encoding")) {
        outbound.setChunked(true);
      }
      // Keep the client's Host: it is part of every SigV4 signature.
      if (request.authority() != null) {
        outbound.authority(request.authority());
      }
      if (body != null) {
        return outbound.send(body);
      }
      continueIfExpected(request);
      return outbound.send(request);
    }).compose(inbound -> {
      var response = request.response().setStatusCode(inbound.statusCode());
      copyHeaders(inbound.headers(), response.headers());
      if (inbound.headers().contains("Transfer-Encoding")) {
        response.setChunked(true);
      }
      return inbound.pipeTo(response).map(inbound.statusCode());
    }).recover(err -> {
      LOG.warn("S3 gateway could not relay {} {}: {}", request.method(), request.path(), err.toString());
      if (!request.response().headWritten()) {
        request.response().setStatusCode(502).end();
      } else {
        request.response().reset();
      }
      return Future.succeededFuture(502);
    });
  }

  private static void continueIfExpected(HttpServerRequest request) {
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
      // The SDK holds back bodies until it hears "100 Continue"; the backend's own never reaches it.
      request.response().writeContinue();
    }
  }

  private static void copyHeaders(MultiMap from, MultiMap to) {
    from.forEach(header -> {
      if (!HOP_BY_HOP.contains(header.getKey().toLowerCase())) {
        to.add(header.getKey(), header.getValue());
      }
    });
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("S3 gateway did not stop cleanly: {}", e.toString());
    }
  }
}
