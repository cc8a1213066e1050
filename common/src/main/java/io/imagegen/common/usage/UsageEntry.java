package io.imagegen.common.usage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskResult;
import io.imagegen.common.tasks.Usage;
import java.math.BigDecimal;

/**
 * One entry of the usage ledger, keyed by task id: {@code RESERVED} (the estimate, at submit), {@code RELEASED} (a
 * submit that was refused after reserving) or the task's terminal status with what it really cost. The latest entry
 * per task wins and a terminal entry is never replaced by a reservation (docs/architecture.md#usage-ledger).
 * Times are Unix seconds; {@code amount} is never {@code null} (0 for models without pricing).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record UsageEntry(
    @JsonProperty("v") int version,
    @JsonProperty("task_id") String taskId,
    @JsonProperty("owner") String owner,
    @JsonProperty("model") String model,
    @JsonProperty("provider") String provider,
    @JsonProperty("mode") String mode,
    @JsonProperty("size") String size,
    @JsonProperty("status") String status,
    @JsonProperty("requested") int requested,
    @JsonProperty("images") int images,
    @JsonProperty("input_tokens") Integer inputTokens,
    @JsonProperty("output_tokens") Integer outputTokens,
    @JsonProperty("total_tokens") Integer totalTokens,
    @JsonProperty("amount") BigDecimal amount,
    @JsonProperty("currency") String currency,
    @JsonProperty("created_at") long createdAt,
    @JsonProperty("finished_at") Long finishedAt) {

  public static final int VERSION = 1;
  public static final String RESERVED = "RESERVED";
  public static final String RELEASED = "RELEASED";

  public UsageEntry {
    amount = amount == null ? BigDecimal.ZERO : amount;
  }

  /** Whether this entry settles the task (anything but an open reservation). */
  public boolean settled() {
    return !RESERVED.equals(status);
  }

  /** What a submit may cost: the catalog price times {@code n}. */
  public static UsageEntry reserved(String taskId, String owner, ModelSpec model, String mode, String size, int n,
      long createdAt) {
    BigDecimal price = model.pricing() == null ? BigDecimal.ZERO : model.pricing().perImage();
    return new UsageEntry(VERSION, taskId, owner, model.id(), model.provider(), mode, size, RESERVED, n, 0, null,
        null, null, price.multiply(BigDecimal.valueOf(n)), currency(model), createdAt, null);
  }

  /** Gives a reservation back: the task was refused after all (its job could not be enqueued). */
  public UsageEntry released(long now) {
    return new UsageEntry(VERSION, taskId, owner, model, provider, mode, size, RELEASED, requested, 0, null, null,
        null, BigDecimal.ZERO, currency, createdAt, now);
  }

  /**
   * The settlement of a terminal {@code task}: a success costs what its result says (the images it produced), a
   * failure or cancellation costs nothing. {@code model} may be {@code null} (no longer in the catalog).
   */
  public static UsageEntry terminal(Task task, ModelSpec model) {
    if (!task.status().isTerminal()) {
      throw new IllegalArgumentException("task " + task.id() + " is " + task.status() + ", not terminal");
    }
    TaskResult result = task.result();
    Usage usage = result == null ? null : result.usage();
    int images = result == null ? 0 : result.data().size();
    TaskResult.Cost cost = result == null ? null : result.cost();
    String currency = cost != null ? cost.currency() : model == null ? null : currency(model);
    return new UsageEntry(VERSION, task.id(), task.owner(), task.model(), model == null ? null : model.provider(),
        task.mode(), task.size(), task.status().name(), task.n(), images,
        usage == null ? null : usage.inputTokens(), usage == null ? null : usage.outputTokens(),
        usage == null ? null : usage.totalTokens(), cost == null ? BigDecimal.ZERO : cost.amount(), currency,
        task.createdAt(), task.completedAt());
  }

  private static String currency(ModelSpec model) {
    return model.pricing() == null ? null : model.pricing().currency();
  }
}
