package io.imagegen.api;

import io.imagegen.api.http.ApiKeys;
import io.imagegen.api.tasks.TaskCache;
import io.imagegen.api.http.EdgeLimits;
import io.imagegen.api.usage.Budgets;
import io.imagegen.common.config.Env;
import io.imagegen.common.fetch.LoopbackFlag;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.observability.LogSettings;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.storage.S3Settings;
import io.imagegen.common.webhooks.WebhookSecrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
    TaskCache.Limits taskView,
    int maxWaitsPerKey,
    EdgeLimits edge,
    List<String> corsOrigins,
    String publicUrl,

    Budgets budgets,
    Duration reservationTtl,
    Duration discoveryGrace,
    boolean modelsListAll) {

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
    // Only for development against local test servers: lets image URLs reach loopback.
    boolean fetchPrivate = LoopbackFlag.read(env, "IMAGEGEN_FETCH_ALLOW_PRIVATE_NETWORKS");
    WebhookSecrets webhookSecrets = WebhookSecrets.from(env);
    for (String owner : webhookSecrets.owners()) {
      if (!keys.has(owner)) {
        env.problem(WebhookSecrets.VARIABLE + " names '" + owner + "', which is not a key in IMAGEGEN_API_KEYS");
      }
    }
    // Development only, like image fetching: lets callback URLs use http and loopback.
    boolean webhookPrivate = LoopbackFlag.read(env, "IMAGEGEN_WEBHOOK_ALLOW_PRIVATE_NETWORKS");
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
    // Terminal snapshots are a few KiB; 64 MiB holds the recent ones of a busy instance (docs/architecture.md).
    long viewBytes = env.integer("IMAGEGEN_TASK_VIEW_MAX_BYTES", 64 * 1024 * 1024, 0, Integer.MAX_VALUE);
    // How long a running task is trusted without news before polls re-read it: the bound on a lost event's cost.
    Duration viewStale = env.duration("IMAGEGEN_TASK_VIEW_STALE_AFTER", Duration.ofSeconds(2));
    // Each open long-poll or stream holds a connection and a watch; one key must not hold them all.
    int maxWaits = env.integer("IMAGEGEN_MAX_WAITS_PER_KEY", 100, 1, 1_000_000);
    EdgeLimits edge = EdgeLimits.from(env);
    // Browser clients only; off unless origins are named, since a key in a web page is visible to its users.
    List<String> corsOrigins = corsOrigins(env);
    String publicUrl = env.raw("IMAGEGEN_PUBLIC_API_URL");
    if (publicUrl != null && !publicUrl.matches("https?://[^/?#\\s]+(/[^?#\\s]*)?")) {
      env.problem("IMAGEGEN_PUBLIC_API_URL must be an http(s) URL such as https://images.example.com, got '"
          + publicUrl + "'");
    }
    Budgets budgets = Budgets.from(env, keys.names());
    // Longer than any task waits and runs; only reservations whose job never got enqueued live this long.
    Duration reservationTtl = env.duration("IMAGEGEN_USAGE_RESERVATION_TTL", Duration.ofHours(6));
    // Long enough for every running worker to announce itself once (every 10 s) after the API starts.
    Duration discoveryGrace = env.duration("IMAGEGEN_DISCOVERY_GRACE", Duration.ofSeconds(15));
    boolean modelsListAll = env.bool("IMAGEGEN_MODELS_LIST_ALL", false);
    ModelCatalog catalog = null;
    try {
      catalog = ModelCatalog.load(env.raw("IMAGEGEN_MODEL_CATALOG"));
    } catch (RuntimeException e) {
      env.problem("IMAGEGEN_MODEL_CATALOG: " + e.getMessage());
    }
    // Requests without a model use this one (seeds 002 and 003 give "model" a default); unset: model is required.
    String defaultModel = env.raw("IMAGEGEN_DEFAULT_MODEL");
    if (catalog != null && defaultModel != null && !defaultModel.isBlank()) {
      try {
        catalog = catalog.withDefaultModel(defaultModel.trim());
      } catch (IllegalArgumentException e) {
        env.problem("IMAGEGEN_DEFAULT_MODEL: " + e.getMessage());
      }
    }
    env.validate();
    return new ApiConfig(host, port, keys, kafka, s3, catalog, maxBody, retention, enqueueTimeout, syncWait, maxWait,
        fetchPrivate, webhookSecrets, webhookPrivate, submitsPerSecond, submitBurst, readsPerSecond, readBurst, group,
        maxDepth, shutdown, metricsPort, logs, new TaskCache.Limits(viewBytes, viewStale), maxWaits, edge,
        corsOrigins, publicUrl == null ? null : publicUrl.replaceAll("/+$", ""), budgets,
        reservationTtl, discoveryGrace, modelsListAll);
  }

  /** {@code IMAGEGEN_CORS_ORIGINS}: exact origins ({@code https://app.example.com}) or {@code *}; empty is off. */
  private static List<String> corsOrigins(Env env) {
    String raw = env.raw("IMAGEGEN_CORS_ORIGINS");
    if (raw == null || raw.isBlank()) {
      return List.of();
    }
    List<String> origins = new ArrayList<>();
    for (String origin : raw.split(",")) {
      String trimmed = origin.trim();
      if (!trimmed.equals("*") && !trimmed.matches("https?://[^/?#\\s]+")) {
        env.problem("IMAGEGEN_CORS_ORIGINS must list origins like https://app.example.com (or *), got '" + trimmed
            + "'");
      }
      origins.add(trimmed);
    }
    return List.copyOf(origins);
  }
}
