package io.imagegen.faults;

import io.imagegen.fake.Behaviour;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.local.EmbeddedKafka;
import io.imagegen.local.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What the faults act on and outlive: a real Kafka broker and a real S3 server (child JVMs) and the fake upstream,
 * shared by the scenarios of one test class; each {@link Scenario} gets its own topics, bucket and service processes.
 */
final class FaultStack implements AutoCloseable {
  static final String API_KEY = "sk-faults";
  /** An async model on the fake upstream's OpenAI wire format. */
  static final String ASYNC_MODEL = "relay-async";
  /** The same model answered synchronously: the API holds the request until the task ends. */
  static final String SYNC_MODEL = "relay-sync";
  /** A model whose tasks must end within six seconds: long enough for one normal answer, short for a hang. */
  static final String SHORT_DEADLINE_MODEL = "relay-short-deadline";
  /** The bundled catalog's async DashScope model, served by the fake upstream's DashScope emulation. */
  static final String DASHSCOPE_MODEL = "wan2.2-t2i-flash";
  /** Load multiplier; 1 keeps a scenario within a CI minute, run-faults.sh passes more. */
  static final int SCALE = Integer.getInteger("imagegen.faults.scale", 1);

  private final Path dir;
  private final EmbeddedKafka kafka;
  private final EmbeddedS3 s3;
  private final FakeUpstream upstream;
  private final Path catalog;

  private FaultStack(Path dir, EmbeddedKafka kafka, EmbeddedS3 s3, FakeUpstream upstream, Path catalog) {
    this.dir = dir;
    this.kafka = kafka;
    this.s3 = s3;
    this.upstream = upstream;
    this.catalog = catalog;
  }

