package io.imagegen.fake;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads each request body once, records it, and hands the record to the vendor handlers. */
final class Recorder {

    /** Key under which the {@link RecordedRequest} travels in the routing context. */
    static final String KEY = "fake.recorded";
    /** Bound so a long benchmark cannot exhaust the heap; tests stay far below it. */
    static final int MAX_KEPT = 10_000;
    private static final int PARSE_ON_WORKER_ABOVE = 1024 * 1024;

    private final Deque<RecordedRequest> requests = new ArrayDeque<>();

    /** First route for vendor traffic: buffers the body, records, continues routing. */
    void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        // Request metadata is read here, on the event loop; only the body scan may move to a worker.
        Map<String, String> headers = new LinkedHashMap<>();
        req.headers().forEach(e -> headers.merge(e.getKey().toLowerCase(Locale.ROOT), e.getValue(),
                (a, b) -> a + ", " + b));
        String method = req.method().name();
        String path = req.path();
        String query = req.query();
        req.body().compose(buf -> {
            byte[] body = buf == null ? new byte[0] : buf.getBytes();
            // Scanning a multi-MB multipart body (16 edit images) would stall the event loop.
            return body.length > PARSE_ON_WORKER_ABOVE
                    ? ctx.vertx().executeBlocking(() -> toRecord(method, path, query, headers, body), false)
                    : Future.succeededFuture(toRecord(method, path, query, headers, body));
        }).onSuccess(rec -> {
            add(rec);
            ctx.put(KEY, rec);
            ctx.next();
        }).onFailure(ctx::fail);
    }

    static RecordedRequest of(RoutingContext ctx) {
        return ctx.get(KEY);
    }

    private static RecordedRequest toRecord(String method, String path, String query, Map<String, String> headers,
                                            byte[] body) {
        String type = headers.get("content-type");
        return new RecordedRequest(method, path, query, headers, body, json(type, body),
                Multipart.isMultipart(type) ? Multipart.parse(type, body) : List.of(), Instant.now());
    }

    /** Lenient: a client sending JSON with a missing content type is still worth asserting on. */
    private static JsonObject json(String type, byte[] body) {
        boolean looksJson = type == null ? body.length > 0 && body[0] == '{'
                : type.toLowerCase(Locale.ROOT).contains("json");
        if (!looksJson || body.length == 0) {
            return null;
        }
        try {
            return Buffer.buffer(body).toJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private synchronized void add(RecordedRequest r) {
        requests.addLast(r);
        if (requests.size() > MAX_KEPT) {
            requests.removeFirst();
        }
    }

    synchronized List<RecordedRequest> snapshot() {
        return List.copyOf(new ArrayList<>(requests));
    }

    synchronized void clear() {
        requests.clear();
    }
}
