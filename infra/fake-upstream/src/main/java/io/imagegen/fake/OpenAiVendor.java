package io.imagegen.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI Images API: {@code POST /v1/images/generations} (JSON), {@code /v1/images/edits} and
 * {@code /v1/images/variations} (multipart; a variation has no prompt and one {@code image} file).
 */
final class OpenAiVendor {

    private final Shared s;

    OpenAiVendor(Shared s) {
        this.s = s;
    }

    void register(Router r) {
        r.post("/v1/images/generations").handler(ctx -> handle(ctx, Recorder.of(ctx).json(), false, false));
        r.post("/v1/images/edits").handler(ctx -> handle(ctx, formFields(Recorder.of(ctx)), true, false));
        r.post("/v1/images/variations").handler(ctx -> handle(ctx, formFields(Recorder.of(ctx)), true, true));
    }

    private void handle(RoutingContext ctx, JsonObject req, boolean edit, boolean variation) {
        Behaviour now = s.faults.current();
        if (!Shared.bearerOk(ctx)) {
            unauthorized(ctx, now);
            return;
        }
        if (req == null) {
            invalid(ctx, now, "We could not parse the JSON body of your request.", null, null);
            return;
        }
        if (variation && req.containsKey("prompt")) {
            invalid(ctx, now, "Unrecognized request argument supplied: prompt", "prompt", "unknown_parameter");
            return;
        }
        String prompt = variation ? "a variation" : req.getString("prompt");
        Sizes.Size size = Sizes.parse(req.getString("size"), Sizes.DEFAULT);
        if (prompt == null || prompt.isBlank()) {
            invalid(ctx, now, "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter");
            return;
        }
        if (size == null) {
            invalid(ctx, now, "Invalid value: '" + req.getString("size") + "'.", "size", "invalid_value");
            return;
        }
        if (edit && Recorder.of(ctx).files().stream().noneMatch(p -> p.name().startsWith("image"))) {
            invalid(ctx, now, "Missing required parameter: 'image'.", "image", "missing_required_parameter");
            return;
        }
        Behaviour b = s.admit(ctx, this::failure);
        if (b == null) {
            return;
        }
        String model = req.getString("model", "dall-e-2"); // the API's documented default
        if (b.contentPolicy()) {
            contentPolicy(ctx, b, model);
            return;
        }
        int n = Shared.count(intOf(req.getValue("n")), 1, 10);
        s.responder.afterLatency(b, () -> s.images(b.emptyData() ? 0 : n, size, prompt, b)
                .onSuccess(pngs -> s.responder.ok(ctx, body(ctx, req, model, prompt, size, pngs), b))
                .onFailure(ctx::fail));
    }

    private JsonObject body(RoutingContext ctx, JsonObject req, String model, String prompt, Sizes.Size size,
                            List<PngFactory.Png> pngs) {
        boolean gptImage = model.startsWith("gpt-image");
        // gpt-image models always answer b64_json; dall-e answers URLs unless asked for b64_json.
        boolean b64 = gptImage || "b64_json".equals(req.getString("response_format"));
        JsonArray data = new JsonArray();
        for (PngFactory.Png png : pngs) {
            JsonObject item = b64 ? new JsonObject().put("b64_json", png.base64())
                    : new JsonObject().put("url", s.files.put(ctx, png.bytes()));
            if (model.startsWith("dall-e-3")) {
                item.put("revised_prompt", "A detailed rendering of: " + prompt);
            }
            data.add(item);
        }
        JsonObject body = new JsonObject().put("created", System.currentTimeMillis() / 1000);
        if (gptImage) {
            body.put("background", req.getString("background", "opaque"))
                    .put("output_format", req.getString("output_format", "png"))
                    .put("quality", req.getString("quality", "high"))
                    .put("size", size.wxh());
        }
        body.put("data", data);
        if (gptImage) {
            body.put("usage", usage(prompt, size, pngs.size(), req.getString("quality", "high")));
        }
        return body;
    }

    /** Token counts shaped like OpenAI's; the numbers only need to be plausible and deterministic. */
    private static JsonObject usage(String prompt, Sizes.Size size, int n, String quality) {
        int text = Math.max(1, prompt.split("\\s+").length);
        int perImage = switch (quality) {
            case "low" -> 272;
            case "medium" -> 1056;
            default -> 4160; // high and auto
        };
        long output = Math.round(perImage * (size.width() * (double) size.height()) / (1024 * 1024)) * n;
        return new JsonObject()
                .put("total_tokens", text + output)
                .put("input_tokens", text)
                .put("output_tokens", output)
                .put("input_tokens_details", new JsonObject().put("text_tokens", text).put("image_tokens", 0));
    }

    /** Multipart text fields as a JSON object; {@code n} stays a string there, see {@link #intOf}. */
    private static JsonObject formFields(RecordedRequest rec) {
        Map<String, Object> m = new HashMap<>();
        rec.parts().stream().filter(p -> p.fileName() == null && p.name() != null)
                .forEach(p -> m.put(p.name(), p.value()));
        return new JsonObject(m);
    }

    private static Integer intOf(Object v) {
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return v == null ? null : Integer.valueOf(v.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void unauthorized(RoutingContext ctx, Behaviour b) {
        String h = ctx.request().getHeader("Authorization");
        String message = h == null
                ? "You didn't provide an API key. You need to provide your API key in an Authorization header "
                + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                : "Incorrect API key provided. You can find your API key at "
                + "https://platform.openai.com/account/api-keys.";
        s.responder.error(ctx, 401, error(message, "invalid_request_error", null,
                h == null ? null : "invalid_api_key"), b);
    }

    private void invalid(RoutingContext ctx, Behaviour b, String message, String param, String code) {
        s.responder.error(ctx, 400, error(message, "invalid_request_error", param, code), b);
    }

    /**
     * gpt-image models report moderation as {@code moderation_blocked}; dall-e as
     * {@code content_policy_violation}. Both are 400s of type {@code image_generation_user_error}.
     */
    private void contentPolicy(RoutingContext ctx, Behaviour b, String model) {
        String code = model.startsWith("gpt-image") ? "moderation_blocked" : "content_policy_violation";
        s.responder.error(ctx, 400, error("Your request was rejected as a result of our safety system. "
                + "Your prompt may contain text that is not allowed by our safety system.",
                "image_generation_user_error", null, code), b);
    }

    private void failure(RoutingContext ctx, int status, Behaviour b) {
        JsonObject body = switch (status) {
            case 400 -> error("Invalid request (injected by fake upstream).", "invalid_request_error", null, null);
            case 401 -> error("Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");
            case 429 -> error("Rate limit reached for images per min. Please try again later.", "requests",
                    null, "rate_limit_exceeded");
            case 503 -> error("The engine is currently overloaded, please try again later.", "server_error",
                    null, null);
            default -> status >= 500
                    ? error("The server had an error while processing your request. Sorry about that!",
                    "server_error", null, null)
                    : error("Request failed (injected by fake upstream).", "invalid_request_error", null, null);
        };
        s.responder.error(ctx, status, body, b);
    }

    static JsonObject error(String message, String type, String param, String code) {
        return new JsonObject().put("error", new JsonObject()
                .put("message", message).put("type", type).put("param", param).put("code", code));
    }
}
