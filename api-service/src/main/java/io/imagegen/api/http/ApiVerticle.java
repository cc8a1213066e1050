package io.imagegen.api.http;

import io.imagegen.api.images.ImageService;
import io.imagegen.api.models.ModelDirectory;
import io.imagegen.api.observability.ApiObservability;
import io.imagegen.api.playground.Playground;
import io.imagegen.api.queue.QueueDepth;
import io.imagegen.api.tasks.TaskService;
import io.imagegen.api.usage.UsageService;
import io.imagegen.common.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** The HTTP edge: routing, authentication, body limits, status codes and error rendering. No business logic. */
public final class ApiVerticle extends VerticleBase {
  /** The contract document, bundled with the service that implements it. */
  private static final Buffer OPENAPI = OpenApiDocument.load();

  /**
   * The edge's own settings: where to listen and how much to accept; {@code corsOrigins} empty turns CORS off and
   * {@code publicUrl} ({@code null}: the request's own scheme and host) prefixes task URLs.
   */
  public record Options(String host, int port, int maxBodyBytes, Duration maxWait, double submitsPerSecond,
      int submitBurst, double readsPerSecond, int readBurst, int maxWaitsPerKey, EdgeLimits limits,
      List<String> corsOrigins, String publicUrl) {
  }

  private final Options options;
  private final FailedAuthThrottle authThrottle;
  private final Authenticator auth;
  private final TaskService tasks;
  private final ModelDirectory models;
  private final ImageService images;
  private final QueueDepth queue;
  private final ApiObservability observability;
  private final CorsHandler cors;
  private final UsageService usage;
  private HttpServer server;
  private long forgetTimer = -1;

  public ApiVerticle(Options options, ApiKeys keys, TaskService tasks, ModelDirectory models, ImageService images,
      QueueDepth queue, ApiObservability observability, UsageService usage) {
    this.options = options;
    this.authThrottle = new FailedAuthThrottle(options.limits(), System::nanoTime);
    this.auth = new Authenticator(keys, authThrottle,
        new RateLimiter(options.submitsPerSecond(), options.submitBurst(), System::nanoTime,
            "Rate limit exceeded for this key"),
        new RateLimiter(options.readsPerSecond(), options.readBurst(), System::nanoTime,
            "Read rate limit exceeded for this key"));
    this.tasks = tasks;
    this.models = models;
    this.images = images;
    this.queue = queue;
    this.observability = observability;
    this.cors = Cors.handler(options.corsOrigins());
    this.usage = usage;
  }

  @Override
  public Future<?> start() {
    // No h2c: every connection is HTTP/1 from its first byte, so the guard sees it before it has sent anything.
    HttpServerOptions serverOptions = new HttpServerOptions().setHttp2ClearTextEnabled(false);
    ConnectionGuard guard = new ConnectionGuard(vertx, options.limits(), serverOptions);
    forgetTimer = vertx.setPeriodic(options.limits().authFailureWindow().toMillis(),
        id -> authThrottle.forgetExpired());
    return vertx.createHttpServer(serverOptions)
        .connectionHandler(guard::onConnection)
        .requestHandler(router(guard))
        .listen(options.port(), options.host())
        .onSuccess(s -> server = s);
  }

  private Router router(ConnectionGuard guard) {
    SubmitRoutes submits = new SubmitRoutes(vertx, auth, tasks, models, queue, observability,
        options.maxBodyBytes(), options.publicUrl());
    TaskRoutes reads = new TaskRoutes(auth, tasks, images, new OpenWaits(options.maxWaitsPerKey()), observability,
        options.maxWait(), options.publicUrl());
    Router router = Router.router(vertx);
    router.route().handler(guard::onRequest).failureHandler(guard::onFailure);
    observability.install(router);
    if (cors != null) {
      router.route().handler(cors);
    }
    router.get("/health").handler(ctx -> Responses.ok(ctx, 200, new JsonObject().put("status", "ok")));
    Playground.mount(router);
    router.route("/v1/*").handler(auth::handle);
    router.route("/api/v1/*").handler(auth::handle);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(options.maxBodyBytes());
    // The /api/v1 family (seed 000) shares every handler; only the envelope differs. X-Async is ignored.
    router.post("/v1/images/generations").handler(body).handler(submits::json);
    router.post("/api/v1/images/generations").handler(body).handler(submits::json);
    router.post("/v1/images/edits").handler(ctx -> submits.form(ctx, SubmitRoutes.EDIT_FILES, tasks::submit));
    router.post("/v1/images/variations").handler(ctx -> submits.form(ctx, SubmitRoutes.VARIATION_FILES,
        tasks::submitVariation));
    router.get("/v1/images/generations").handler(reads::list);
    router.get("/api/v1/tasks").handler(reads::list);
    router.get("/v1/images/generations/:task_id").handler(reads::get);
    router.get("/api/v1/tasks/:task_id").handler(reads::get);
    router.post("/v1/images/generations/:task_id/cancel").handler(reads::cancel);
    router.post("/api/v1/tasks/:task_id/cancel").handler(reads::cancel);
    router.get("/v1/models").handler(ctx -> answer(ctx, models::openAiList));
    router.get("/v1/models/:model").handler(ctx -> answer(ctx, () -> models.openAiModel(ctx.pathParam("model"))));
    router.get("/v1/images/models").handler(ctx -> answer(ctx, models::imageModels));
    router.get("/v1/images/models/:author/:slug/endpoints").handler(ctx -> answer(ctx,
        () -> models.endpoints(ctx.pathParam("author"), ctx.pathParam("slug"))));
    router.get("/openapi.json").handler(auth::handle).handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json").end(OPENAPI));
    router.get("/v1/images").handler(reads::listImages);
    router.get("/v1/usage/images").handler(ctx -> answer(ctx, () -> usage.images(Authenticator.owner(ctx),
        ctx.queryParams())));
    router.get("/v1/costs").handler(ctx -> answer(ctx, () -> usage.costs(Authenticator.owner(ctx),
        ctx.queryParams())));
    router.get("/v1/images/:image_id/content").handler(ctx -> images.content(Authenticator.owner(ctx),
            ctx.pathParam("image_id"))
        .onSuccess(content -> ctx.response().putHeader("Content-Type", content.contentType())
            .putHeader("Cache-Control", "private, max-age=3600")
            .end(content.bytes()))
        .onFailure(err -> HttpErrors.send(ctx, err)));
    router.delete("/v1/images/:image_id").handler(ctx -> images.delete(Authenticator.owner(ctx),
            ctx.pathParam("image_id"))
        .onSuccess(deleted -> Responses.ok(ctx, 200, deleted))
        .onFailure(err -> HttpErrors.send(ctx, err)));
    router.errorHandler(404, ctx -> HttpErrors.write(ctx, ErrorCode.UNKNOWN_URL,
        "Unknown path " + ctx.request().method() + " " + ctx.request().path(), null));
    router.errorHandler(405, ctx -> HttpErrors.write(ctx, ErrorCode.METHOD_NOT_ALLOWED,
        "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path(), null));
    router.errorHandler(413, ctx -> HttpErrors.write(ctx, ErrorCode.REQUEST_TOO_LARGE,
        "Request body is larger than " + options.maxBodyBytes() + " bytes", null));
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

  /** A body computed on the spot; a client mistake in computing it is rendered as its error. */
  private static void answer(RoutingContext ctx, Supplier<JsonObject> body) {
    try {
      Responses.ok(ctx, 200, body.get());
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e);
    }
  }
}
