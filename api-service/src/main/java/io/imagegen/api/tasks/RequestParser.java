package io.imagegen.api.tasks;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.models.SizeMapping;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a request body into a {@link GenerationRequest} or an {@link InvalidRequestException} naming the first bad
 * field. Fields every model understands are checked here; model-specific ones must be declared in the catalog.
 */
final class RequestParser {
  private static final List<String> RESPONSE_FORMATS = List.of("b64_json", "url");
  private static final int MAX_USER_LENGTH = 256;
  /** Fields handled for every model; anything else must be a model-specific parameter from the catalog. */
  private static final Set<String> CORE = Set.of("model", "prompt", "n", "size", "quality", "response_format", "user",
      "stream", "callback_url");
  private static final Set<String> STRING_PARAMS = Set.of("output_format", "background", "moderation", "style",
      "sequential_image_generation", "ratio", "input_fidelity");
  /** Typed fields beyond the text ones; {@link FormFields} reads multipart text parts by these. */
  static final Set<String> INTEGER_PARAMS = Set.of("n", "output_compression", "seed");
  static final Set<String> BOOLEAN_PARAMS = Set.of("watermark", "stream");
  /** What {@code POST /v1/images/variations} takes (OpenAI's documented fields); nothing else. */
  private static final Set<String> VARIATION_FIELDS = Set.of("model", "image", "n", "size", "response_format",
      "user");

  private final ModelCatalog catalog;

  RequestParser(ModelCatalog catalog) {
    this.catalog = catalog;
  }

  GenerationRequest parse(JsonObject body) {
    String modelId = optionalString(body, "model");
    ModelSpec model = modelId == null
        ? catalog.defaultModel().orElseThrow(() -> InvalidRequestException.field("model", "model is required"))
        : catalog.find(modelId).orElseThrow(() -> new NotFoundException(ErrorCode.MODEL_NOT_FOUND,
            "The model '" + modelId + "' does not exist or is not available.", "model"));

    String prompt = requiredString(body, "prompt");
    if (prompt.isBlank()) {
      throw InvalidRequestException.field("prompt", "prompt must not be empty");
    }
    if (prompt.length() > model.limits().maxPromptLength()) {
      throw InvalidRequestException.field("prompt", "prompt is " + prompt.length() + " characters; " + model.id()
          + " accepts at most " + model.limits().maxPromptLength());
    }
    if (Boolean.TRUE.equals(optionalBoolean(body, "stream"))) {
      throw InvalidRequestException.field("stream", "stream=true is not supported for image generation");
    }
    Long n = optionalInteger(body, "n");
    if (n != null && (n < 1 || n > model.limits().maxN())) {
      throw InvalidRequestException.field("n", "n must be between 1 and " + model.limits().maxN() + " for " + model.id());
    }
    String size = parseSize(model, optionalString(body, "size"));
    String quality = optionalString(body, "quality");
    if (quality != null) {
      checkAllowed(model, "quality", quality);
    }
    String responseFormat = optionalString(body, "response_format");
    if (responseFormat != null && !RESPONSE_FORMATS.contains(responseFormat)) {
      throw InvalidRequestException.field("response_format", "response_format must be one of: b64_json, url");
    }
    String user = optionalString(body, "user");
    if (user != null && user.length() > MAX_USER_LENGTH) {
      throw InvalidRequestException.field("user", "user must be at most " + MAX_USER_LENGTH + " characters");
    }

    Map<String, Object> params = new LinkedHashMap<>();
    if (user != null) {
      params.put("user", user);
    }
    String mode = "generation";
    for (String field : body.fieldNames()) {
      if (CORE.contains(field) || body.getValue(field) == null) {
        continue;
      }
      if ("image".equals(field)) {
        if (!model.supportsEdits()) {
          throw InvalidRequestException.field(field, model.id() + " does not support image input (edits)");
        }
        mode = "edit";
        params.put(field, typed(model, body, field));
        continue;
      }
      if (!model.supports(field) && !model.passthrough().contains(field)) {
        boolean known = STRING_PARAMS.contains(field) || INTEGER_PARAMS.contains(field)
            || BOOLEAN_PARAMS.contains(field) || "mask".equals(field);
        throw InvalidRequestException.field(field, known
            ? model.id() + " does not support '" + field + "'"
            : "unknown parameter '" + field + "'");
      }
      params.put(field, model.supports(field) ? typed(model, body, field) : passthroughValue(body.getValue(field)));
    }
    if (params.containsKey("mask") && !"edit".equals(mode)) {
      throw InvalidRequestException.field("mask", "mask needs an image to apply to");
    }
    return new GenerationRequest(model, prompt, n == null ? 1 : n.intValue(), size,
        quality == null ? model.defaults().quality() : quality,
        responseFormat == null ? model.defaults().responseFormat() : responseFormat, mode,
        params, optionalString(body, "callback_url"));
  }

