package io.imagegen.api.http;

import io.imagegen.api.images.ImageService;
import io.imagegen.api.models.ModelDirectory;
import io.imagegen.api.observability.ApiObservability;
import io.imagegen.api.playground.Playground;
import io.imagegen.api.queue.QueueDepth;
import io.imagegen.api.tasks.FormFields;
import io.imagegen.api.tasks.Reply;
import io.imagegen.api.tasks.TaskService;
import io.imagegen.api.usage.UsageService;
import io.imagegen.common.errors.AuthenticationException;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.PermissionException;
import io.imagegen.common.errors.RateLimitedException;
import io.imagegen.common.observability.TaskContext;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** The HTTP edge: routing, authentication, body limits, status codes and error rendering. No business logic. */
public final class ApiVerticle extends VerticleBase {
  private static final String OWNER = "imagegen.owner";
  /** The contract document, bundled with the service that implements it. */
  private static final Buffer OPENAPI = OpenApiDocument.load();

  /** Multipart file parts each endpoint takes (OpenAI's documented names). */
  private static final Set<String> EDIT_FILES = Set.of("image", "image[]", "mask");
  private static final Set<String> VARIATION_FILES = Set.of("image");

  /**
   * The edge's own settings: where to listen and how much to accept; {@code corsOrigins} empty turns CORS off and
   * {@code publicUrl} ({@code null}: the request's own scheme and host) prefixes task URLs.
   */
  public record Options(String host, int port, int maxBodyBytes, Duration maxWait, double submitsPerSecond,
      int submitBurst, double readsPerSecond, int readBurst, int maxWaitsPerKey, EdgeLimits limits,
      List<String> corsOrigins, String publicUrl) {
  }

  private final String host;
  private final int port;
  private final int maxBodyBytes;
  private final Duration maxWait;
  private final RateLimiter submitLimiter;
  private final RateLimiter readLimiter;
  private final OpenWaits waits;
  private final EdgeLimits limits;
  private final FailedAuthThrottle authThrottle;
  private final ApiKeys keys;
  private final TaskService tasks;
  private final ModelDirectory models;
  private final ImageService images;
  private final QueueDepth queue;
  private final ApiObservability observability;
  private final CorsHandler cors;
  private final String publicUrl;
  private final UsageService usage;
  private HttpServer server;
  private long forgetTimer = -1;

  public ApiVerticle(Options options, ApiKeys keys, TaskService tasks, ModelDirectory models, ImageService images,
      QueueDepth queue, ApiObservability observability, UsageService usage) {
    this.usage = usage;
    this.host = options.host();
    this.port = options.port();
    this.maxBodyBytes = options.maxBodyBytes();
    this.maxWait = options.maxWait();
    this.submitLimiter = new RateLimiter(options.submitsPerSecond(), options.submitBurst(), System::nanoTime,
        "Rate limit exceeded for this key");
    this.readLimiter = new RateLimiter(options.readsPerSecond(), options.readBurst(), System::nanoTime,
        "Read rate limit exceeded for this key");
    this.limits = options.limits();
    this.authThrottle = new FailedAuthThrottle(limits, System::nanoTime);
    this.waits = new OpenWaits(options.maxWaitsPerKey());
    this.keys = keys;
    this.tasks = tasks;
    this.models = models;
    this.images = images;
    this.queue = queue;
    this.observability = observability;
    this.cors = Cors.handler(options.corsOrigins());
    this.publicUrl = options.publicUrl();
  }

  @Override
  public Future<?> start() {
    // No h2c: every connection is HTTP/1 from its first byte, so the guard sees it before it has sent anything.
    HttpServerOptions serverOptions = new HttpServerOptions().setHttp2ClearTextEnabled(false);
    ConnectionGuard guard = new ConnectionGuard(vertx, limits, serverOptions);
    forgetTimer = vertx.setPeriodic(limits.authFailureWindow().toMillis(), id -> authThrottle.forgetExpired());
    return vertx.createHttpServer(serverOptions)
        .connectionHandler(guard::onConnection)
        .requestHandler(router(guard))
        .listen(port, host)
        .onSuccess(s -> server = s);
  }

