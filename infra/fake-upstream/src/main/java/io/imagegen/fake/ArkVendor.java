package io.imagegen.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.UUID;

/** Volcengine Ark Seedream: {@code POST /api/v3/images/generations} (synchronous, OpenAI-like). */
final class ArkVendor {

    /** The fake's choice when "auto" sequential generation gets no max_images (the vendor lets the model pick). */
    static final int DEFAULT_SEQUENTIAL_IMAGES = 3;

    private final Shared s;

    ArkVendor(Shared s) {
        this.s = s;
    }

    void register(Router r) {
        r.post("/api/v3/images/generations").handler(this::generate);
    }

    private void generate(RoutingContext ctx) {
        Behaviour now = s.faults.current();
        if (!Shared.bearerOk(ctx)) {
            error(ctx, 401, "AuthenticationError",
                    "The API key or AK/SK in the request is missing or invalid.", null, "Unauthorized", now);
            return;
        }
        JsonObject req = Recorder.of(ctx).json();
        String prompt = req == null ? null : req.getString("prompt");
        if (prompt == null || prompt.isBlank() || req.getString("model") == null) {
            error(ctx, 400, "MissingParameter", "The request failed because it is missing one or multiple "
                    + "required parameters.", prompt == null ? "prompt" : "model", "BadRequest", now);
            return;
        }
        String model = req.getString("model");
        // Seedream 3.0 takes explicit pixels with a 1024x1024 default; 4.x defaults to the "2K" preset.
        Sizes.Size size = Sizes.parse(req.getString("size"),
                model.contains("seedream-3") ? Sizes.DEFAULT : new Sizes.Size(2048, 2048));
        if (size == null) {
            error(ctx, 400, "InvalidParameter", "The parameter `size` specified in the request is not valid.",
                    "size", "BadRequest", now);
            return;
        }
        Behaviour b = s.admit(ctx, this::failure);
        if (b == null) {
            return;
        }
        if (b.contentPolicy()) {
            error(ctx, 400, "OutputImageSensitiveContentDetected", "The request failed because the output "
                    + "image may contain sensitive information.", "", "BadRequest", b);
            return;
        }
        int n = count(req);
        s.responder.afterLatency(b, () -> s.images(b.emptyData() ? 0 : n, size, prompt, b)
                .onSuccess(pngs -> s.responder.ok(ctx, body(ctx, req, model, pngs), b))
                .onFailure(ctx::fail));
    }

    /** One image, or max_images when sequential generation is "auto". */
    private static int count(JsonObject req) {
        if (!"auto".equals(req.getString("sequential_image_generation"))) {
            return 1;
        }
        JsonObject opts = req.getJsonObject("sequential_image_generation_options", new JsonObject());
        return Shared.count(opts.getInteger("max_images"), DEFAULT_SEQUENTIAL_IMAGES, 15);
    }

    private JsonObject body(RoutingContext ctx, JsonObject req, String model, List<PngFactory.Png> pngs) {
        boolean b64 = "b64_json".equals(req.getString("response_format"));
        JsonArray data = new JsonArray();
        long tokens = 0;
        for (PngFactory.Png png : pngs) {
            data.add(new JsonObject()
                    .put(b64 ? "b64_json" : "url", b64 ? png.base64() : s.files.put(ctx, png.bytes()))
                    .put("size", png.width() + "x" + png.height()));
            tokens += (long) png.width() * png.height() / 256; // Ark bills output as pixels / 256
        }
        return new JsonObject()
                .put("model", model)
                .put("created", System.currentTimeMillis() / 1000)
                .put("data", data)
                .put("usage", new JsonObject().put("generated_images", pngs.size())
                        .put("output_tokens", tokens).put("total_tokens", tokens));
    }

    private void failure(RoutingContext ctx, int status, Behaviour b) {
        switch (status) {
            case 400 -> error(ctx, status, "InvalidParameter", "Invalid parameter (injected by fake upstream).",
                    "", "BadRequest", b);
            case 401 -> error(ctx, status, "AuthenticationError",
                    "The API key or AK/SK in the request is missing or invalid.", "", "Unauthorized", b);
            case 429 -> error(ctx, status, "RateLimitExceeded.EndpointIPMExceeded", "The request has exceeded the "
                    + "images-per-minute (IPM) limit of the endpoint.", "", "TooManyRequests", b);
            case 503 -> error(ctx, status, "ServerOverloaded",
                    "The service is currently unable to handle additional requests.", "", "ServiceUnavailable", b);
            default -> error(ctx, status, status >= 500 ? "InternalServiceError" : "InvalidParameter",
                    "The service encountered an unexpected internal error.", "",
                    status >= 500 ? "InternalServerError" : "BadRequest", b);
        }
    }

    /** Ark's error envelope; the request id is appended to the message the way Ark does it. */
    private void error(RoutingContext ctx, int status, String code, String message, String param, String type,
                       Behaviour b) {
        s.responder.error(ctx, status, new JsonObject().put("error", new JsonObject()
                .put("code", code)
                .put("message", message + " Request id: " + UUID.randomUUID())
                .put("param", param == null ? "" : param)
                .put("type", type)), b);
    }
}
