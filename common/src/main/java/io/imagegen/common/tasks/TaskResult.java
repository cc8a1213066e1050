package io.imagegen.common.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.List;

/** The result of a SUCCEEDED task in the OpenAI images response shape. */
public record TaskResult(
    @JsonProperty("created") long created,
    @JsonProperty("data") List<ImageData> data,
    @JsonProperty("usage") Usage usage,
    @JsonProperty("cost") Cost cost) {

  /** What the task cost at catalog prices; {@code null} when the model has no pricing. */
  public record Cost(@JsonProperty("amount") BigDecimal amount, @JsonProperty("currency") String currency) {
  }

  public TaskResult {
    data = List.copyOf(data);
  }
}
