package io.imagegen.fake;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stand-in for the upstream image vendors (OpenAI, DashScope, Ark Seedream, Gemini) that speaks their
 * wire formats and fails on demand. Owns its Vert.x instance; start it, point clients at
 * {@link #baseUrl()}, close it.
 */
public final class FakeUpstream implements AutoCloseable {

    /** The only API key every vendor endpoint accepts ({@code Bearer fake-key} / {@code x-goog-api-key}). */
    public static final String API_KEY = "fake-key";

    private static final long TIMEOUT_SECONDS = 15;

    private final Vertx vertx;
    private final HttpServer server;
    private final Shared shared;
    private final Recorder recorder;
    private final InFlight inFlight;
    private final DashScopeVendor dashScope;

    private FakeUpstream(Vertx vertx, Shared shared, Recorder recorder, InFlight inFlight, DashScopeVendor dashScope,
                         HttpServer server) {
        this.vertx = vertx;
        this.shared = shared;
        this.recorder = recorder;
        this.inFlight = inFlight;
        this.dashScope = dashScope;
        this.server = server;
    }

    /** Starts listening on {@code port} (0 = any free port) on all interfaces; returns once bound. */
    public static FakeUpstream start(int port) {
        requireCallerThread();
        Vertx vertx = Vertx.vertx();
        Shared shared = new Shared(vertx);
        Recorder recorder = new Recorder();
        InFlight inFlight = new InFlight();
        DashScopeVendor dashScope = new DashScopeVendor(shared);
        Router router = Router.router(vertx);
        FakeUpstream[] self = new FakeUpstream[1];
        // Admin first: its routes end the exchange, so admin calls never reach the recorder.
        new AdminApi(shared, recorder, inFlight, () -> self[0].reset()).register(router);
        router.route().handler(inFlight::handle);
        router.route().handler(recorder::handle);
        router.get("/files/:file").handler(ctx -> serveFile(shared, ctx));
        new OpenAiVendor(shared).register(router);
        dashScope.register(router);
        new ArkVendor(shared).register(router);
        new GeminiVendor(shared).register(router);
        try {
            HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(port, "0.0.0.0"));
            self[0] = new FakeUpstream(vertx, shared, recorder, inFlight, dashScope, server);
            return self[0];
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /** The bound port. */
    public int port() {
        return server.actualPort();
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Every vendor request received so far (admin calls excluded), oldest first. */
    public List<RecordedRequest> requests() {
        return recorder.snapshot();
    }

    /**
     * DashScope async tasks created per prompt since the last reset: the vendor's bill, counted apart from the bounded
     * request recording so that thousands of task queries cannot push a submit out of it.
     */
    public Map<String, Integer> dashScopeSubmits() {
        return dashScope.submitsByPrompt();
    }

    /** Forgets recorded requests, DashScope tasks, served files and rate windows; restores normal behaviour. */
    public void reset() {
        recorder.clear();
        inFlight.resetMax();
        shared.faults.set(Behaviour.normal());
        shared.files.clear();
        dashScope.reset();
    }

    /** Sets the behaviour of all vendors from now on; restarts the failTimes count. */
    public void behave(Behaviour b) {
        shared.faults.set(java.util.Objects.requireNonNull(b, "behaviour"));
    }

    /** The most vendor calls (non-GET requests) this server has had in progress at once since the last reset. */
    public int maxInFlight() {
        return inFlight.max();
    }

    /** The behaviour currently in force. */
    public Behaviour behaviour() {
        return shared.faults.current();
    }

    /** Stops the server and its Vert.x instance; blocks until done. */
    @Override
    public void close() {
        requireCallerThread();
        // Wait from this (non-Vert.x) thread: callbacks chained on a closing Vert.x context are dropped.
        await(vertx.close());
    }

    private static void serveFile(Shared shared, RoutingContext ctx) {
        String name = ctx.pathParam("file");
        byte[] png = shared.files.get(name.endsWith(".png") ? name.substring(0, name.length() - 4) : name);
        if (png == null) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("no such file");
            return;
        }
        // Result URLs are pre-signed by the real vendors, so no auth here either.
        shared.responder.send(ctx, 200, "image/png", io.vertx.core.buffer.Buffer.buffer(png),
                shared.faults.current());
    }

    /** Blocking here from an event loop would deadlock, so refuse early with a clear message. */
    private static void requireCallerThread() {
        if (Context.isOnVertxThread()) {
            throw new IllegalStateException("FakeUpstream.start/close must not be called on a Vert.x thread");
        }
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("fake upstream " + e.getMessage(), e);
        }
    }
}
