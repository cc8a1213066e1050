package io.imagegen.worker.providers;

import io.vertx.core.Future;

/**
 * One upstream vendor's wire protocol. Implementations never block the calling event loop and fail with
 * {@code UpstreamException} whose retryable flag follows the vendor's documented semantics.
 */
public interface ImageProvider {
  /** The catalog's {@code provider} value this adapter serves. */
  String name();

  /** Generates the images {@code request} asks for. */
  Future<Generation> generate(GenerationRequest request);
}
