package io.imagegen.common.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The result of a SUCCEEDED task in the OpenAI images response shape. */
public record TaskResult(
    @JsonProperty("created") long created,
    @JsonProperty("data") List<ImageData> data,
    @JsonProperty("usage") Usage usage) {

  public TaskResult {
    data = List.copyOf(data);
  }
}
