package io.imagegen.worker.providers.ark;

import static org.awaitility.Awaitility.await;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

/** Models, tasks, images and future helpers shared by the Ark tests. */
final class ArkFixtures {
  static final ModelSpec SEEDREAM = ModelCatalog.load(null).find("seedream-4.5").orElseThrow();

  private ArkFixtures() {
  }

  /** The catalog's seedream-4.5 pointed at {@code baseUrl}, with another attempt timeout when given. */
  static ModelSpec model(String baseUrl, Duration attemptTimeout) {
    ModelSpec m = SEEDREAM;
    return new ModelSpec(m.id(), m.name(), m.author(), m.slug(), m.provider(), m.upstreamModel(), baseUrl,
        m.apiKeyEnv(), m.asyncOnly(), m.limits(), m.defaults(), m.params(), m.passthrough(),
        attemptTimeout == null ? m.timeouts() : new ModelSpec.Timeouts(attemptTimeout, m.timeouts().deadline()),
        m.concurrency(), m.pricing());
  }

  static ModelSpec model(String baseUrl) {
    return model(baseUrl, null);
  }

  static Task task(String prompt, String size, int n, String mode, Map<String, Object> params) {
    return Task.queued("image_test", "owner-1", Instant.now(), Duration.ofHours(1), SEEDREAM.id(), prompt, size,
        "auto", n, mode, params);
  }

  static Task generation(String prompt, Map<String, Object> params) {
    return task(prompt, "1024x1024", 1, "generation", params);
  }

  /** Runs {@code call} on an event loop, where workers call providers, and hands back its outcome. */
  static <T> Future<T> onLoop(Vertx vertx, Supplier<Future<T>> call) {
    Promise<T> promise = Promise.promise();
    vertx.getOrCreateContext().runOnContext(ignored -> call.get().onComplete(promise));
    return promise.future();
  }

  static <T> T result(Future<T> future) {
    completed(future);
    if (future.failed()) {
      throw new AssertionError("expected success, got " + future.cause(), future.cause());
    }
    return future.result();
  }

  static UpstreamException failure(Future<?> future) {
    completed(future);
    if (future.succeeded()) {
      throw new AssertionError("expected a failure, got " + future.result());
    }
    if (!(future.cause() instanceof UpstreamException e)) {
      throw new AssertionError("expected an UpstreamException, got " + future.cause(), future.cause());
    }
    return e;
  }

  /** Polls often: Awaitility's default 100 ms first poll would dominate these fast tests. */
  private static void completed(Future<?> future) {
    await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(10))
        .until(future::isComplete);
  }

  /** A small real image in {@code format} ("png", "jpg"). */
  static byte[] image(String format, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.ORANGE);
    g.fillRect(0, 0, width, height);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, format, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static BufferedImage decode(byte[] bytes) {
    try {
      return ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
