package io.imagegen.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.UUID;

/**
 * Alibaba DashScope (Model Studio) image generation.
 *
 * <ul>
 *   <li>{@code POST /api/v1/services/aigc/text2image/image-synthesis}: async, {@code input.prompt}
 *       (wan t2i, qwen-image); results in {@code output.results[]}.</li>
 *   <li>{@code POST /api/v1/services/aigc/image-generation/generation}: async, {@code input.messages}
 *       (wan2.7); results in {@code output.choices[]}.</li>
 *   <li>{@code POST /api/v1/services/aigc/multimodal-generation/generation}: synchronous, messages form
 *       (qwen-image, wan2.6+).</li>
 *   <li>{@code GET /api/v1/tasks/{id}} and {@code POST /api/v1/tasks/{id}/cancel}.</li>
 * </ul>
 */
final class DashScopeVendor {

    private final Shared s;
    private final DashScopeTasks tasks;
    private final QpsLimiter queryLimiter = new QpsLimiter();

    DashScopeVendor(Shared s) {
        this.s = s;
        this.tasks = new DashScopeTasks(s.files);
    }

    void register(Router r) {
        r.post("/api/v1/services/aigc/text2image/image-synthesis")
                .handler(ctx -> submit(ctx, DashScopeTasks.Style.RESULTS));
        r.post("/api/v1/services/aigc/image-generation/generation")
                .handler(ctx -> submit(ctx, DashScopeTasks.Style.CHOICES));
        r.post("/api/v1/services/aigc/multimodal-generation/generation").handler(this::synchronous);
        r.get("/api/v1/tasks/:id").handler(this::query);
        r.post("/api/v1/tasks/:id/cancel").handler(this::cancel);
    }

    /** Async tasks created per prompt since the last reset (refused submits create none, so are not billed). */
    Map<String, Integer> submitsByPrompt() {
        return tasks.submitsByPrompt();
    }

    void reset() {
        tasks.clear();
        queryLimiter.clear();
    }

    /** Parsed essentials of a generation request, or an error already answered. */
    private record Ask(String model, String prompt, Sizes.Size size, int n, boolean promptExtend) {
    }

    private Ask validate(RoutingContext ctx, boolean messages, boolean async) {
        Behaviour now = s.faults.current();
        if (!Shared.bearerOk(ctx)) {
            error(ctx, 401, "InvalidApiKey", "Invalid API-key provided.", now);
            return null;
        }
        if (async && !"enable".equalsIgnoreCase(ctx.request().getHeader("X-DashScope-Async"))) {
            // Documented answer for async-only APIs called without the async header.
            error(ctx, 403, "AccessDenied", "current user api does not support synchronous calls.", now);
            return null;
        }
        JsonObject req = Recorder.of(ctx).json();
        if (req == null || req.getString("model") == null) {
            error(ctx, 400, "InvalidParameter", "Model not specified or request body is not JSON.", now);
            return null;
        }
        String model = req.getString("model");
        JsonObject input = req.getJsonObject("input", new JsonObject());
        JsonObject params = req.getJsonObject("parameters", new JsonObject());
        String prompt = messages ? messagesPrompt(input) : input.getString("prompt");
        if (prompt == null || prompt.isBlank()) {
            error(ctx, 400, "InvalidParameter", messages ? "Field required: input.messages[0].content.text"
                    : "Field required: input.prompt", now);
            return null;
        }
        Sizes.Size size = Sizes.parse(params.getString("size"), defaultSize(model));
        if (size == null) {
            error(ctx, 400, "InvalidParameter", "The size is not match the allowed size.", now);
            return null;
        }
        if (model.startsWith("qwen-image-2")) {
            String refusal = qwenImage2Refusal(input, params, size);
            if (refusal != null) {
                error(ctx, 400, "InvalidParameter", refusal, now);
                return null;
            }
        }
        // wan text-to-image defaults to 4 images per task; qwen-image and the messages models to 1.
        int n = Shared.count(params.getInteger("n"), model.startsWith("wan") && !messages ? 4 : 1, 12);
        return new Ask(model, prompt, size, n, params.getBoolean("prompt_extend", true));
    }

