package io.imagegen.worker.providers.ark;

import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.imagegen.worker.providers.ProviderFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The model and tasks of the Ark tests; the rest comes from {@link ProviderFixtures}. */
final class ArkFixtures {
  static final ModelSpec SEEDREAM = ModelCatalog.load(null).find("seedream-4.5").orElseThrow();

  private ArkFixtures() {
  }

  /** The catalog's seedream-4.5 pointed at {@code baseUrl}, with another attempt timeout when given. */
  static ModelSpec model(String baseUrl, Duration attemptTimeout) {
    return ProviderFixtures.repointed(SEEDREAM, baseUrl, attemptTimeout);
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
}
