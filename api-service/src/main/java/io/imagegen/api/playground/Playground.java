package io.imagegen.api.playground;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The playground page (docs/api.md#playground): static files from the jar at {@code /}, {@code /playground} and
 * {@code /playground/*}, served without a key because they hold no data; every API call the page makes sends the
 * key the user pasted.
 */
public final class Playground {
  /** Classpath folder of the page's HTML, CSS and JavaScript modules. */
  private static final String WEBROOT = "imagegen/playground";
  /**
   * Scripts, styles and API calls from this origin only, no inline script. Images are the one exception: result
   * URLs point at the object store (presigned, public-read or a CDN; docs/configuration.md), an origin the edge
   * does not know.
   */
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
      + "img-src 'self' data: blob: http: https:; object-src 'none'; base-uri 'none'; form-action 'self'; "
      + "frame-ancestors 'none'";

  private Playground() {
  }

  /** Adds the page's routes to {@code router}; none of them asks for a key. */
  public static void mount(Router router) {
    router.route("/playground/*").handler(Playground::securityHeaders);
    router.get("/").handler(ctx -> ctx.reroute("/playground/index.html"));
    router.get("/playground").handler(ctx -> ctx.redirect("/"));
    router.get("/playground/*").handler(StaticHandler.create(WEBROOT)
        .setIndexPage("index.html")
        .setDirectoryListing(false)
        // A redeploy must reach open browsers on their next load; the files are small.
        .setCachingEnabled(false));
  }

  private static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Cache-Control", "no-cache");
    ctx.next();
  }
}
