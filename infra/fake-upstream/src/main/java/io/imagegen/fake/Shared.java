package io.imagegen.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/** What every vendor handler needs: knobs, images, files and the response writer. */
final class Shared {

    /** The one key every vendor accepts, so that wrong-key tests have something to be wrong against. */
    static final String API_KEY = FakeUpstream.API_KEY;

    /** Writes a vendor-shaped error for an injected failure status. */
    @FunctionalInterface
    interface FailureWriter {
        void write(RoutingContext ctx, int status, Behaviour b);
    }

    final Vertx vertx;
    final Faults faults = new Faults();
    final PngFactory pngs;
    final FileStore files = new FileStore(faults);
    final Responder responder;

    Shared(Vertx vertx) {
        this.vertx = vertx;
        this.pngs = new PngFactory(vertx);
        this.responder = new Responder(vertx);
    }

    /**
     * The steps shared by every generation request, after auth and validation: hang, then injected
     * failure. Returns the behaviour to carry on with, or null when the request is already dealt with.
     */
    Behaviour admit(RoutingContext ctx, FailureWriter failure) {
        if (faults.current().hang()) {
            return null; // keep the connection open and silent: the client's timeout must fire
        }
        Faults.Decision d = faults.next();
        if (d.fail()) {
            failure.write(ctx, d.behaviour().failStatus(), d.behaviour());
            return null;
        }
        return d.behaviour();
    }

    /** {@code n} images of one size (n >= 0), padded per the behaviour. */
    Future<List<PngFactory.Png>> images(int n, Sizes.Size size, String prompt, Behaviour b) {
        List<Future<PngFactory.Png>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(pngs.png(size.width(), size.height(), prompt, b.imageBytes()));
        }
        return Future.all(all).map(cf -> cf.<PngFactory.Png>list());
    }

    /** True when {@code Authorization: Bearer <key>} carries the fake key. */
    static boolean bearerOk(RoutingContext ctx) {
        return ("Bearer " + API_KEY).equals(ctx.request().getHeader("Authorization"));
    }

    /** The key part of a bearer header, for per-key limits; "" when absent. */
    static String bearerKey(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        return h != null && h.startsWith("Bearer ") ? h.substring(7) : "";
    }

    /** Clamps a requested image count to a sane range; real vendors cap at 10-15. */
    static int count(Integer n, int fallback, int max) {
        return n == null ? fallback : Math.max(1, Math.min(max, n));
    }
}
