package io.imagegen.worker.providers.gemini;

import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.imagegen.worker.providers.ProviderFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The model and tasks of the Gemini tests; the rest comes from {@link ProviderFixtures}. */
final class GeminiFixtures {
  static final ModelSpec NANO_BANANA = ModelCatalog.load(null).find("nano-banana-pro").orElseThrow();

  private GeminiFixtures() {
  }

  /** The catalog's nano-banana-pro pointed at {@code baseUrl}, with another attempt timeout when given. */
  static ModelSpec model(String baseUrl, Duration attemptTimeout) {
    return ProviderFixtures.repointed(NANO_BANANA, baseUrl, attemptTimeout);
  }

  static ModelSpec model(String baseUrl) {
    return model(baseUrl, null);
  }

  static Task task(String prompt, String size, String quality, int n, String mode, Map<String, Object> params) {
    return Task.queued("image_test", "owner-1", Instant.now(), Duration.ofHours(1), NANO_BANANA.id(), prompt, size,
        quality, n, mode, params);
  }

  static Task generation(String prompt, Map<String, Object> params) {
    return task(prompt, "1024x1024", "auto", 1, "generation", params);
  }
}
