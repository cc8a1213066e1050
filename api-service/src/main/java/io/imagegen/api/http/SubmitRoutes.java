package io.imagegen.api.http;

import io.imagegen.api.models.ModelDirectory;
import io.imagegen.api.observability.ApiObservability;
import io.imagegen.api.queue.QueueDepth;
import io.imagegen.api.tasks.FormFields;
import io.imagegen.api.tasks.Reply;
import io.imagegen.api.tasks.TaskService;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.PermissionException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** Generations (JSON), edits and variations (multipart): one set of checks before each reaches the task service. */
final class SubmitRoutes {
  /** Multipart file parts each endpoint takes (OpenAI's documented names). */
  static final Set<String> EDIT_FILES = Set.of("image", "image[]", "mask");
  static final Set<String> VARIATION_FILES = Set.of("image");

  /** {@link TaskService#submit} or {@link TaskService#submitVariation}. */
  interface FormSubmit {
    Future<Reply> submit(String owner, JsonObject body, String idempotencyKey);
  }

  private final Vertx vertx;
  private final Authenticator auth;
  private final TaskService tasks;
  private final ModelDirectory models;
  private final QueueDepth queue;
  private final ApiObservability observability;
  private final int maxBodyBytes;
  private final String publicUrl;

  SubmitRoutes(Vertx vertx, Authenticator auth, TaskService tasks, ModelDirectory models, QueueDepth queue,
      ApiObservability observability, int maxBodyBytes, String publicUrl) {
    this.vertx = vertx;
    this.auth = auth;
    this.tasks = tasks;
    this.models = models;
    this.queue = queue;
    this.observability = observability;
    this.maxBodyBytes = maxBodyBytes;
    this.publicUrl = publicUrl;
  }

  /** A JSON body (generations, both families). */
  void json(RoutingContext ctx) {
    JsonObject body;
    try {
      body = jsonObject(ctx.body().buffer());
    } catch (InvalidRequestException e) {
      observability.submitting(ctx, null);
      HttpErrors.send(ctx, e);
      return;
    }
    submit(ctx, body, b -> tasks.submit(Authenticator.owner(ctx), b, ctx.request().getHeader("Idempotency-Key")));
  }

  /** Edits and variations: the same checks and queue as generations, for a body read from the form. */
  void form(RoutingContext ctx, Set<String> fileFields, FormSubmit submitter) {
    if (!isMultipart(ctx)) {
      HttpErrors.send(ctx, new InvalidRequestException(ErrorCode.INVALID_CONTENT_TYPE,
          "Content-Type must be multipart/form-data, with the image(s) as file parts.", null));
      return;
    }
    MultipartForm.read(ctx, maxBodyBytes, fileFields)
        .compose(form -> FormFields.read(vertx, form.attributes(), form.files(), fileFields))
        .onSuccess(body -> submit(ctx, body, b -> submitter.submit(Authenticator.owner(ctx), b,
            ctx.request().getHeader("Idempotency-Key"))))
        .onFailure(err -> {
          if (err instanceof MultipartForm.TooLarge tooLarge) {
            HttpErrors.write(ctx, 413, tooLarge.getMessage(), "request_too_large", tooLarge.param);
          } else {
            HttpErrors.send(ctx, err);
          }
        });
  }

  private void submit(RoutingContext ctx, JsonObject body, Function<JsonObject, Future<Reply>> submitter) {
    observability.submitting(ctx, body.getValue("model"));
    try {
      // A request without a model uses the deployment's default, which the key must be allowed too.
      String model = body.getValue("model") instanceof String named ? named : models.defaultModelId();
      if (model != null && !auth.allows(ctx, model)) {
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
        .onSuccess(reply -> Responses.ok(ctx, reply.kind() == Reply.Kind.STILL_RUNNING ? 202 : 200,
            TaskLinks.add(ctx, publicUrl, reply.body())))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  private static boolean isMultipart(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
  }

  private static JsonObject jsonObject(Buffer buffer) {
    if (buffer == null || buffer.length() == 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_JSON, "Request body must be a JSON object.", null);
    }
    Object value;
    try {
      value = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw new InvalidRequestException(ErrorCode.INVALID_JSON, "Request body is not valid JSON.", null);
    }
    if (!(value instanceof JsonObject object)) {
      throw new InvalidRequestException(ErrorCode.INVALID_JSON, "Request body must be a JSON object.", null);
    }
    return object;
  }
}
