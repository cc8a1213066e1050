package io.imagegen.worker.providers.demo;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ImageProvider;
import io.imagegen.worker.providers.ProviderContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The offline model: renders deterministic art from the prompt after a configurable delay that stands in for a
 * real model's latency. Prompt keywords exercise the failure paths: {@code #fail} fails permanently, {@code #flaky}
 * fails its first attempt with a retryable error, {@code #down} fails every attempt with one (retries run out),
 * {@code #slow} takes {@link #SLOW} (time to cancel or crash).
 */
public final class DemoProvider implements ImageProvider {
  /** Latency of a {@code #slow} prompt. */
  static final Duration SLOW = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final ProviderContext context;
  private final Duration latency;

  public DemoProvider(ProviderContext context, Duration latency) {
    this.vertx = context.vertx();
    this.context = context;
    this.latency = latency;
  }

  /** Four 2048x2048 images: a few hundred milliseconds of one core, the most one demo request may take. */
  static final long MAX_PIXELS_PER_REQUEST = 4L * 2048 * 2048;

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public Future<Generation> generate(GenerationRequest request) {
    // A variation has no prompt; the demo renders it from the empty one.
    String prompt = request.task().prompt() == null ? "" : request.task().prompt();
    Duration delay = prompt.contains("#slow") ? SLOW : latency;
    Future<Void> waited = delay.isZero()
        ? Future.succeededFuture()
        : vertx.timer(delay.toMillis()).mapEmpty();
    // Edits read their stored inputs like a real adapter would, so the whole input path is exercised offline.
    return waited.compose(ignored -> context.inputImages(request.task())).compose(inputs -> {
      if (prompt.contains("#fail")) {
        return Future.failedFuture(new UpstreamException(ErrorCode.DEMO_FAILURE,
            "The demo model was asked to fail (#fail in the prompt).", null));
      }
      if (prompt.contains("#down")) {
        return Future.failedFuture(new UpstreamException(ErrorCode.DEMO_UNAVAILABLE,
            "The demo model is down for this prompt (#down in the prompt).", null));
      }
      if (prompt.contains("#refuse")) {
        return Future.failedFuture(new UpstreamException(ErrorCode.CONTENT_POLICY_VIOLATION,
            "The demo model's moderation refused the prompt (#refuse in the prompt).", null));
      }
      if (prompt.contains("#flaky") && request.attempt() == 1) {
        return Future.failedFuture(new UpstreamException(ErrorCode.DEMO_TRANSIENT,
            "The demo model failed its first attempt on purpose (#flaky in the prompt).", null));
      }
      String revised = inputs.isEmpty() ? prompt : "variation".equals(request.task().mode())
          ? "variation of " + inputs.size() + " image(s)"
          : prompt + " (edit of " + inputs.size() + " image(s)"
              + (request.task().params().containsKey("mask_key") ? " with a mask)" : ")");
      String[] size = request.task().size().split("x");
      int width = Integer.parseInt(size[0]);
      int height = Integer.parseInt(size[1]);
      if ((long) width * height * request.task().n() > MAX_PIXELS_PER_REQUEST) {
        // Whatever a catalog allows, one request may not occupy a worker thread for seconds of rendering.
        return Future.failedFuture(UpstreamException.permanent(ErrorCode.DEMO_FAILURE, "The demo model renders at "
            + "most " + MAX_PIXELS_PER_REQUEST + " pixels per request.", null));
      }
      // Rendering is CPU work: keep it off the event loop.
      return vertx.executeBlocking(() -> {
        List<Generation.Image> images = new ArrayList<>();
        for (int i = 0; i < request.task().n(); i++) {
          images.add(new Generation.Image(DemoRenderer.renderPng(prompt, width, height, i), "image/png", revised));
        }
        return new Generation(images, Usage.images(images.size()));
      }, false);
    });
  }
}
