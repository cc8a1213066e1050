package io.imagegen.common.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.imagegen.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The models this deployment serves, from one JSON file shared by the API (validation) and the workers (routing). */
public final class ModelCatalog {
  /** Bundled default, overridable with {@code IMAGEGEN_MODEL_CATALOG=/path/models.json}. */
  public static final String BUNDLED = "/imagegen/models.json";
  /** Prefix of a catalog source read from the class path rather than the file system. */
  public static final String CLASSPATH = "classpath:";
  /**
   * The demo models (no vendor, rendered locally): never in the production catalog; the local stack and tests add
   * them by listing this source after the bundled one (docs/configuration.md, {@code IMAGEGEN_MODEL_CATALOG}).
   */
  public static final String DEMO = CLASSPATH + "/imagegen/demo-models.json";
  /** The bundled catalog plus the demo models. */
  public static final String WITH_DEMO = CLASSPATH + BUNDLED + "," + DEMO;

  private record CatalogFile(@JsonProperty("models") List<ModelSpec> models,
      @JsonProperty("providers") Map<String, ProviderSpec> providers) {
  }

  private final Map<String, ModelSpec> byId;
  private final Map<String, ProviderSpec> providers;
  private final String defaultModel;

  private ModelCatalog(Map<String, ModelSpec> byId, Map<String, ProviderSpec> providers, String defaultModel) {
    this.byId = byId;
    this.providers = providers;
    this.defaultModel = defaultModel;
  }

  /** This catalog with {@code id} as the model of requests that name none; fails when the catalog lacks it. */
  public ModelCatalog withDefaultModel(String id) {
    if (id != null && !byId.containsKey(id)) {
      throw new IllegalArgumentException("default model '" + id + "' is not in the model catalog");
    }
    return new ModelCatalog(byId, providers, id);
  }

  /** The model of requests that name none, if the deployment set one ({@code IMAGEGEN_DEFAULT_MODEL}). */
  public Optional<ModelSpec> defaultModel() {
    return Optional.ofNullable(defaultModel).map(byId::get);
  }

  /**
   * Loads {@code sources}, a comma-separated list of catalog files ({@code classpath:} for resources) whose models
   * are concatenated in order and whose provider settings later files override; the bundled catalog when
   * {@code null}. Fails naming the broken entry.
   */
  public static ModelCatalog load(String sources) {
    List<ModelSpec> models = new ArrayList<>();
    Map<String, ProviderSpec> providers = new LinkedHashMap<>();
    for (String source : (sources == null ? CLASSPATH + BUNDLED : sources).split(",")) {
      CatalogFile file = read(source.trim());
      models.addAll(file.models());
      if (file.providers() != null) {
        providers.putAll(file.providers());
      }
    }
    return of(models, providers);
  }

