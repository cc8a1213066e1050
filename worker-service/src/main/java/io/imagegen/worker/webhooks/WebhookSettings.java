package io.imagegen.worker.webhooks;

import io.imagegen.common.config.Env;
import io.imagegen.common.fetch.LoopbackFlag;
import io.imagegen.common.webhooks.WebhookSecrets;
import io.imagegen.worker.tasks.RetryPolicy;
import java.time.Duration;

/**
 * How this worker delivers webhooks: the owners' signing secrets (none = webhooks off), the retry budget, how many
 * deliveries run at once, whether loopback may be reached (development only) and the consumer group.
 */
public record WebhookSettings(WebhookSecrets secrets, RetryPolicy retry, int maxInFlight,
    boolean allowPrivateNetworks, String groupId, String groupProtocol) {

  /** Reads the {@code IMAGEGEN_WEBHOOK_*} variables; the group is derived from the workers' own. */
  public static WebhookSettings from(Env env, String workerGroupId, String groupProtocol) {
    WebhookSecrets secrets = WebhookSecrets.from(env);
    // Eight attempts over about two minutes by default: long enough for a receiver's restart, short enough that a
    // dead receiver does not hold its partition's offsets back for long.
    RetryPolicy retry = RetryPolicy.from(env, "IMAGEGEN_WEBHOOK",
        new RetryPolicy(8, Duration.ofSeconds(1), Duration.ofMinutes(1)));
    int maxInFlight = env.integer("IMAGEGEN_WEBHOOK_MAX_IN_FLIGHT", 64, 1, 10_000);
    boolean allowPrivate = LoopbackFlag.read(env, "IMAGEGEN_WEBHOOK_ALLOW_PRIVATE_NETWORKS");
    return new WebhookSettings(secrets, retry, maxInFlight, allowPrivate, workerGroupId + "-webhooks",
        groupProtocol);
  }

  /** Whether any owner can have webhooks; without secrets the API accepts no callback URL either. */
  public boolean enabled() {
    return !secrets.owners().isEmpty();
  }
}