  private Router router(ConnectionGuard guard) {
    Router router = Router.router(vertx);
    router.route().handler(guard::onRequest).failureHandler(guard::onFailure);
    observability.install(router);
    if (cors != null) {
      router.route().handler(cors);
    }
    router.get("/health").handler(ctx -> Responses.ok(ctx, 200, new JsonObject().put("status", "ok")));
    Playground.mount(router);
    router.route("/v1/*").handler(this::authenticate);
    router.route("/api/v1/*").handler(this::authenticate);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    // The /api/v1 family (seed 000) shares every handler; only the envelope differs. X-Async is ignored.
    router.post("/v1/images/generations").handler(body).handler(this::submit);
    router.post("/api/v1/images/generations").handler(body).handler(this::submit);
    router.post("/v1/images/edits").handler(ctx -> submitForm(ctx, EDIT_FILES, tasks::submit));
    router.post("/v1/images/variations").handler(ctx -> submitForm(ctx, VARIATION_FILES, tasks::submitVariation));
    router.get("/v1/images/generations").handler(this::listTasks);
    router.get("/api/v1/tasks").handler(this::listTasks);
    router.get("/v1/images/generations/:task_id").handler(this::getTask);
    router.get("/api/v1/tasks/:task_id").handler(this::getTask);
    router.post("/v1/images/generations/:task_id/cancel").handler(this::cancel);
    router.post("/api/v1/tasks/:task_id/cancel").handler(this::cancel);
    router.get("/v1/models").handler(ctx -> Responses.ok(ctx, 200, models.openAiList()));
    router.get("/v1/models/:model").handler(ctx -> {
      try {
        Responses.ok(ctx, 200, models.openAiModel(ctx.pathParam("model")));
      } catch (RuntimeException e) {
        HttpErrors.send(ctx, e);
      }
    });
    router.get("/v1/images/models").handler(ctx -> Responses.ok(ctx, 200, models.imageModels()));
    router.get("/v1/images/models/:author/:slug/endpoints").handler(ctx -> {
      try {
        Responses.ok(ctx, 200, models.endpoints(ctx.pathParam("author"), ctx.pathParam("slug")));
      } catch (RuntimeException e) {
        HttpErrors.send(ctx, e);
      }
    });
    router.get("/openapi.json").handler(this::authenticate).handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json").end(OPENAPI));
    router.get("/v1/images").handler(this::listImages);
    router.get("/v1/usage/images").handler(ctx -> answer(ctx, () -> usage.images(ctx.get(OWNER),
        ctx.queryParams())));
    router.get("/v1/costs").handler(ctx -> answer(ctx, () -> usage.costs(ctx.get(OWNER), ctx.queryParams())));
    router.get("/v1/images/:image_id/content").handler(ctx -> images.content(ctx.get(OWNER), ctx.pathParam("image_id"))
        .onSuccess(content -> ctx.response().putHeader("Content-Type", content.contentType())
            .putHeader("Cache-Control", "private, max-age=3600")
            .end(content.bytes()))
        .onFailure(err -> HttpErrors.send(ctx, err)));
    router.delete("/v1/images/:image_id").handler(ctx -> images.delete(ctx.get(OWNER), ctx.pathParam("image_id"))
        .onSuccess(deleted -> Responses.ok(ctx, 200, deleted))
        .onFailure(err -> HttpErrors.send(ctx, err)));
    router.errorHandler(404, ctx -> HttpErrors.write(ctx, ErrorCode.UNKNOWN_URL,
        "Unknown path " + ctx.request().method() + " " + ctx.request().path(), null));
    router.errorHandler(405, ctx -> HttpErrors.write(ctx, ErrorCode.METHOD_NOT_ALLOWED,
        "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path(), null));
    router.errorHandler(413, ctx -> HttpErrors.write(ctx, ErrorCode.REQUEST_TOO_LARGE,
        "Request body is larger than " + maxBodyBytes + " bytes", null));
    router.errorHandler(500, ctx -> HttpErrors.send(ctx, ctx.failure()));
    return router;
  }

  /** The port actually bound (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(forgetTimer);
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    try {
      authThrottle.check(ctx.request());
    } catch (RateLimitedException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    keys.authenticate(token).ifPresentOrElse(owner -> {
      try {
        (ctx.request().method() == HttpMethod.POST ? submitLimiter : readLimiter).acquire(owner);
      } catch (RateLimitedException e) {
        HttpErrors.send(ctx, e);
        return;
      }
      ctx.put(OWNER, owner);
      TaskContext.current().ifPresent(task -> task.with(TaskContext.OWNER, owner).attach());
      ctx.next();
    }, () -> {
      authThrottle.failed(ctx.request());
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      HttpErrors.send(ctx, new AuthenticationException(Responses.isEnvelope(ctx) ? "Unauthorized"
          : token == null ? "Missing API key: send 'Authorization: Bearer <key>'." : "Incorrect API key provided."));
    });
  }

  private void submit(RoutingContext ctx) {
    JsonObject body;
    try {
      body = jsonObject(ctx.body().buffer());
    } catch (InvalidRequestException e) {
      observability.submitting(ctx, null);
      HttpErrors.send(ctx, e);
      return;
    }
    submit(ctx, body, b -> tasks.submit(ctx.get(OWNER), b, ctx.request().getHeader("Idempotency-Key")));
  }

  /** Edits and variations: the same checks and queue as generations, for a body read from the form. */
  private void submitForm(RoutingContext ctx, Set<String> fileFields, FormSubmit submitter) {
    if (!isMultipart(ctx)) {
      HttpErrors.send(ctx, new InvalidRequestException(ErrorCode.INVALID_CONTENT_TYPE,
          "Content-Type must be multipart/form-data, with the image(s) as file parts.", null));
      return;
    }
    MultipartForm.read(ctx, maxBodyBytes, fileFields)
        .compose(form -> FormFields.read(vertx, form.attributes(), form.files(), fileFields))
        .onSuccess(body -> submit(ctx, body, b -> submitter.submit(ctx.get(OWNER), b,
            ctx.request().getHeader("Idempotency-Key"))))
        .onFailure(err -> {
          if (err instanceof MultipartForm.TooLarge tooLarge) {
            HttpErrors.write(ctx, 413, tooLarge.getMessage(), "request_too_large", tooLarge.param);
          } else {
            HttpErrors.send(ctx, err);
          }
        });
  }

  /** {@link TaskService#submit} or {@link TaskService#submitVariation}. */
  private interface FormSubmit {
    Future<Reply> submit(String owner, JsonObject body, String idempotencyKey);
  }

  private void submit(RoutingContext ctx, JsonObject body, Function<JsonObject, Future<Reply>> submitter) {
    String owner = ctx.get(OWNER);
    observability.submitting(ctx, body.getValue("model"));
    try {
      // A request without a model uses the deployment's default, which the key must be allowed too.
      String model = body.getValue("model") instanceof String named ? named : models.defaultModelId();
      if (model != null && !keys.allows(owner, model)) {
        throw new PermissionException(ErrorCode.MODEL_NOT_ALLOWED, "This API key may not use model '" + model + "'.",
            "model");
      }
      if (model != null) {
        models.requireAvailable(model);
      }
      queue.admit();
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    submitter.apply(body)
        // A synchronous request whose wait ran out answers 202 with the task to poll, not an error.
        .onSuccess(reply -> ok(ctx, reply.kind() == Reply.Kind.STILL_RUNNING ? 202 : 200, reply.body()))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  private static boolean isMultipart(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
  }

  /** A success body; task objects gain their {@code urls}. */
  private void ok(RoutingContext ctx, int status, JsonObject body) {
    Responses.ok(ctx, status, TaskLinks.add(ctx, publicUrl, body));
  }

  private void getTask(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    TaskContext.current().ifPresent(task -> task.with(TaskContext.TASK_ID, ctx.pathParam("task_id")).attach());
    if (accept != null && accept.contains("text/event-stream")) {
      observability.holding(ctx, "stream");
      TaskEventStream.open(ctx, tasks, waits, ctx.get(OWNER), ctx.pathParam("task_id"),
          task -> TaskLinks.add(ctx, publicUrl, task));
      return;
    }
    Duration wait;
    try {
      wait = waitParam(ctx.request().getParam("wait"));
    } catch (InvalidRequestException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    if (!wait.isZero()) {
      observability.holding(ctx, "long_poll");
    }
    LongPoll.answer(ctx, tasks, waits, ctx.get(OWNER), ctx.pathParam("task_id"), wait,
        task -> TaskLinks.add(ctx, publicUrl, task));
  }

  private void cancel(RoutingContext ctx) {
    TaskContext.current().ifPresent(task -> task.with(TaskContext.TASK_ID, ctx.pathParam("task_id")).attach());
    tasks.cancel(ctx.get(OWNER), ctx.pathParam("task_id"))
        .onSuccess(task -> ok(ctx, 200, task))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  private void listTasks(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    tasks.list(ctx.get(OWNER), request.getParam("status"), request.getParam("model"), request.getParam("after"),
            request.getParam("limit"))
        .onSuccess(page -> {
          page.getJsonArray("data").forEach(task -> TaskLinks.add(ctx, publicUrl, (JsonObject) task));
          Responses.ok(ctx, 200, page);
        })
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  private static void answer(RoutingContext ctx, java.util.function.Supplier<JsonObject> body) {
    try {
      Responses.ok(ctx, 200, body.get());
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e);
    }
  }

  private void listImages(RoutingContext ctx) {
    int limit;
    String rawLimit = ctx.request().getParam("limit");
    try {
      limit = rawLimit == null ? 20 : Integer.parseInt(rawLimit);
    } catch (NumberFormatException e) {
      HttpErrors.send(ctx, InvalidRequestException.field("limit", "limit must be a whole number"));
      return;
    }
    try {
      // Authentication took one token; each listed image costs one more storage read (docs/operations.md).
      readLimiter.acquire(ctx.get(OWNER), Math.max(0, Math.min(limit, ImageService.MAX_LIMIT)));
    } catch (RateLimitedException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    images.list(ctx.get(OWNER), ctx.request().getParam("after"), limit)
        .onSuccess(body -> Responses.ok(ctx, 200, body))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  private Duration waitParam(String raw) {
    if (raw == null || raw.isEmpty()) {
      return Duration.ZERO;
    }
    try {
      int seconds = Integer.parseInt(raw);
      if (seconds >= 0 && seconds <= maxWait.toSeconds()) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // Reported below with the allowed range.
    }
    throw InvalidRequestException.field("wait", "wait must be a whole number of seconds from 0 to "
        + maxWait.toSeconds());
  }

  private static JsonObject jsonObject(Buffer buffer) {
    if (buffer == null || buffer.length() == 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_JSON, "Request body must be a JSON object.", null);
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw new InvalidRequestException(ErrorCode.INVALID_JSON, "Request body is not valid JSON.", null);
    }
    if (!(value instanceof JsonObject object)) {
      throw new InvalidRequestException(ErrorCode.INVALID_JSON, "Request body must be a JSON object.", null);
    }
    return object;
  }
}
