package io.imagegen.worker.providers;

import static org.awaitility.Awaitility.await;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

/**
 * Catalog entries re-pointed at the fake, calls on an event loop, waits on futures, small images and result bytes
 * wherever they live (tests only).
 */
public final class ProviderFixtures {
  private ProviderFixtures() {
  }

  /** A copy of {@code m} reached at {@code baseUrl}, with another attempt timeout when given. */
  public static ModelSpec repointed(ModelSpec m, String baseUrl, Duration attemptTimeout) {
    return new ModelSpec(m.id(), m.name(), m.author(), m.slug(), m.provider(), m.upstreamModel(), baseUrl,
        m.apiKeyEnv(), m.asyncOnly(), m.limits(), m.defaults(), m.params(), m.passthrough(),
        attemptTimeout == null ? m.timeouts() : new ModelSpec.Timeouts(attemptTimeout, m.timeouts().deadline()),
        m.concurrency(), m.pricing(), m.variations(), m.api());
  }

  /** Runs {@code call} on an event loop, where workers call providers, and hands back its outcome. */
  public static <T> Future<T> onLoop(Vertx vertx, Supplier<Future<T>> call) {
    Promise<T> promise = Promise.promise();
    vertx.getOrCreateContext().runOnContext(ignored -> call.get().onComplete(promise));
    return promise.future();
  }

  /** The value {@code future} succeeds with; a failure fails the test. */
  public static <T> T result(Future<T> future) {
    completed(future);
    if (future.failed()) {
      throw new AssertionError("expected success, got " + future.cause(), future.cause());
    }
    return future.result();
  }

  /** The {@link UpstreamException} {@code future} fails with; anything else fails the test. */
  public static UpstreamException failure(Future<?> future) {
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
  public static byte[] image(String format, int width, int height) {
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

  /** {@code bytes} decoded as an image. */
  public static BufferedImage decode(byte[] bytes) {
    try {
      return ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bytes of a result image, read from its spool file when it has one. */
  public static byte[] bytesOf(Generation.Image image) {
    if (!image.spooled()) {
      return image.bytes();
    }
    try {
      return Files.readAllBytes(image.file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code body} as a response parser sees an answer from which nothing was spooled. */
  public static StreamingImageBody.Result unspooled(Buffer body) {
    return new StreamingImageBody.Result(body, false, List.of());
  }
}
