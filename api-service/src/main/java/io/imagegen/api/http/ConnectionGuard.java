package io.imagegen.api.http;

import io.imagegen.common.errors.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@link EdgeLimits} on connections (docs/operations.md, Security): refuses connections over the maximum,
 * closes a connection whose request headers are not complete in time (slowloris), and answers 408 and closes when a
 * body is not complete in time. Netty's idle timeout alone would not do: every trickled byte resets it, and it
 * would also cut long-polls that legitimately send nothing for a minute. All state is owned by the server's context.
 */
final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

  /** One open connection: the deadline for its next request's headers, and how many of its requests are open. */
  private final class Watch {
    private final HttpConnection connection;
    private long deadline = -1;
    private int inFlight;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }

    void awaitRequest(Duration within) {
      cancel();
      deadline = vertx.setTimer(within.toMillis(), id -> {
        LOG.debug("closing a connection from {}: no complete request headers within {}", connection.remoteAddress(),
            within);
        connection.close();
      });
    }

    void cancel() {
      if (deadline >= 0) {
        vertx.cancelTimer(deadline);
        deadline = -1;
      }
    }
  }

  private final Vertx vertx;
  private final EdgeLimits limits;
  private final HttpServerOptions serverOptions;
  private final Map<HttpConnection, Watch> open = new HashMap<>();

  ConnectionGuard(Vertx vertx, EdgeLimits limits, HttpServerOptions serverOptions) {
    this.vertx = vertx;
    this.limits = limits;
    this.serverOptions = serverOptions;
  }

  /** The server's connection handler: admits or closes, then starts the header deadline. */
  void onConnection(HttpConnection connection) {
    if (open.size() >= limits.maxConnections()) {
      LOG.debug("refusing a connection from {}: {} open (IMAGEGEN_HTTP_MAX_CONNECTIONS)", connection.remoteAddress(),
          open.size());
      connection.close();
      return;
    }
    Watch watch = new Watch(connection);
    open.put(connection, watch);
    connection.closeHandler(v -> {
      watch.cancel();
      open.remove(connection);
    });
    StrictFraming.install(connection, serverOptions);
    watch.awaitRequest(limits.headerTimeout());
  }

  /** The first route handler: the headers arrived in time; now the body and, after the response, the next request. */
  void onRequest(RoutingContext ctx) {
    Watch watch = open.get(ctx.request().connection());
    if (watch != null) {
      watch.cancel();
      watch.inFlight++;
    }
    long bodyTimer = vertx.setTimer(limits.bodyTimeout().toMillis(), id -> {
      if (!ctx.request().isEnded() && !ctx.response().ended()) {
        LOG.debug("closing a connection from {}: body not complete within {}", ctx.request().remoteAddress(),
            limits.bodyTimeout());
        HttpErrors.closing(ctx, ErrorCode.REQUEST_TIMEOUT, "The request body did not arrive within "
            + limits.bodyTimeout().toSeconds() + " seconds.");
      }
    });
    ctx.addEndHandler(ended -> {
      vertx.cancelTimer(bodyTimer);
      if (watch != null && --watch.inFlight == 0 && open.containsKey(watch.connection)) {
        watch.awaitRequest(limits.idleTimeout());
      }
    });
    ctx.next();
  }

  /** The first failure handler: a client that hung up mid-request is routine, not a server fault worth an ERROR. */
  void onFailure(RoutingContext ctx) {
    if (ctx.failure() instanceof HttpClosedException) {
      LOG.debug("client {} closed the connection during {} {}", ctx.request().remoteAddress(), ctx.request().method(),
          ctx.request().path());
      return;
    }
    ctx.next();
  }
}
