package io.imagegen.worker.providers;

import io.imagegen.common.tasks.Usage;
import java.util.List;

/** A provider's successful answer. */
public record Generation(List<Image> images, Usage usage) {
  /** One image's bytes; {@code revisedPrompt} is {@code null} when the vendor does not report one. */
  public record Image(byte[] bytes, String contentType, String revisedPrompt) {
  }

  public Generation {
    images = List.copyOf(images);
  }
}
