package io.imagegen.common.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One generated image as OpenAI's {@code data[]} item; {@code url} is public, the storage key stays internal. */
public record ImageData(
    @JsonProperty("url") String url,
    @JsonProperty("revised_prompt") String revisedPrompt,
    @JsonProperty("storage_key") String storageKey,
    @JsonProperty("content_type") String contentType,
    @JsonProperty("bytes") long bytes) {
}
