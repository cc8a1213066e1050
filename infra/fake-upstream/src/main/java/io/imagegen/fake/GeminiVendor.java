package io.imagegen.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.UUID;

/** Google Gemini API image output: {@code POST /v1beta/models/{model}:generateContent}. */
final class GeminiVendor {

    private static final String JSON = "application/json; charset=UTF-8";
    /** Gemini 2.5 Flash Image bills 1290 output tokens per image. */
    private static final int IMAGE_TOKENS = 1290;

    private final Shared s;

    GeminiVendor(Shared s) {
        this.s = s;
    }

    void register(Router r) {
        // A regex route, because the ":generateContent" suffix would otherwise read as a path parameter.
        r.postWithRegex("/v1beta/models/([^/:]+):generateContent").handler(this::generate);
    }

    private void generate(RoutingContext ctx) {
        Behaviour now = s.faults.current();
        String key = ctx.request().getHeader("x-goog-api-key");
        if (key == null) {
            key = ctx.request().getParam("key");
        }
        if (key == null) {
            // What Google answers when no key is sent at all.
            error(ctx, 403, "Method doesn't allow unregistered callers (callers without established identity)."
                    + " Please use API Key or other form of API consumer identity to call this API.", null, now);
            return;
        }
        if (!Shared.API_KEY.equals(key)) {
            error(ctx, 400, "API key not valid. Please pass a valid API key.", "API_KEY_INVALID", now);
            return;
        }
        String model = ctx.pathParam("param0");
        JsonObject req = Recorder.of(ctx).json();
        String prompt = req == null ? null : prompt(req);
        if (prompt == null) {
            error(ctx, 400, "* GenerateContentRequest.contents: contents is not specified", null, now);
            return;
        }
        JsonObject gen = field(req, "generationConfig", "generation_config");
        JsonObject img = gen == null ? null : field(gen, "imageConfig", "image_config");
        JsonArray modalities = gen == null ? null : gen.getJsonArray("responseModalities",
                gen.getJsonArray("response_modalities"));
        Sizes.Size size = Sizes.gemini(img == null ? null : str(img, "aspectRatio", "aspect_ratio"),
                img == null ? null : str(img, "imageSize", "image_size"));
        Behaviour b = s.admit(ctx, (c, status, bb) -> error(c, status, failureMessage(status), null, bb));
        if (b == null) {
            return;
        }
        int textTokens = Math.max(1, prompt.split("\\s+").length);
        if (b.contentPolicy()) {
            // Output moderation: a finished candidate with no image at all.
            s.responder.ok(ctx, envelope(model, new JsonObject().put("finishReason", "IMAGE_SAFETY").put("index", 0),
                    textTokens, 0), b, JSON);
            return;
        }
        boolean wantText = modalities == null || modalities.contains("TEXT");
        boolean wantImage = !b.emptyData() && (modalities == null || modalities.contains("IMAGE"));
        s.responder.afterLatency(b, () -> s.images(wantImage ? 1 : 0, size, prompt, b)
                .onSuccess(pngs -> s.responder.ok(ctx, success(model, wantText, pngs, textTokens), b, JSON))
                .onFailure(ctx::fail));
    }

    private static JsonObject success(String model, boolean wantText, List<PngFactory.Png> pngs, int textTokens) {
        JsonArray parts = new JsonArray();
        if (wantText || pngs.isEmpty()) {
            parts.add(new JsonObject().put("text", "Here is the image you asked for."));
        }
        for (PngFactory.Png png : pngs) {
            parts.add(new JsonObject().put("inlineData",
                    new JsonObject().put("mimeType", "image/png").put("data", png.base64())));
        }
        JsonObject candidate = new JsonObject()
                .put("content", new JsonObject().put("parts", parts).put("role", "model"))
                .put("finishReason", "STOP").put("index", 0);
        return envelope(model, candidate, textTokens, pngs.size() * IMAGE_TOKENS);
    }

    private static JsonObject envelope(String model, JsonObject candidate, int promptTokens, int imageTokens) {
        JsonObject usage = new JsonObject()
                .put("promptTokenCount", promptTokens)
                .put("candidatesTokenCount", imageTokens)
                .put("totalTokenCount", promptTokens + imageTokens)
                .put("promptTokensDetails", new JsonArray().add(
                        new JsonObject().put("modality", "TEXT").put("tokenCount", promptTokens)));
        if (imageTokens > 0) {
            usage.put("candidatesTokensDetails", new JsonArray().add(
                    new JsonObject().put("modality", "IMAGE").put("tokenCount", imageTokens)));
        }
        return new JsonObject()
                .put("candidates", new JsonArray().add(candidate))
                .put("usageMetadata", usage)
                .put("modelVersion", model)
                .put("responseId", UUID.randomUUID().toString().replace("-", "").substring(0, 22));
    }

    /** All text parts of all contents, joined; null when there is none. */
    private static String prompt(JsonObject req) {
        JsonArray contents = req.getJsonArray("contents");
        if (contents == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < contents.size(); i++) {
            JsonArray parts = contents.getJsonObject(i).getJsonArray("parts", new JsonArray());
            for (int j = 0; j < parts.size(); j++) {
                String text = parts.getJsonObject(j).getString("text");
                if (text != null) {
                    sb.append(sb.isEmpty() ? "" : "\n").append(text);
                }
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /** Google's JSON mapping accepts both lowerCamel and snake_case field names. */
    private static JsonObject field(JsonObject o, String camel, String snake) {
        return o.getJsonObject(camel, o.getJsonObject(snake));
    }

    private static String str(JsonObject o, String camel, String snake) {
        return o.getString(camel, o.getString(snake));
    }

    private void error(RoutingContext ctx, int status, String message, String reason, Behaviour b) {
        JsonObject err = new JsonObject().put("code", status).put("message", message).put("status", status(status));
        if (reason != null) {
            err.put("details", new JsonArray().add(new JsonObject()
                    .put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
                    .put("reason", reason).put("domain", "googleapis.com")
                    .put("metadata", new JsonObject().put("service", "generativelanguage.googleapis.com"))));
        }
        s.responder.error(ctx, status, new JsonObject().put("error", err), b, JSON);
    }

    private static String failureMessage(int status) {
        return switch (status) {
            case 429 -> "Resource has been exhausted (e.g. check quota).";
            case 503 -> "The model is overloaded. Please try again later.";
            case 500 -> "An internal error has occurred. Please retry or report in "
                    + "https://developers.generativeai.google/guide/troubleshooting";
            default -> "Request failed (injected by fake upstream).";
        };
    }

    /** google.rpc canonical status names for the HTTP codes the knobs can produce. */
    static String status(int http) {
        return switch (http) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 409 -> "ABORTED";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 499 -> "CANCELLED";
            case 501 -> "UNIMPLEMENTED";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> http >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
        };
    }
}
