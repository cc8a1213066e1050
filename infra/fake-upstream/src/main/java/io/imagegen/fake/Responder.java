package io.imagegen.fake;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;

/** Writes answers with the response-shaping knobs applied; all waiting is done with timers. */
final class Responder {

    static final String JSON = "application/json";
    private static final String HTML_PAGE = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
            + "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
    /** Ten slices a second: smooth enough to look like a slow link, coarse enough to be cheap. */
    private static final long TICK_MS = 100;

    private final Vertx vertx;

    Responder(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Runs {@code action} after the behaviour's latency, without holding the event loop. */
    void afterLatency(Behaviour b, Runnable action) {
        long ms = b.latency().toMillis();
        if (ms <= 0) {
            action.run();
        } else {
            vertx.setTimer(ms, id -> action.run());
        }
    }

    /** A successful JSON answer, possibly corrupted (truncated, HTML) and trickled as the knobs say. */
    void ok(RoutingContext ctx, JsonObject body, Behaviour b) {
        ok(ctx, body, b, JSON);
    }

    void ok(RoutingContext ctx, JsonObject body, Behaviour b, String contentType) {
        if (b.wrongContentType()) {
            send(ctx, 200, "text/html; charset=utf-8", Buffer.buffer(HTML_PAGE), b);
            return;
        }
        byte[] json = body.encode().getBytes(StandardCharsets.UTF_8);
        if (b.malformedBody()) {
            // Cut mid-document: the client sees 200 + JSON content type but cannot parse it.
            json = java.util.Arrays.copyOf(json, Math.max(1, json.length / 2));
        }
        send(ctx, 200, contentType, Buffer.buffer(json), b);
    }

    /** A vendor error; {@code Retry-After} goes on 429/503 when the knob asks for it. */
    void error(RoutingContext ctx, int status, JsonObject body, Behaviour b) {
        error(ctx, status, body, b, JSON);
    }

    void error(RoutingContext ctx, int status, JsonObject body, Behaviour b, String contentType) {
        if ((status == 429 || status == 503) && b.retryAfterSeconds() > 0) {
            ctx.response().putHeader("Retry-After", Integer.toString(b.retryAfterSeconds()));
        }
        send(ctx, status, contentType, body.toBuffer(), b);
    }

    /** Writes the body at full speed, or in timed slices when slowStreamBytesPerSecond is set. */
    void send(RoutingContext ctx, int status, String contentType, Buffer body, Behaviour b) {
        HttpServerResponse res = ctx.response();
        if (res.ended() || res.closed()) {
            return; // the client gave up while we were waiting
        }
        res.setStatusCode(status).putHeader("Content-Type", contentType);
        long rate = b.slowStreamBytesPerSecond();
        if (rate <= 0 || body.length() == 0) {
            res.end(body);
            return;
        }
        res.putHeader("Content-Length", Integer.toString(body.length()));
        int slice = (int) Math.max(1, rate * TICK_MS / 1000);
        int[] offset = {0};
        long timer = vertx.setPeriodic(TICK_MS, id -> {
            if (res.ended() || res.closed()) {
                vertx.cancelTimer(id);
                return;
            }
            int end = Math.min(body.length(), offset[0] + slice);
            Buffer piece = body.getBuffer(offset[0], end);
            offset[0] = end;
            if (end >= body.length()) {
                vertx.cancelTimer(id);
                res.end(piece);
            } else {
                res.write(piece);
            }
        });
        res.closeHandler(v -> vertx.cancelTimer(timer));
    }
}
