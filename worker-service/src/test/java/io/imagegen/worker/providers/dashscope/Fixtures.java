package io.imagegen.worker.providers.dashscope;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.imagegen.worker.providers.ProviderFixtures;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Catalog entries pointed at the fake upstream, tasks, and blocking waits for futures (tests only). */
final class Fixtures {
  private static final ModelCatalog CATALOG = ModelCatalog.load(null);
  private static final long WAIT_SECONDS = 15;

  private Fixtures() {
  }

  /** The bundled catalog entry {@code id}, reached at {@code baseUrl} instead of the vendor. */
  static ModelSpec model(String id, String baseUrl) {
    return ProviderFixtures.repointed(CATALOG.find(id).orElseThrow(), baseUrl, null);
  }

  static Task task(ModelSpec model, String prompt, String size, int n, Map<String, Object> params) {
    return Task.queued("task-" + System.nanoTime(), "owner-1", Instant.now(), Duration.ofHours(1), model.id(),
        prompt, size, "auto", n, "generation", params).running(Instant.now());
  }

  static <T> T result(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success but failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no outcome within " + WAIT_SECONDS + " s", e);
    }
  }

  static UpstreamException failure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure but got " + value);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(UpstreamException.class);
      return (UpstreamException) e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("no outcome within " + WAIT_SECONDS + " s", e);
    }
  }
}
