package io.imagegen.api;

import io.imagegen.api.http.ApiKeys;
import io.imagegen.api.usage.Budgets;
import io.imagegen.common.config.Env;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.observability.LogSettings;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.storage.S3Settings;
import io.imagegen.common.webhooks.WebhookSecrets;
import java.time.Duration;

/** Everything the api-service reads from its environment, validated once at start-up. */
record ApiConfig(
    String host,
    int port,
    ApiKeys apiKeys,
    KafkaSettings kafka,
    S3Settings s3,
    ModelCatalog catalog,
    int maxBodyBytes,
    Duration retention,
    Duration enqueueTimeout,
    Duration syncWait,
    Duration maxWait,
    boolean fetchPrivateNetworks,
    WebhookSecrets webhookSecrets,
    boolean webhookPrivateNetworks,
    double submitsPerSecond,
    int submitBurst,
    double readsPerSecond,
    int readBurst,
    String workerGroupId,
    long maxQueueDepth,
    Duration shutdownTimeout,
    int metricsPort,
    LogSettings logs,
    Budgets budgets,
    Duration reservationTtl) {

  /** Reads and validates; throws {@code ConfigException} naming every bad variable. */
  static ApiConfig from(Env env) {
    String host = env.string("IMAGEGEN_HTTP_HOST", "0.0.0.0");
    int port = env.integer("IMAGEGEN_HTTP_PORT", 8080, 0, 65535);
    ApiKeys keys = ApiKeys.from(env);
    KafkaSettings kafka = KafkaSettings.from(env);
    S3Settings s3 = S3Settings.from(env);
    // Room for a few inline base64 input images, small enough that one client cannot exhaust the heap.
    int maxBody = env.integer("IMAGEGEN_MAX_BODY_BYTES", 20 * 1024 * 1024, 1024, 512 * 1024 * 1024);
    Duration retention = env.duration("IMAGEGEN_RESULT_RETENTION", Duration.ofHours(24));
    // Bounded so a dead broker turns into a quick 503 instead of a hung client.
    Duration enqueueTimeout = env.duration("IMAGEGEN_ENQUEUE_TIMEOUT", Duration.ofSeconds(10));
    // Edge proxies cut responses at 100-120 s; answering the task object before that keeps clients informed.
    Duration syncWait = env.duration("IMAGEGEN_SYNC_WAIT_TIMEOUT", Duration.ofSeconds(90));
    // Long-poll and SSE clients reconnect after this; bounded so idle connections do not pile up.
    Duration maxWait = env.duration("IMAGEGEN_MAX_WAIT", Duration.ofSeconds(60));
    // Only for development against local test servers: lets image URLs reach loopback and private networks.
    boolean fetchPrivate = env.bool("IMAGEGEN_FETCH_ALLOW_PRIVATE_NETWORKS", false);
    WebhookSecrets webhookSecrets = WebhookSecrets.from(env);
    for (String owner : webhookSecrets.owners()) {
      if (!keys.has(owner)) {
        env.problem(WebhookSecrets.VARIABLE + " names '" + owner + "', which is not a key in IMAGEGEN_API_KEYS");
      }
    }
    // Development only, like image fetching: lets callback URLs use http and loopback or private IP literals.
    boolean webhookPrivate = env.bool("IMAGEGEN_WEBHOOK_ALLOW_PRIVATE_NETWORKS", false);
    int submitsPerSecond = env.integer("IMAGEGEN_RATE_LIMIT_SUBMITS_PER_SECOND", 20, 1, 1_000_000);
    int submitBurst = env.integer("IMAGEGEN_RATE_LIMIT_SUBMIT_BURST", 50, 1, 1_000_000);
    // Polling is cheaper than submitting but unbounded polling still costs a storage read each.
    int readsPerSecond = env.integer("IMAGEGEN_RATE_LIMIT_READS_PER_SECOND", 200, 1, 1_000_000);
    int readBurst = env.integer("IMAGEGEN_RATE_LIMIT_READ_BURST", 400, 1, 1_000_000);
    String group = env.string("IMAGEGEN_WORKER_GROUP_ID", "imagegen-workers");
    // About an hour of work for a modest fleet; 0 disables shedding.
    int maxDepth = env.integer("IMAGEGEN_MAX_QUEUE_DEPTH", 100_000, 0, Integer.MAX_VALUE);
    Duration shutdown = env.duration("IMAGEGEN_SHUTDOWN_TIMEOUT", Duration.ofSeconds(20));
    // Its own port, so that scrapes never share the public listener (docs/operations.md#metrics).
    int metricsPort = env.integer("IMAGEGEN_API_METRICS_PORT", 9464, 0, 65535);
    LogSettings logs = LogSettings.from(env);
    Budgets budgets = Budgets.from(env, keys.names());
    // Longer than any task waits and runs; only reservations whose job never got enqueued live this long.
    Duration reservationTtl = env.duration("IMAGEGEN_USAGE_RESERVATION_TTL", Duration.ofHours(6));
    ModelCatalog catalog = null;
    try {
      catalog = ModelCatalog.load(env.raw("IMAGEGEN_MODEL_CATALOG"));
    } catch (RuntimeException e) {
      env.problem("IMAGEGEN_MODEL_CATALOG: " + e.getMessage());
    }
    env.validate();
    return new ApiConfig(host, port, keys, kafka, s3, catalog, maxBody, retention, enqueueTimeout, syncWait, maxWait,
        fetchPrivate, webhookSecrets, webhookPrivate, submitsPerSecond, submitBurst, readsPerSecond, readBurst, group,
        maxDepth, shutdown, metricsPort, logs, budgets, reservationTtl);
  }
}
