package io.imagegen.common.lifecycle;

import io.imagegen.common.config.ConfigException;
import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@code main()} of a service: start, exit 2 on a configuration error (docs/configuration.md), exit 1 when a
 * dependency refuses us, and on SIGTERM close (drain) and exit 0.
 */
public final class Launcher {
  /** How long start-up may wait for the broker and the object store before giving up. */
  private static final long START_MINUTES = 2;

  private Launcher() {
  }

  /**
   * Starts {@code service} with {@code start} (which throws {@link ConfigException} at once for bad settings), hands
   * the running service to {@code started}, and closes it when the JVM is asked to stop.
   */
  public static <R extends AutoCloseable> void launch(String service, Supplier<Future<R>> start,
      Consumer<R> started) throws InterruptedException {
    R running;
    try {
      running = start.get().toCompletionStage().toCompletableFuture().get(START_MINUTES, TimeUnit.MINUTES);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    } catch (ExecutionException | TimeoutException e) {
      // A dependency (broker, object store) is unreachable or refused us: say which, without a stack trace.
      System.err.println(service + " could not start: " + (e.getCause() == null ? e : e.getCause().getMessage()));
      System.exit(1);
      return;
    }
    started.accept(running);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running.close();
      } catch (Exception e) {
        // Not halted: the JVM's own exit status then tells the orchestrator the drain failed.
        throw new IllegalStateException(service + " did not close cleanly", e);
      }
      // A JVM ended by SIGTERM exits 143 even after a clean drain, which orchestrators count as a failure.
      Runtime.getRuntime().halt(0);
    }, service + "-shutdown"));
  }
}