    private void submit(RoutingContext ctx, DashScopeTasks.Style style) {
        Ask ask = validate(ctx, style == DashScopeTasks.Style.CHOICES, true);
        if (ask == null) {
            return;
        }
        Behaviour b = s.admit(ctx, this::failure);
        if (b == null) {
            return;
        }
        // Moderation of the generated image happens inside the task, so it surfaces as a FAILED task.
        String failCode = b.contentPolicy() ? "DataInspectionFailed" : b.taskFailCode();
        String failMessage = b.contentPolicy() ? "Output data may contain inappropriate content."
                : "Task failed (injected by fake upstream): " + failCode;
        var images = s.images(b.emptyData() || failCode != null ? 0 : ask.n(), ask.size(), ask.prompt(), b);
        DashScopeTasks.Task t = new DashScopeTasks.Task(style, b, ask.n(), ask.prompt(), ask.promptExtend(),
                ask.size(), failCode, failMessage, images);
        tasks.add(t);
        s.responder.ok(ctx, new JsonObject()
                .put("output", new JsonObject().put("task_status", "PENDING").put("task_id", t.id))
                .put("request_id", UUID.randomUUID().toString()), b);
    }

    private void synchronous(RoutingContext ctx) {
        Ask ask = validate(ctx, true, false);
        if (ask == null) {
            return;
        }
        Behaviour b = s.admit(ctx, this::failure);
        if (b == null) {
            return;
        }
        if (b.contentPolicy()) {
            error(ctx, 400, "DataInspectionFailed", "Input data may contain inappropriate content.", b);
            return;
        }
        s.responder.afterLatency(b, () -> s.images(b.emptyData() ? 0 : ask.n(), ask.size(), ask.prompt(), b)
                .onSuccess(pngs -> s.responder.ok(ctx, new JsonObject()
                        .put("output", new JsonObject().put("choices", choices(ask.model(),
                                pngs.stream().map(p -> s.files.put(ctx, p.bytes())).toList())))
                        .put("usage", new JsonObject().put("width", ask.size().width())
                                .put("height", ask.size().height()).put("image_count", pngs.size()))
                        .put("request_id", UUID.randomUUID().toString()), b))
                .onFailure(ctx::fail));
    }

    private void query(RoutingContext ctx) {
        Behaviour b = s.faults.current();
        if (!Shared.bearerOk(ctx)) {
            error(ctx, 401, "InvalidApiKey", "Invalid API-key provided.", b);
            return;
        }
        if (!queryLimiter.tryAcquire(Shared.bearerKey(ctx), b.dashscopeQueryQps())) {
            error(ctx, 429, "Throttling.RateQuota", "Requests rate limit exceeded, please try again later.", b);
            return;
        }
        String id = ctx.pathParam("id");
        DashScopeTasks.Task t = tasks.get(id);
        if (t == null) {
            // DashScope answers unknown or expired ids with status UNKNOWN rather than 404.
            s.responder.ok(ctx, new JsonObject().put("request_id", UUID.randomUUID().toString())
                    .put("output", new JsonObject().put("task_id", id).put("task_status", "UNKNOWN")), b);
            return;
        }
        tasks.render(ctx, t).onSuccess(body -> s.responder.ok(ctx, body, b)).onFailure(ctx::fail);
    }

    private void cancel(RoutingContext ctx) {
        Behaviour b = s.faults.current();
        if (!Shared.bearerOk(ctx)) {
            error(ctx, 401, "InvalidApiKey", "Invalid API-key provided.", b);
            return;
        }
        DashScopeTasks.Task t = tasks.get(ctx.pathParam("id"));
        if (t == null || !tasks.cancel(t)) {
            error(ctx, 400, "UnsupportedOperation",
                    "Failed to cancel the task, please confirm if the task is in PENDING status.", b);
            return;
        }
        s.responder.ok(ctx, new JsonObject().put("request_id", UUID.randomUUID().toString()), b);
    }

