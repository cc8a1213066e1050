package io.imagegen.common.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocking shutdown steps for the services' {@code close()}: each step gets its own time limit and a failed step
 * does not stop the next one. Must be called from a thread that is not Vert.x's own: a callback chained on a
 * context whose event loop is shutting down is silently dropped, so Vert.x is closed and awaited from outside.
 */
public final class Shutdown {
  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

  private Shutdown() {
  }

  /** Waits for {@code step} up to {@code timeout}; logs instead of throwing so later steps still run. */
  public static void await(String name, Future<?> step, Duration timeout) {
    try {
      step.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("shutdown step '{}' did not finish within {}", name, timeout);
    } catch (ExecutionException e) {
      LOG.warn("shutdown step '{}' failed: {}", name, e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("shutdown step '{}' interrupted", name);
    }
  }

  /** Runs a blocking close action, logging instead of throwing. */
  public static void run(String name, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.warn("shutdown step '{}' failed: {}", name, e.toString());
    }
  }

  /** Closes {@code vertx} (its event loops and worker threads) and waits for that. */
  public static void closeVertx(Vertx vertx, Duration timeout) {
    await("vertx", vertx.close(), timeout);
  }
}
