package io.imagegen.api.models;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Model discovery, rendered from the same catalog that validates requests and routes jobs. */
public final class ModelDirectory {
  /** Request fields every model accepts. */
  private static final List<String> CORE = List.of("model", "prompt", "n", "size", "quality", "response_format",
      "user");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+)}");

  private final ModelCatalog catalog;
  private final Availability availability;
  private final boolean listAll;

  /**
   * A directory that marks models by what the workers announce; {@code listAll} keeps unavailable models in
   * {@code /v1/models} (IMAGEGEN_MODELS_LIST_ALL).
   */
  public ModelDirectory(ModelCatalog catalog, Availability availability, boolean listAll) {
    this.catalog = catalog;
    this.availability = availability;
    this.listAll = listAll;
  }

  /**
   * Refuses a submit to a catalog model that live workers exist for and none serves, naming {@code model}; an
   * unknown availability is accepted, as the queue holds the job until a worker takes it
   * (docs/api.md#model-availability).
   */
  public void requireAvailable(String modelId) {
    catalog.find(modelId).filter(model -> availability.state(model.id()) == Availability.State.UNAVAILABLE)
        .ifPresent(model -> {
          throw new InvalidRequestException(ErrorCode.MODEL_NOT_AVAILABLE, "The model '" + model.id()
              + "' is not available on this deployment: " + unavailableReason(model) + ".", "model");
        });
  }

  /** The id of the model used by requests that name none, or {@code null} when they must name one. */
  public String defaultModelId() {
    return catalog.defaultModel().map(ModelSpec::id).orElse(null);
  }

  /** {@code GET /v1/models}: the OpenAI model list. */
  public JsonObject openAiList() {
    JsonArray data = new JsonArray();
    catalog.all().stream()
        .filter(model -> listAll || availability.state(model.id()) != Availability.State.UNAVAILABLE)
        .forEach(model -> data.add(openAiModel(model)));
    return new JsonObject().put("object", "list").put("data", data);
  }

  /** {@code GET /v1/models/{id}}: one OpenAI model object. */
  public JsonObject openAiModel(String id) {
    return openAiModel(catalog.find(id).orElseThrow(() -> new NotFoundException(ErrorCode.MODEL_NOT_FOUND,
        "The model '" + id + "' does not exist.", "model")));
  }

  private static JsonObject openAiModel(ModelSpec model) {
    // The catalog has no creation dates; 0 keeps the OpenAI field present and typed.
    return new JsonObject().put("id", model.id()).put("object", "model").put("created", 0)
        .put("owned_by", model.author());
  }

  /** {@code GET /v1/images/models}: every image model with its supported-parameter superset. */
  public JsonObject imageModels() {
    JsonArray data = new JsonArray();
    for (ModelSpec model : catalog.all()) {
      data.add(summary(model)
          .put("supported_parameters", new JsonArray(supportedParameters(model)))
          .put("endpoints_url", "/v1/images/models/" + model.author() + "/" + model.slug() + "/endpoints"));
    }
    return new JsonObject().put("data", data);
  }

  /** {@code GET /v1/images/models/{author}/{slug}/endpoints}: definitive parameters, limits, pricing, passthrough. */
  public JsonObject endpoints(String author, String slug) {
    ModelSpec model = catalog.findBySlug(author, slug).orElseThrow(() -> new NotFoundException(ErrorCode.MODEL_NOT_FOUND,
        "No image model '" + author + "/" + slug + "'.", "slug"));
    JsonObject parameters = new JsonObject();
    for (String field : supportedParameters(model)) {
      List<String> allowed = model.allowedValues(field);
      parameters.put(field, allowed.isEmpty() ? new JsonObject() : new JsonObject().put("enum", new JsonArray(allowed)));
    }
    JsonObject limits = new JsonObject()
        .put("max_n", model.limits().maxN())
        .put("max_prompt_length", model.limits().maxPromptLength())
        .put("max_input_images", model.limits().maxInputImages());
    if (model.limits().sizes().isEmpty()) {
      limits.put("min_side", model.limits().minSide()).put("max_side", model.limits().maxSide());
    } else {
      limits.put("sizes", new JsonArray(model.limits().sizes()));
    }
    JsonObject endpoint = new JsonObject()
        .put("provider", model.provider())
        .put("upstream_model", model.upstreamModel())
        .put("supported_parameters", parameters)
        .put("defaults", new JsonObject().put("size", model.defaults().size()).put("quality",
            model.defaults().quality()).put("response_format", model.defaults().responseFormat()))
        .put("limits", limits)
        .put("passthrough", new JsonArray(model.passthrough()))
        .put("features", features(model));
    if (model.pricing() != null) {
      endpoint.put("pricing", new JsonObject().put("per_image", model.pricing().perImage())
          .put("currency", model.pricing().currency()));
    }
    return new JsonObject().put("data", summary(model).put("endpoints", new JsonArray().add(endpoint)));
  }

  private JsonObject summary(ModelSpec model) {
    Availability.State state = availability.state(model.id());
    JsonObject summary = new JsonObject()
        .put("id", model.id())
        .put("name", model.name())
        .put("author", model.author())
        .put("slug", model.slug())
        .put("features", features(model))
        // null: not known yet (no live worker, or the API has just started).
        .put("available", state == Availability.State.UNKNOWN ? null : state == Availability.State.AVAILABLE);
    if (state == Availability.State.UNAVAILABLE) {
      summary.put("unavailable_reason", unavailableReason(model));
    }
    return summary;
  }

  /**
   * Why no worker serves {@code model}: workers announce only models whose credentials they have, so the API names
   * the variables the catalog says the model needs.
   */
  static String unavailableReason(ModelSpec model) {
    List<String> variables = new ArrayList<>();
    if (model.apiKeyEnv() != null) {
      variables.add(model.apiKeyEnv());
    }
    if (model.baseUrl() != null) {
      Matcher m = PLACEHOLDER.matcher(model.baseUrl());
      while (m.find()) {
        variables.add(m.group(1));
      }
    }
    if (variables.isEmpty()) {
      return "no worker serves provider " + model.provider();
    }
    String what = model.apiKeyEnv() == null ? "a base URL"
        : variables.size() == 1 ? "an API key" : "an API key and base URL";
    return "no worker has " + what + " for provider " + model.provider() + " (" + String.join(", ", variables) + ")";
  }

  private JsonObject features(ModelSpec model) {
    return new JsonObject().put("async_only", model.asyncOnly()).put("edits", model.supportsEdits())
        .put("default_model", model.id().equals(defaultModelId()));
  }

  private static List<String> supportedParameters(ModelSpec model) {
    List<String> fields = new ArrayList<>(CORE);
    for (Map.Entry<String, List<String>> param : model.params().entrySet()) {
      if (!fields.contains(param.getKey())) {
        fields.add(param.getKey());
      }
    }
    if (model.supportsEdits()) {
      fields.add("image");
    }
    return fields;
  }
}
