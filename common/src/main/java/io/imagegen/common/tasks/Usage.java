package io.imagegen.common.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;

/** OpenAI-style usage; token counts are {@code null} when the upstream does not report them. */
public record Usage(
    @JsonProperty("generated_images") int generatedImages,
    @JsonProperty("total_tokens") Integer totalTokens,
    @JsonProperty("input_tokens") Integer inputTokens,
    @JsonProperty("output_tokens") Integer outputTokens) {

  public static Usage images(int count) {
    return new Usage(count, null, null, null);
  }
}