  static FaultStack start(Path dir) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(System.getProperty("imagegen.kafka.lib")),
        dir.resolve("kafka"), 0);
    EmbeddedS3 s3 = null;
    try {
      s3 = EmbeddedS3.start(Path.of(System.getProperty("imagegen.s3proxy.jar")), dir.resolve("s3"), 0,
          "faults-access-key", "faults-secret-key");
      FakeUpstream upstream = FakeUpstream.start(0);
      Path catalog = Files.writeString(dir.resolve("models.json"), catalog(upstream.baseUrl()));
      return new FaultStack(dir, kafka, s3, upstream, catalog);
    } catch (Exception | Error e) {
      if (s3 != null) {
        s3.close();
      }
      kafka.close();
      throw e;
    }
  }

  EmbeddedKafka kafka() {
    return kafka;
  }

  EmbeddedS3 s3() {
    return s3;
  }

  FakeUpstream upstream() {
    return upstream;
  }

  /**
   * A fresh scenario (unique topics, bucket and consumer group) with the fake upstream reset to {@code behaviour},
   * its api-service and {@code workers} worker processes running, and each worker holding partitions of its topic.
   */
  Scenario running(String name, Behaviour behaviour, int workers) throws Exception {
    Scenario scenario = scenario(name);
    upstream.behave(behaviour);
    try {
      scenario.startApi();
      for (int i = 0; i < workers; i++) {
        scenario.startWorker();
      }
      // Load sent before the group settles would all land on the first worker and make every fault lopsided.
      scenario.awaitAssignments();
      return scenario;
    } catch (Exception | Error e) {
      scenario.close();
      throw e;
    }
  }

  private Scenario scenario(String name) throws Exception {
    upstream.reset();
    String unique = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = new HashMap<>();
    env.put("IMAGEGEN_API_KEYS", "faults=" + API_KEY);
    env.put("IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("IMAGEGEN_KAFKA_JOBS_TOPIC", unique);
    env.put("IMAGEGEN_KAFKA_USAGE_TOPIC", unique + ".usage");
    env.put("IMAGEGEN_WORKER_GROUP_ID", unique + "-workers");
    env.put("IMAGEGEN_S3_ENDPOINT", s3.endpoint().toString());
    env.put("IMAGEGEN_S3_ACCESS_KEY", s3.accessKey());
    env.put("IMAGEGEN_S3_SECRET_KEY", s3.secretKey());
    env.put("IMAGEGEN_S3_BUCKET", unique);
    env.put("IMAGEGEN_S3_PUBLIC_URL_MODE", "acl");
    env.put("IMAGEGEN_MODEL_CATALOG", catalog.toString());
    env.put("FAKE_UPSTREAM_KEY", FakeUpstream.API_KEY);
    // The checker polls hundreds of tasks at once; the per-key limits would only measure themselves.
    env.put("IMAGEGEN_RATE_LIMIT_SUBMITS_PER_SECOND", "100000");
    env.put("IMAGEGEN_RATE_LIMIT_SUBMIT_BURST", "100000");
    env.put("IMAGEGEN_RATE_LIMIT_READS_PER_SECOND", "100000");
    env.put("IMAGEGEN_RATE_LIMIT_READ_BURST", "100000");
    env.put("IMAGEGEN_UPSTREAM_INITIAL_BACKOFF", "200ms");
    env.put("IMAGEGEN_UPSTREAM_MAX_BACKOFF", "2s");
    env.put("IMAGEGEN_WORKER_MAX_IN_FLIGHT", "1000");
    // Within the 10 s the broker gives a silent member: a drained worker never outlives its partitions.
    env.put("IMAGEGEN_SHUTDOWN_TIMEOUT", "20s");
    env.put("IMAGEGEN_ENQUEUE_TIMEOUT", "5s");
    return new Scenario(name, Files.createDirectories(dir.resolve(unique)), env, this);
  }

  @Override
  public void close() {
    upstream.close();
    s3.close();
    kafka.close();
  }

  /** Four models on the fake upstream, and provider policies that retry generously and never trip a breaker. */
  private static String catalog(String baseUrl) {
    String model = """
        {"id": "%s", "name": "%s", "author": "faults", "slug": "%s",
         "provider": "openai-compatible", "upstream_model": "gpt-image-1",
         "base_url": "%s", "api_key_env": "FAKE_UPSTREAM_KEY", "async_only": %s,
         "limits": {"max_n": 4, "max_prompt_length": 4000, "sizes": ["256x256"], "max_input_images": 0},
         "defaults": {"size": "256x256", "quality": "auto"},
         "params": {"quality": ["auto"]},
         "timeouts": {"attempt": "%s", "deadline": "%s"},
         "concurrency": {"max_in_flight": 4000, "requests_per_minute": 0},
         "pricing": {"per_image": 0, "currency": "USD"}}""";
    // Priced, unlike the relay models, so that the ledger check adds up real amounts.
    String dashScope = """
        {"id": "%s", "name": "Wan 2.2 Flash", "author": "faults", "slug": "%s",
         "provider": "dashscope", "upstream_model": "%s",
         "base_url": "%s", "api_key_env": "FAKE_UPSTREAM_KEY", "async_only": true,
         "limits": {"max_n": 4, "max_prompt_length": 800, "sizes": ["512x512"], "max_input_images": 0},
         "defaults": {"size": "512x512", "quality": "auto"},
         "params": {"quality": ["auto"]},
         "timeouts": {"attempt": "5m", "deadline": "10m"},
         "concurrency": {"max_in_flight": 4000, "requests_per_minute": 0},
         "pricing": {"per_image": 0.14, "currency": "CNY"}}""".formatted(DASHSCOPE_MODEL, DASHSCOPE_MODEL,
        DASHSCOPE_MODEL, baseUrl);
    String policy = """
        {"concurrency": {"max_in_flight": 4000, "requests_per_minute": 0}, "max_attempts": 20,
         "circuit_breaker": {"window": 20, "failure_ratio": 1.0, "consecutive_failures": 0, "open_for": "1s",
                             "half_open_probes": 1}}""";
    return """
        {"models": [%s, %s, %s, %s],
         "providers": {"openai-compatible": %s, "dashscope": %s}}
        """.formatted(
        model.formatted(ASYNC_MODEL, ASYNC_MODEL, ASYNC_MODEL, baseUrl, true, "20s", "10m"),
        model.formatted(SYNC_MODEL, SYNC_MODEL, SYNC_MODEL, baseUrl, false, "20s", "10m"),
        model.formatted(SHORT_DEADLINE_MODEL, SHORT_DEADLINE_MODEL, SHORT_DEADLINE_MODEL, baseUrl, true, "60s",
            "6s"),
        dashScope, policy, policy);
  }
}
