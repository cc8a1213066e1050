package io.imagegen.common.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {
  private static ModelSpec spec(String id, String provider, int maxN, int maxPromptLength, List<String> sizes,
      int minSide, int maxSide) {
    return withDefaults(id, provider, maxN, maxPromptLength, sizes, minSide, maxSide, "1024x1024");
  }

  private static ModelSpec withDefaults(String id, String provider, int maxN, int maxPromptLength,
      List<String> sizes, int minSide, int maxSide, String defaultSize) {
    return new ModelSpec(id, null, "author", id, provider, "upstream-" + id, null, null, false,
        new ModelSpec.Limits(maxN, maxPromptLength, sizes, minSide, maxSide, 0),
        new ModelSpec.Defaults(defaultSize, "auto"), Map.of(), null, null, null, null);
  }

  private static ModelSpec valid(String id) {
    return spec(id, "demo", 4, 1000, List.of(), 64, 2048);
  }

  @Test
  void theBundledCatalogOffersNoDemoModelAndTheDemoCatalogAddsThem() {
    assertThat(ModelCatalog.load(null).find("demo")).isEmpty();
    ModelCatalog catalog = ModelCatalog.load(ModelCatalog.WITH_DEMO);

    assertThat(catalog.find("dall-e-3")).isPresent();
    ModelSpec demo = catalog.find("demo-async").orElseThrow();
    assertThat(demo.asyncOnly()).isTrue();
    assertThat(demo.provider()).isEqualTo("demo");
    assertThat(demo.limits().maxN()).isEqualTo(4);
    assertThat(demo.limits().sizes()).isEmpty();
    assertThat(demo.limits().minSide()).isEqualTo(64);
    assertThat(demo.limits().maxSide()).isEqualTo(2048);
    assertThat(demo.defaults().size()).isEqualTo("1024x1024");
    assertThat(demo.defaults().quality()).isEqualTo("auto");
    assertThat(demo.supports("seed")).isTrue();
    assertThat(demo.supports("style")).isFalse();
    assertThat(demo.allowedValues("quality")).containsExactly("auto", "low", "medium", "high");
    assertThat(demo.allowedValues("seed")).isEmpty();
    assertThat(catalog.all()).contains(demo);
  }

  @Test
  void anUnknownModelIsNotFound() {
    assertThat(ModelCatalog.load(null).find("dall-e-9")).isEmpty();
  }

  @Test
  void aConsistentListBecomesACatalog() {
    ModelCatalog catalog = ModelCatalog.of(List.of(valid("a"), spec("b", "openai", 1, 1, List.of("1024x1024"), 0, 0)));

    assertThat(catalog.all()).extracting(ModelSpec::id).containsExactlyInAnyOrder("a", "b");
    assertThat(catalog.find("b")).map(ModelSpec::provider).contains("openai");
  }

  @Test
  void aModelListedTwiceIsRejectedByName() {
    assertThatThrownBy(() -> ModelCatalog.of(List.of(valid("twin"), valid("other"), valid("twin"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model 'twin' is listed twice")
        .hasMessageNotContaining("'other'");
  }

  @Test
  void aModelWithoutAProviderIsRejectedByName() {
    assertThatThrownBy(() -> ModelCatalog.of(List.of(spec("orphan", null, 4, 1000, List.of(), 64, 2048))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model 'orphan': provider is required");
  }

  @Test
  void aModelWithoutAnIdIsRejected() {
    assertThatThrownBy(() -> ModelCatalog.of(List.of(valid(" "))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry #0 has no id");
    assertThatThrownBy(() -> ModelCatalog.of(List.of(valid(null))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry #0 has no id");
  }

  @Test
  void maxNBelowOneIsRejectedByName() {
    assertThatThrownBy(() -> ModelCatalog.of(List.of(spec("zero-n", "demo", 0, 1000, List.of(), 64, 2048))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model 'zero-n': max_n must be at least 1");
  }

  @Test
  void maxPromptLengthBelowOneIsRejectedByName() {
    assertThatThrownBy(() -> ModelCatalog.of(List.of(spec("mute", "demo", 1, 0, List.of(), 64, 2048))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model 'mute': max_prompt_length must be at least 1");
  }

  @Test
  void withoutFixedSizesTheSideLimitsMustFormARange() {
    assertThatThrownBy(() -> ModelCatalog.of(List.of(spec("inverted", "demo", 1, 10, List.of(), 512, 256))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model 'inverted': without sizes, min_side and max_side must form a range");
    assertThatThrownBy(() -> ModelCatalog.of(List.of(spec("zero-side", "demo", 1, 10, List.of(), 0, 256))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model 'zero-side'");
  }

  @Test
  void aSingleSideSizeRangeIsAcceptable() {
    ModelSpec withMatchingDefault = withDefaults("square", "demo", 1, 10, List.of(), 512, 512, "512x512");
    assertThat(ModelCatalog.of(List.of(withMatchingDefault)).find("square")).isPresent();
  }

  @Test
  void aDefaultSizeTheModelWouldRejectIsRefused() {
    assertThatThrownBy(() -> ModelCatalog.of(List.of(spec("square", "demo", 1, 10, List.of(), 512, 512))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model 'square': default size '1024x1024'");
  }

  @Test
  void everyBrokenModelIsNamedInOneMessage() {
    assertThatThrownBy(() -> ModelCatalog.of(List.of(
        spec("no-provider", null, 1, 10, List.of(), 64, 128),
        spec("no-n", "demo", 0, 10, List.of(), 64, 128))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model 'no-provider'")
        .hasMessageContaining("model 'no-n'");
  }

  @Test
  void specsCopyTheirListsAndFillOptionalGroups() {
    List<String> sizes = new ArrayList<>(List.of("512x512"));
    ModelSpec spec = new ModelSpec("m", null, "a", "m", "demo", null, null, null, false,
        new ModelSpec.Limits(1, 1, sizes, 0, 0, 0), new ModelSpec.Defaults("512x512", "auto"), null, null, null, null,
        null);

    sizes.add("1024x1024");

    assertThat(spec.limits().sizes()).containsExactly("512x512");
    assertThat(spec.params()).isEmpty();
    assertThat(spec.passthrough()).isEmpty();
    assertThat(spec.name()).isEqualTo("m");
    assertThat(spec.attemptTimeout()).isEqualTo(ModelSpec.DEFAULT_ATTEMPT_TIMEOUT);
    assertThat(spec.deadlineOr(java.time.Duration.ofMinutes(7))).isEqualTo(java.time.Duration.ofMinutes(7));
    assertThat(spec.supportsEdits()).isFalse();
  }

  @Test
  void everyBundledModelPassesTheCatalogChecksAndCanBeFoundByAuthorAndSlug() {
    ModelCatalog catalog = ModelCatalog.load(null);

    assertThat(catalog.all()).extracting(ModelSpec::id).contains("gpt-image-1", "dall-e-2",
        "dall-e-3", "qwen-image-2.0", "seedream-4.0", "seedream-4.5", "dola-seedream-5.0-lite", "nano-banana-pro",
        "kling-image-o1", "glm-image");
    assertThat(catalog.findBySlug("bytedance-seed", "seedream-4.5")).map(ModelSpec::id).contains("seedream-4.5");
    assertThat(catalog.find("dall-e-3").orElseThrow().limits().maxN()).isEqualTo(1);
    assertThat(catalog.find("gpt-image-1").orElseThrow().attemptTimeout()).isEqualTo(java.time.Duration.ofMinutes(5));
  }

  @Test
  void aCatalogFileOnDiskLoadsWithSnakeCaseFields(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("models.json");
    Files.writeString(file, """
        {"models": [{
          "id": "fixed-sizes", "author": "openai", "slug": "fixed", "provider": "openai",
          "upstream_model": "gpt-image-1", "async_only": false,
          "limits": {"max_n": 2, "max_prompt_length": 32000, "sizes": ["1024x1024", "1536x1024"]},
          "defaults": {"size": "1024x1024", "quality": "high"},
          "params": {"style": ["vivid", "natural"]},
          "timeouts": {"attempt": "90s"},
          "pricing": {"per_image": 0.04, "currency": "USD"},
          "some_future_field": true
        }]}
        """, StandardCharsets.UTF_8);

    ModelCatalog catalog = ModelCatalog.load(file.toString());

    ModelSpec model = catalog.find("fixed-sizes").orElseThrow();
    assertThat(catalog.all()).hasSize(1);
    assertThat(model.provider()).isEqualTo("openai");
    assertThat(model.upstreamModel()).isEqualTo("gpt-image-1");
    assertThat(model.asyncOnly()).isFalse();
    assertThat(model.limits().maxN()).isEqualTo(2);
    assertThat(model.limits().maxPromptLength()).isEqualTo(32000);
    assertThat(model.limits().sizes()).containsExactly("1024x1024", "1536x1024");
    assertThat(model.defaults().quality()).isEqualTo("high");
    assertThat(model.attemptTimeout()).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(model.pricing().perImage()).isEqualByComparingTo("0.04");
    assertThat(model.allowedValues("style")).containsExactly("vivid", "natural");
  }

  @Test
  void aBrokenCatalogFileIsRejectedNamingTheModel(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("models.json");
    Files.writeString(file, """
        {"models": [{"id": "no-provider", "author": "a", "slug": "s",
          "limits": {"max_n": 1, "max_prompt_length": 10, "min_side": 1, "max_side": 2},
          "defaults": {"size": "1x1", "quality": "auto"}}]}
        """, StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ModelCatalog.load(file.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model 'no-provider': provider is required");
  }

  @Test
  void aMissingOrMalformedCatalogFileIsReportedWithItsPath(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("absent.json");
    Path malformed = dir.resolve("malformed.json");
    Files.writeString(malformed, "{\"models\": [", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ModelCatalog.load(missing.toString()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> ModelCatalog.load(malformed.toString()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(malformed.toString());
  }

  @Test
  void providerSettingsLoadFromTheFileAndUnlistedProvidersGetTheDefaults(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("models.json");
    Files.writeString(file, """
        {"models": [], "providers": {"openai": {
          "concurrency": {"max_in_flight": 8, "requests_per_minute": 120},
          "max_attempts": 5,
          "circuit_breaker": {"window": 10, "failure_ratio": 0.5, "consecutive_failures": 4, "open_for": "1m",
                              "half_open_probes": 2}}}}
        """, StandardCharsets.UTF_8);

    ModelCatalog catalog = ModelCatalog.load(file.toString());

    ProviderSpec openai = catalog.provider("openai");
    assertThat(openai.concurrency()).isEqualTo(new ModelSpec.Concurrency(8, 120));
    assertThat(openai.maxAttempts()).isEqualTo(5);
    assertThat(openai.circuitBreaker()).isEqualTo(new ProviderSpec.CircuitBreaker(10, 0.5, 4,
        java.time.Duration.ofMinutes(1), 2));
    ProviderSpec unlisted = catalog.provider("ark");
    assertThat(unlisted.concurrency()).isEqualTo(new ModelSpec.Concurrency(0, 0));
    assertThat(unlisted.maxAttempts()).isNull();
    assertThat(unlisted.circuitBreaker()).isEqualTo(new ProviderSpec.CircuitBreaker(20, 0.9, 0,
        java.time.Duration.ofSeconds(30), 1));
  }

  @Test
  void theBundledCatalogLimitsEveryVendorProvider() {
    ModelCatalog catalog = ModelCatalog.load(null);

    for (String provider : List.of("openai", "openai-compatible", "dashscope", "ark", "gemini")) {
      assertThat(catalog.provider(provider).concurrency().maxInFlight()).as(provider).isPositive();
    }
  }

  @Test
  void brokenProviderSettingsAreRejectedNamingTheProvider() {
    ProviderSpec broken = new ProviderSpec(new ModelSpec.Concurrency(-1, 0), 0,
        new ProviderSpec.CircuitBreaker(0, 1.5, -1, java.time.Duration.ZERO, 0));

    assertThatThrownBy(() -> ModelCatalog.of(List.of(valid("a")), Map.of("flaky-vendor", broken)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("provider 'flaky-vendor': concurrency limits must not be negative")
        .hasMessageContaining("provider 'flaky-vendor': max_attempts must be between 1 and 100")
        .hasMessageContaining("provider 'flaky-vendor': circuit_breaker window and half_open_probes")
        .hasMessageContaining("provider 'flaky-vendor': circuit_breaker failure_ratio must be in (0, 1]")
        .hasMessageContaining("provider 'flaky-vendor': circuit_breaker open_for must be positive");
  }
}
