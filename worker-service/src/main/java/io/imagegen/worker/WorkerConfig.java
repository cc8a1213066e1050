package io.imagegen.worker;

import io.imagegen.common.config.Env;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.storage.S3Settings;
import io.imagegen.worker.tasks.RetryPolicy;
import java.time.Duration;

/** Everything the worker-service reads from its environment, validated once at start-up. */
record WorkerConfig(
    KafkaSettings kafka,
    S3Settings s3,
    ModelCatalog catalog,
    String groupId,
    String groupProtocol,
    int maxInFlight,
    Duration commitInterval,
    RetryPolicy upstreamRetry,
    Duration taskDeadline,
    Duration retention,
    Duration shutdownGrace,
    Duration demoLatency) {

  /** Reads and validates; throws {@code ConfigException} naming every bad variable. */
  static WorkerConfig from(Env env) {
    KafkaSettings kafka = KafkaSettings.from(env);
    S3Settings s3 = S3Settings.from(env);
    String groupId = env.string("IMAGEGEN_WORKER_GROUP_ID", "imagegen-workers");
    String protocol = env.string("IMAGEGEN_KAFKA_GROUP_PROTOCOL", "consumer");
    if (!protocol.equals("consumer") && !protocol.equals("classic")) {
      env.problem("IMAGEGEN_KAFKA_GROUP_PROTOCOL must be consumer or classic, got '" + protocol + "'");
    }
    // Jobs wait on the network, not the CPU, so hundreds per worker are cheap.
    int maxInFlight = env.integer("IMAGEGEN_WORKER_MAX_IN_FLIGHT", 256, 1, 100_000);
    // Bounds how much finished work a crash replays; replays are skipped cheaply, so one second is plenty.
    Duration commitInterval = env.duration("IMAGEGEN_COMMIT_INTERVAL", Duration.ofSeconds(1));
    int maxAttempts = env.integer("IMAGEGEN_UPSTREAM_MAX_ATTEMPTS", 3, 1, 100);
    Duration initialBackoff = env.duration("IMAGEGEN_UPSTREAM_INITIAL_BACKOFF", Duration.ofSeconds(1));
    Duration maxBackoff = env.duration("IMAGEGEN_UPSTREAM_MAX_BACKOFF", Duration.ofSeconds(30));
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      env.problem("IMAGEGEN_UPSTREAM_MAX_BACKOFF must not be shorter than IMAGEGEN_UPSTREAM_INITIAL_BACKOFF");
      maxBackoff = initialBackoff;
    }
    // Real generations take seconds to minutes; 30 minutes covers slow 4K renders plus retries.
    Duration deadline = env.duration("IMAGEGEN_TASK_DEADLINE", Duration.ofMinutes(30));
    Duration retention = env.duration("IMAGEGEN_RESULT_RETENTION", Duration.ofHours(24));
    Duration grace = env.duration("IMAGEGEN_SHUTDOWN_TIMEOUT", Duration.ofSeconds(30));
    // Long enough to watch QUEUED -> RUNNING -> SUCCEEDED by hand; tests set 0.
    Duration demoLatency = env.durationOrZero("IMAGEGEN_DEMO_LATENCY", Duration.ofSeconds(2));
    ModelCatalog catalog = null;
    try {
      catalog = ModelCatalog.load(env.raw("IMAGEGEN_MODEL_CATALOG"));
    } catch (RuntimeException e) {
      env.problem("IMAGEGEN_MODEL_CATALOG: " + e.getMessage());
    }
    env.validate();
    return new WorkerConfig(kafka, s3, catalog, groupId, protocol, maxInFlight, commitInterval,
        new RetryPolicy(maxAttempts, initialBackoff, maxBackoff), deadline, retention, grace, demoLatency);
  }
}
