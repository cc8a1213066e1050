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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The models this deployment serves, from one JSON file shared by the API (validation) and the workers (routing). */
public final class ModelCatalog {
  /** Bundled default, overridable with {@code IMAGEGEN_MODEL_CATALOG=/path/models.json}. */
  public static final String BUNDLED = "/imagegen/models.json";

  private record CatalogFile(@JsonProperty("models") List<ModelSpec> models) {
  }

  private final Map<String, ModelSpec> byId;

  private ModelCatalog(Map<String, ModelSpec> byId) {
    this.byId = byId;
  }

  /** Loads {@code path}, or the bundled catalog when {@code path} is {@code null}; fails naming the broken entry. */
  public static ModelCatalog load(String path) {
    try (InputStream in = path == null ? ModelCatalog.class.getResourceAsStream(BUNDLED) : Files.newInputStream(Path.of(path))) {
      if (in == null) {
        throw new IllegalStateException("bundled model catalog " + BUNDLED + " is missing");
      }
      return of(Json.MAPPER.readValue(in, CatalogFile.class).models());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model catalog " + (path == null ? BUNDLED : path), e);
    }
  }

  /** A catalog of exactly these models, checked for consistency. */
  public static ModelCatalog of(List<ModelSpec> models) {
    Map<String, ModelSpec> byId = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (ModelSpec model : models) {
      String where = "model '" + model.id() + "'";
      if (model.id() == null || model.id().isBlank()) {
        problems.add("a model has no id");
        continue;
      }
      if (byId.put(model.id(), model) != null) {
        problems.add(where + " is listed twice");
      }
      if (model.provider() == null) {
        problems.add(where + ": provider is required");
      }
      if (model.maxN() < 1) {
        problems.add(where + ": max_n must be at least 1");
      }
      if (model.maxPromptLength() < 1) {
        problems.add(where + ": max_prompt_length must be at least 1");
      }
      if (model.sizes().isEmpty() && (model.minSide() < 1 || model.maxSide() < model.minSide())) {
        problems.add(where + ": without sizes, min_side and max_side must form a range");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid model catalog: " + String.join("; ", problems));
    }
    return new ModelCatalog(Map.copyOf(byId));
  }

  public Optional<ModelSpec> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public Collection<ModelSpec> all() {
    return byId.values();
  }
}