  /**
   * A variation body: one image, no prompt. The shared rules (model, n, size, response_format, user) are those of
   * {@link #parse}, run on the body with a stand-in prompt that is dropped again.
   */
  GenerationRequest parseVariation(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!VARIATION_FIELDS.contains(field)) {
        throw InvalidRequestException.field(field, "unknown parameter '" + field + "' for image variations");
      }
    }
    if (body.getValue("image") == null) {
      throw InvalidRequestException.field("image", "image is required");
    }
    // Said first: a model without variations usually takes no input image either, which would be the lesser news.
    if (body.getValue("model") instanceof String id && catalog.find(id).filter(m -> !m.variations()).isPresent()) {
      throw InvalidRequestException.field("model", id + " does not support image variations");
    }
    GenerationRequest request = parse(body.copy().put("prompt", "variation"));
    if (!request.model().variations()) {
      throw InvalidRequestException.field("model", request.model().id() + " does not support image variations");
    }
    if (InputImages.sources(request.params().get("image")).size() != 1) {
      throw InvalidRequestException.field("image", "image variations take exactly one image");
    }
    return new GenerationRequest(request.model(), null, request.n(), request.size(), request.quality(),
        request.responseFormat(), "variation", request.params(), null);
  }

  private static Object typed(ModelSpec model, JsonObject body, String field) {
    if (STRING_PARAMS.contains(field)) {
      String value = optionalString(body, field);
      checkAllowed(model, field, value);
      return value;
    }
    if (INTEGER_PARAMS.contains(field)) {
      Long value = optionalInteger(body, field);
      if ("output_compression".equals(field) && (value < 0 || value > 100)) {
        throw InvalidRequestException.field(field, "output_compression must be between 0 and 100");
      }
      return value;
    }
    if (BOOLEAN_PARAMS.contains(field)) {
      return optionalBoolean(body, field);
    }
    Object value = body.getValue(field);
    if ("image".equals(field) && !(value instanceof String || value instanceof JsonArray || value instanceof JsonObject)) {
      throw InvalidRequestException.field(field, "image must be a URL, a data URL, base64, an array or an object");
    }
    return value instanceof JsonObject json ? json.getMap() : value instanceof JsonArray array ? array.getList() : value;
  }

  /** Passthrough fields are the upstream's business; only make them plain JSON values. */
  private static Object passthroughValue(Object value) {
    return value instanceof JsonObject json ? json.getMap() : value instanceof JsonArray array ? array.getList() : value;
  }

  /** The size the model will produce for the requested one (docs/api.md, "Sizes"). */
  private static String parseSize(ModelSpec model, String size) {
    if (size == null) {
      return model.defaults().size();
    }
    if (size.indexOf('\u00d7') >= 0 || size.indexOf('X') >= 0 || size.indexOf('*') >= 0) {
      throw InvalidRequestException.field("size",
          "size must use a lowercase x between width and height, e.g. 1024x1024 (got '" + size + "')");
    }
    return SizeMapping.fit(model, size).orElseThrow(() -> {
      if (!model.limits().sizes().contains(size) && SizeMapping.parse(size).isEmpty()) {
        return InvalidRequestException.field("size", "size must look like 1024x1024 (width x height in pixels)"
            + (model.limits().sizes().isEmpty() ? "" : " or be one of: " + String.join(", ", model.limits().sizes())));
      }
      return InvalidRequestException.field("size", model.limits().sizes().isEmpty()
          ? "width and height must each be between " + model.limits().minSide() + " and "
              + model.limits().maxSide() + " for " + model.id() + pixelBounds(model.limits())
          : "size " + size + " has no close match among " + model.id() + "'s sizes ("
              + String.join(", ", model.limits().sizes()) + "): its aspect ratio is too far from all of them");
    });
  }

  private static String pixelBounds(ModelSpec.Limits limits) {
    return limits.maxPixels() == 0 ? "" : " (after scaling into " + limits.minPixels() + " to "
        + limits.maxPixels() + " pixels)";
  }

  private static void checkAllowed(ModelSpec model, String field, String value) {
    List<String> allowed = model.allowedValues(field);
    if (!allowed.isEmpty() && !allowed.contains(value)) {
      throw InvalidRequestException.field(field, field + " must be one of: " + String.join(", ", allowed));
    }
  }

  private static String requiredString(JsonObject body, String field) {
    String value = optionalString(body, field);
    if (value == null) {
      throw InvalidRequestException.field(field, field + " is required");
    }
    return value;
  }

  private static String optionalString(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw InvalidRequestException.field(field, field + " must be a string");
    }
    return (String) value;
  }

  private static Long optionalInteger(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw InvalidRequestException.field(field, field + " must be an integer");
  }

  private static Boolean optionalBoolean(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      throw InvalidRequestException.field(field, field + " must be a boolean");
    }
    return (Boolean) value;
  }
}