    private void failure(RoutingContext ctx, int status, Behaviour b) {
        switch (status) {
            case 400 -> error(ctx, status, "InvalidParameter", "Invalid parameter (injected by fake upstream).", b);
            case 401 -> error(ctx, status, "InvalidApiKey", "Invalid API-key provided.", b);
            case 403 -> error(ctx, status, "AccessDenied", "Access denied.", b);
            case 429 -> error(ctx, status, "Throttling.RateQuota",
                    "Requests rate limit exceeded, please try again later.", b);
            case 503 -> error(ctx, status, "ModelUnavailable", "Model is unavailable, please try again later.", b);
            default -> error(ctx, status, status >= 500 ? "InternalError" : "InvalidParameter",
                    "An internal error has occured, please try again later or contact service support.", b);
        }
    }

    private void error(RoutingContext ctx, int status, String code, String message, Behaviour b) {
        s.responder.error(ctx, status, new JsonObject().put("request_id", UUID.randomUUID().toString())
                .put("code", code).put("message", message), b);
    }

    /**
     * qwen-image-2.0's documented limits: total pixels between 512*512 and 2048*2048, n from 1 to 6, at most 3 input
     * images (URLs or data URLs) before the text; null when the request keeps them.
     */
    private static String qwenImage2Refusal(JsonObject input, JsonObject params, Sizes.Size size) {
        long pixels = (long) size.width() * size.height();
        if (pixels < 512L * 512 || pixels > 2048L * 2048) {
            return "The size is not match the allowed size: total pixels must be between 512*512 and 2048*2048.";
        }
        Integer n = params.getInteger("n");
        if (n != null && (n < 1 || n > 6)) {
            return "n must be between 1 and 6.";
        }
        JsonArray content = input.getJsonArray("messages").getJsonObject(0).getJsonArray("content");
        int images = 0;
        for (int i = 0; i < content.size(); i++) {
            Object image = content.getJsonObject(i).getValue("image");
            if (image instanceof String url) {
                if (!url.startsWith("http://") && !url.startsWith("https://") && !url.startsWith("data:image/")) {
                    return "input image " + (i + 1) + " must be a URL or a data URL.";
                }
                images++;
            }
        }
        return images > 3 ? "at most 3 input images are supported." : null;
    }

    /** qwen-image-2.0 answers one choice holding every image, as documented; the other models one per image. */
    private static JsonArray choices(String model, java.util.List<String> urls) {
        if (!model.startsWith("qwen-image-2")) {
            return DashScopeTasks.choices(urls);
        }
        JsonArray content = new JsonArray();
        urls.forEach(url -> content.add(new JsonObject().put("image", url)));
        return new JsonArray().add(new JsonObject().put("finish_reason", "stop").put("message",
                new JsonObject().put("role", "assistant").put("content", content)));
    }

    private static Sizes.Size defaultSize(String model) {
        if (model.startsWith("qwen-image-2")) {
            return Sizes.DEFAULT;
        }
        if (model.startsWith("qwen-image")) {
            return new Sizes.Size(1328, 1328);
        }
        return model.startsWith("wan2.7") ? new Sizes.Size(2048, 2048) : Sizes.DEFAULT;
    }

    /** First text of the first message: {@code input.messages[0].content[].text}. */
    private static String messagesPrompt(JsonObject input) {
        JsonArray messages = input.getJsonArray("messages");
        if (messages == null || messages.isEmpty()) {
            return null;
        }
        JsonArray content = messages.getJsonObject(0).getJsonArray("content", new JsonArray());
        for (int i = 0; i < content.size(); i++) {
            String text = content.getJsonObject(i).getString("text");
            if (text != null) {
                return text;
            }
        }
        return null;
    }
}
