package io.imagegen.common.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One catalog entry: what the API accepts for a model and how workers reach it.
 *
 * @param sizes allowed sizes; empty means any {@code WxH} with both sides within {@code minSide..maxSide}
 * @param params the optional request fields the model supports, with their allowed values (empty list: any value)
 */
public record ModelSpec(
    @JsonProperty("id") String id,
    @JsonProperty("author") String author,
    @JsonProperty("slug") String slug,
    @JsonProperty("provider") String provider,
    @JsonProperty("upstream_model") String upstreamModel,
    @JsonProperty("async_only") boolean asyncOnly,
    @JsonProperty("max_n") int maxN,
    @JsonProperty("max_prompt_length") int maxPromptLength,
    @JsonProperty("sizes") List<String> sizes,
    @JsonProperty("min_side") int minSide,
    @JsonProperty("max_side") int maxSide,
    @JsonProperty("default_size") String defaultSize,
    @JsonProperty("default_quality") String defaultQuality,
    @JsonProperty("params") Map<String, List<String>> params) {

  public ModelSpec {
    sizes = sizes == null ? List.of() : List.copyOf(sizes);
    params = params == null ? Map.of() : Map.copyOf(params);
  }

  /** Whether the model accepts the optional field {@code name}. */
  public boolean supports(String name) {
    return params.containsKey(name);
  }

  /** Allowed values of a supported field; empty means any value of the right type. */
  public List<String> allowedValues(String name) {
    return params.getOrDefault(name, List.of());
  }
}
