package io.imagegen.fake;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * {@code /_fake/*}: knobs and recordings over HTTP for out-of-process users (docker-compose, benchmarks).
 * Admin calls are not recorded, so they never show up among the vendor traffic they inspect.
 */
final class AdminApi {

    static final int BODY_PREVIEW = 2048;

    private final Shared s;
    private final Recorder recorder;
    private final InFlight inFlight;
    private final Runnable reset;

    AdminApi(Shared s, Recorder recorder, InFlight inFlight, Runnable reset) {
        this.s = s;
        this.recorder = recorder;
        this.inFlight = inFlight;
        this.reset = reset;
    }

    void register(Router r) {
        r.route("/_fake/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
        r.post("/_fake/behaviour").handler(this::setBehaviour);
        r.get("/_fake/behaviour").handler(ctx -> json(ctx, 200, BehaviourJson.toJson(s.faults.current())));
        r.post("/_fake/reset").handler(ctx -> {
            reset.run();
            json(ctx, 200, new JsonObject().put("reset", true));
        });
        r.get("/_fake/requests").handler(this::requests);
        // Vendor calls in progress now and the most at once since the last reset.
        r.get("/_fake/concurrency").handler(ctx -> json(ctx, 200, new JsonObject().put("in_flight", inFlight.now())
                .put("max_in_flight", inFlight.max())));
    }

    private void setBehaviour(RoutingContext ctx) {
        try {
            Buffer raw = ctx.body().buffer();
            JsonObject knobs = raw == null || raw.length() == 0 ? new JsonObject() : raw.toJsonObject();
            Behaviour b = BehaviourJson.fromJson(knobs);
            s.faults.set(b);
            json(ctx, 200, BehaviourJson.toJson(b));
        } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
            json(ctx, 400, new JsonObject().put("error", e.getMessage()));
        }
    }

    /** Encoded on a worker: thousands of recordings make a few MB of JSON. */
    private void requests(RoutingContext ctx) {
        List<RecordedRequest> all = recorder.snapshot();
        s.vertx.executeBlocking(() -> {
            JsonArray out = new JsonArray();
            all.forEach(r -> out.add(toJson(r)));
            return out.toBuffer();
        }, false).onSuccess(buf -> ctx.response().putHeader("Content-Type", Responder.JSON).end(buf))
                .onFailure(ctx::fail);
    }

    static JsonObject toJson(RecordedRequest r) {
        byte[] preview = Arrays.copyOf(r.body(), Math.min(r.body().length, BODY_PREVIEW));
        JsonArray parts = new JsonArray();
        r.parts().forEach(p -> parts.add(new JsonObject().put("name", p.name()).put("file_name", p.fileName())
                .put("content_type", p.contentType()).put("size", p.size())));
        return new JsonObject()
                .put("method", r.method())
                .put("path", r.path())
                .put("query", r.query())
                .put("headers", new JsonObject(new java.util.TreeMap<String, Object>(r.headers())))
                .put("body", new String(preview, StandardCharsets.UTF_8))
                .put("body_size", r.body().length)
                .put("body_truncated", r.body().length > BODY_PREVIEW)
                .put("parts", parts)
                .put("received_at", r.receivedAt().toString());
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", Responder.JSON).end(body.encode());
    }
}
