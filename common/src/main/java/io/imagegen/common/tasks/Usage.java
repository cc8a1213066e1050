package io.imagegen.common.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * OpenAI-style usage as the vendor reported it: every count is {@code null} when the vendor did not report it, and
 * is then left out of responses rather than shown as 0 (docs/api.md, "Usage").
 */
public record Usage(
    @JsonProperty("generated_images") int generatedImages,
    @JsonProperty("total_tokens") Integer totalTokens,
    @JsonProperty("input_tokens") Integer inputTokens,
    @JsonProperty("output_tokens") Integer outputTokens,
    @JsonProperty("input_tokens_details") InputTokensDetails inputTokensDetails) {

  /** OpenAI's split of the input tokens; each count {@code null} when not reported. */
  public record InputTokensDetails(@JsonProperty("text_tokens") Integer textTokens,
      @JsonProperty("image_tokens") Integer imageTokens) {
  }

  /** Usage without an input-token split. */
  public Usage(int generatedImages, Integer totalTokens, Integer inputTokens, Integer outputTokens) {
    this(generatedImages, totalTokens, inputTokens, outputTokens, null);
  }

  public static Usage images(int count) {
    return new Usage(count, null, null, null);
  }
}
