package io.imagegen.worker.providers.openai;

import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.vertx.core.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of one Images API call, computed once and then encoded as JSON (generations) or as multipart
 * attributes (edits), so both endpoints send exactly the same choices.
 */
final class RequestFields {
  /** Task params the gateway keeps to itself: storage keys and the client's raw image input never go upstream. */
  private static final Set<String> INTERNAL = Set.of("image", "image_keys", "mask_key");
  private static final List<String> GPT_IMAGE_FIELDS = List.of("output_format", "output_compression", "background",
      "moderation");
  /**
   * The edits endpoint has no {@code moderation} (OpenAI answers 400 to parameters it does not know) but takes
   * {@code input_fidelity}.
   */
  private static final List<String> GPT_IMAGE_EDIT_FIELDS = List.of("output_format", "output_compression",
      "background", "input_fidelity");

  /** OpenAI's documented fields of {@code POST /v1/images/variations}; it takes no prompt, quality or style. */
  private static final Set<String> VARIATION_FIELDS = Set.of("model", "n", "size", "response_format", "user");

  private RequestFields() {
  }

  /** The fields of a variation call: those of {@link #of} that the variations endpoint takes. */
  static Map<String, Object> forVariation(Task task, ModelSpec model, boolean relay) {
    Map<String, Object> fields = of(task, model, relay, true);
    fields.keySet().retainAll(VARIATION_FIELDS);
    return fields;
  }

  /** The fields for {@code task}; {@code relay} adds the model's passthrough allowlist. */
  static Map<String, Object> of(Task task, ModelSpec model, boolean relay, boolean edit) {
    ModelFamily family = ModelFamily.of(model.upstreamModel());
    Map<String, Object> params = task.params();
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("model", model.upstreamModel());
    fields.put("prompt", task.prompt());
    fields.put("n", task.n());
    if (task.size() != null) {
      fields.put("size", task.size());
    }
    // gpt-image understands "auto"; for every other model "auto" means "the vendor's default", i.e. absent.
    if (task.quality() != null && (family == ModelFamily.GPT_IMAGE || !"auto".equals(task.quality()))) {
      fields.put("quality", task.quality());
    }
    copy(params, fields, "user");
    switch (family) {
      case GPT_IMAGE -> (edit ? GPT_IMAGE_EDIT_FIELDS : GPT_IMAGE_FIELDS).forEach(f -> copy(params, fields, f));
      case DALL_E_3 -> copy(params, fields, "style");
      case DALL_E_2 -> {
      }
      // An unknown relay model: the catalog's declared params are what the API validated for it.
      case OTHER -> model.params().keySet().stream().filter(f -> !"quality".equals(f))
          .sorted().forEach(f -> copy(params, fields, f));
    }
    // 0 is not a useful compression (it is what an unset numeric field turns into); leave the vendor default.
    if (fields.get("output_compression") instanceof Number c && c.longValue() <= 0) {
      fields.remove("output_compression");
    }
    if (family.isDallE()) {
      // dall-e URLs expire after 60 minutes and we re-host anyway: ask for the bytes. gpt-image rejects this field.
      fields.put("response_format", "b64_json");
    }
    if (relay) {
      // putIfAbsent: an allowlist entry must never override a field chosen above.
      model.passthrough().stream().filter(params::containsKey).filter(f -> !INTERNAL.contains(f))
          .forEach(f -> fields.putIfAbsent(f, params.get(f)));
    }
    return fields;
  }

  /** A field value as a multipart attribute: scalars as text, structures as JSON. */
  static String asText(Object value) {
    return value instanceof Map<?, ?> || value instanceof List<?> ? Json.encode(value) : String.valueOf(value);
  }

  private static void copy(Map<String, Object> params, Map<String, Object> fields, String field) {
    Object value = params.get(field);
    if (value != null && !INTERNAL.contains(field)) {
      fields.put(field, value);
    }
  }
}