  private static CatalogFile read(String source) {
    boolean resource = source.startsWith(CLASSPATH);
    String name = resource ? source.substring(CLASSPATH.length()) : source;
    try (InputStream in = resource ? ModelCatalog.class.getResourceAsStream(name) : Files.newInputStream(Path.of(name))) {
      if (in == null) {
        throw new IllegalStateException("model catalog resource " + name + " is missing");
      }
      CatalogFile file = Json.MAPPER.readValue(in, CatalogFile.class);
      if (file == null || file.models() == null) {
        throw new IllegalArgumentException("model catalog " + source + " has no \"models\" array");
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model catalog " + source, e);
    }
  }

  /** A catalog of exactly these models, with default provider settings, checked for consistency. */
  public static ModelCatalog of(List<ModelSpec> models) {
    return of(models, Map.of());
  }

  /** A catalog of these models and provider settings, checked for consistency. */
  public static ModelCatalog of(List<ModelSpec> models, Map<String, ProviderSpec> providers) {
    Map<String, ModelSpec> byId = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      ModelSpec model = models.get(i);
      if (model == null || model.id() == null || model.id().isBlank()) {
        problems.add("entry #" + i + " has no id");
        continue;
      }
      if (byId.put(model.id(), model) != null) {
        problems.add("model '" + model.id() + "' is listed twice");
      }
      check(model, problems);
    }
    providers.forEach((name, provider) -> check(name, provider, problems));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid model catalog: " + String.join("; ", problems));
    }
    // Insertion order is the file's order, which listings show.
    return new ModelCatalog(Collections.unmodifiableMap(byId), Map.copyOf(providers), null);
  }

  private static void check(String name, ProviderSpec provider, List<String> problems) {
    String where = "provider '" + name + "'";
    if (provider == null) {
      problems.add(where + ": settings must be an object");
      return;
    }
    checkConcurrency(where, provider.concurrency(), problems);
    if (provider.maxAttempts() != null && (provider.maxAttempts() < 1 || provider.maxAttempts() > 100)) {
      problems.add(where + ": max_attempts must be between 1 and 100");
    }
    ProviderSpec.CircuitBreaker breaker = provider.circuitBreaker();
    if (breaker.window() < 1 || breaker.halfOpenProbes() < 1 || breaker.consecutiveFailures() < 0) {
      problems.add(where + ": circuit_breaker window and half_open_probes must be at least 1, "
          + "consecutive_failures not negative");
    }
    if (!(breaker.failureRatio() > 0 && breaker.failureRatio() <= 1)) {
      problems.add(where + ": circuit_breaker failure_ratio must be in (0, 1]");
    }
    if (breaker.openFor().isNegative() || breaker.openFor().isZero()) {
      problems.add(where + ": circuit_breaker open_for must be positive");
    }
  }

  private static void checkConcurrency(String where, ModelSpec.Concurrency concurrency, List<String> problems) {
    if (concurrency.maxInFlight() < 0 || concurrency.requestsPerMinute() < 0) {
      problems.add(where + ": concurrency limits must not be negative");
    }
  }

  private static void check(ModelSpec model, List<String> problems) {
    String where = "model '" + model.id() + "'";
    if (model.provider() == null) {
      problems.add(where + ": provider is required");
    }
    if (model.author() == null || model.slug() == null) {
      problems.add(where + ": author and slug are required");
    }
    if (model.limits() == null || model.defaults() == null) {
      problems.add(where + ": limits and defaults are required");
      return;
    }
    ModelSpec.Limits limits = model.limits();
    if (limits.maxN() < 1) {
      problems.add(where + ": max_n must be at least 1");
    }
    if (limits.maxPromptLength() < 1) {
      problems.add(where + ": max_prompt_length must be at least 1");
    }
    if (limits.maxInputImages() < 0) {
      problems.add(where + ": max_input_images must not be negative");
    }
    if (limits.sizes().isEmpty() && (limits.minSide() < 1 || limits.maxSide() < limits.minSide())) {
      problems.add(where + ": without sizes, min_side and max_side must form a range");
    } else if (!sizeAllowed(model, model.defaults().size())) {
      problems.add(where + ": default size '" + model.defaults().size() + "' is not one of its own allowed sizes");
    }
    String format = model.defaults().responseFormat();
    if (!"b64_json".equals(format) && !"url".equals(format)) {
      problems.add(where + ": default response_format must be b64_json or url");
    }
    if (limits.minPixels() < 0 || limits.maxPixels() < 0
        || limits.maxPixels() > 0 && limits.maxPixels() < limits.minPixels()) {
      problems.add(where + ": min_pixels and max_pixels must form a range");
    }
    List<String> qualities = model.allowedValues("quality");
    String quality = model.defaults().quality();
    if (quality == null || !qualities.isEmpty() && !qualities.contains(quality)) {
      problems.add(where + ": default quality must be set and be one of its quality values");
    }
    checkConcurrency(where, model.concurrency(), problems);
    if (model.pricing() != null && (model.pricing().perImage() == null || model.pricing().perImage().signum() < 0
        || model.pricing().currency() == null)) {
      problems.add(where + ": pricing needs a non-negative per_image and a currency");
    }
  }

  /** Whether {@code size} is one {@code model} produces as it is: listed, or {@code WxH} within its bounds. */
  public static boolean sizeAllowed(ModelSpec model, String size) {
    return size != null && SizeMapping.fit(model, size).filter(size::equals).isPresent();
  }

  /** The model served under {@code author/slug}, as discovery URLs name it. */
  public Optional<ModelSpec> findBySlug(String author, String slug) {
    return byId.values().stream().filter(m -> m.author().equals(author) && m.slug().equals(slug)).findFirst();
  }

  /** Settings of provider {@code name}; {@link ProviderSpec#DEFAULT} when the catalog does not list it. */
  public ProviderSpec provider(String name) {
    return providers.getOrDefault(name, ProviderSpec.DEFAULT);
  }

  public Optional<ModelSpec> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public Collection<ModelSpec> all() {
    return byId.values();
  }
}
