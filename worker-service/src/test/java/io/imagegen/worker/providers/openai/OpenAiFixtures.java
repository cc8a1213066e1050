package io.imagegen.worker.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.imagegen.worker.providers.GenerationRequest;
import io.vertx.core.Future;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Catalog models re-pointed at the fake upstream, tasks, and waiting on futures without sleeping. */
final class OpenAiFixtures {
  static final ModelCatalog CATALOG = ModelCatalog.load(null);
  static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G'};

  private OpenAiFixtures() {
  }

  /** The bundled catalog entry {@code id}, unchanged. */
  static ModelSpec model(String id) {
    return CATALOG.find(id).orElseThrow(() -> new IllegalArgumentException("no model " + id + " in the catalog"));
  }

  /** The bundled catalog entry {@code id} with another base URL. */
  static ModelSpec model(String id, String baseUrl) {
    ModelSpec m = model(id);
    return copy(m, baseUrl, m.passthrough(), m.timeouts());
  }

  static ModelSpec withPassthrough(ModelSpec m, List<String> passthrough) {
    return copy(m, m.baseUrl(), passthrough, m.timeouts());
  }

  static ModelSpec withAttemptTimeout(ModelSpec m, Duration attempt) {
    return copy(m, m.baseUrl(), m.passthrough(), new ModelSpec.Timeouts(attempt, m.timeouts().deadline()));
  }

  private static ModelSpec copy(ModelSpec m, String baseUrl, List<String> passthrough, ModelSpec.Timeouts timeouts) {
    return new ModelSpec(m.id(), m.name(), m.author(), m.slug(), m.provider(), m.upstreamModel(), baseUrl,
        m.apiKeyEnv(), m.asyncOnly(), m.limits(), m.defaults(), m.params(), passthrough, timeouts, m.concurrency(),
        m.pricing(), m.variations(), m.api());
  }

  static GenerationRequest generation(ModelSpec model, String prompt, String size, String quality, int n,
      Map<String, Object> params) {
    return request(model, prompt, size, quality, n, "generation", params);
  }

  static GenerationRequest edit(ModelSpec model, String prompt, String size, String quality, int n,
      Map<String, Object> params) {
    return request(model, prompt, size, quality, n, "edit", params);
  }

  /** A variation task: one stored input, no prompt. */
  static GenerationRequest variation(ModelSpec model, String size, int n, Map<String, Object> params) {
    return request(model, null, size, "standard", n, "variation", params);
  }

  private static GenerationRequest request(ModelSpec model, String prompt, String size, String quality, int n,
      String mode, Map<String, Object> params) {
    Task task = Task.queued("image_0123456789abcdef", "owner-1", Instant.now(), Duration.ofHours(1), model.id(),
        prompt, size, quality, n, mode, params).running(Instant.now());
    return new GenerationRequest(task, model, 1);
  }

  /** The future's result, waiting for it without blocking a Vert.x thread. */
  static <T> T result(Future<T> future) {
    awaitCompletion(future);
    if (future.failed()) {
      throw new AssertionError("expected success, got " + future.cause(), future.cause());
    }
    return future.result();
  }

  /** The future's failure, which must be one of the project's exceptions. */
  static ImageGenException failure(Future<?> future) {
    awaitCompletion(future);
    assertThat(future.failed()).as("future failed").isTrue();
    assertThat(future.cause()).isInstanceOf(ImageGenException.class);
    return (ImageGenException) future.cause();
  }

  private static void awaitCompletion(Future<?> future) {
    await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
        .until(future::isComplete);
  }

  /** A real encoded image, so uploads carry bytes a vendor would accept. */
  static byte[] image(String format, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0xFF8800);
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ImageIO.write(img, format, out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
