package io.imagegen.local;

import io.imagegen.api.ApiMain;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.worker.WorkerMain;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system on one machine: a real Kafka broker and a real S3 server as child JVMs, plus the api-service and
 * {@code workers} worker-services embedded in this JVM. Used by {@code run-local.sh} and the end-to-end tests.
 */
public final class LocalStack implements AutoCloseable {
  /**
   * @param env variables passed to both services on top of the stack's own (an override wins)
   */
  public record Options(Path kafkaLib, Path s3proxyJar, Path dataDir, int apiPort, int kafkaPort, int s3Port,
      String apiKey, int workers, Map<String, String> env) {

    /** Paths from the {@code imagegen.kafka.lib}/{@code imagegen.s3proxy.jar} properties or the source tree. */
    public static Options defaults(Path dataDir) {
      return new Options(
          Path.of(System.getProperty("imagegen.kafka.lib", "infra/kafka-broker/target/lib")),
          Path.of(System.getProperty("imagegen.s3proxy.jar", "infra/s3-server/target/s3proxy.jar")),
          dataDir, 0, 0, 0, "sk-local-dev", 1, Map.of());
    }

    public Options withPorts(int api, int kafka, int s3) {
      return new Options(kafkaLib, s3proxyJar, dataDir, api, kafka, s3, apiKey, workers, env);
    }

    public Options withWorkers(int count) {
      return new Options(kafkaLib, s3proxyJar, dataDir, apiPort, kafkaPort, s3Port, apiKey, count, env);
    }

    public Options withEnv(Map<String, String> overrides) {
      Map<String, String> merged = new HashMap<>(env);
      merged.putAll(overrides);
      return new Options(kafkaLib, s3proxyJar, dataDir, apiPort, kafkaPort, s3Port, apiKey, workers, merged);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
  private static final Duration SERVICE_START_TIMEOUT = Duration.ofMinutes(2);

  private final EmbeddedKafka kafka;
  private final EmbeddedS3 s3;
  private final Map<String, String> serviceEnv;
  private final ApiMain.Running api;
  private final List<WorkerMain.Running> workers;

  private LocalStack(EmbeddedKafka kafka, EmbeddedS3 s3, Map<String, String> serviceEnv, ApiMain.Running api,
      List<WorkerMain.Running> workers) {
    this.kafka = kafka;
    this.s3 = s3;
    this.serviceEnv = serviceEnv;
    this.api = api;
    this.workers = workers;
  }

  /** Starts everything and returns once the API accepts requests; on failure stops what already started. */
  public static LocalStack start(Options options) throws Exception {
    EmbeddedKafka kafka = null;
    EmbeddedS3 s3 = null;
    ApiMain.Running api = null;
    List<WorkerMain.Running> workers = new ArrayList<>();
    long begin = System.nanoTime();
    try {
      kafka = EmbeddedKafka.start(options.kafkaLib(), options.dataDir().resolve("kafka"), options.kafkaPort());
      s3 = EmbeddedS3.start(options.s3proxyJar(), options.dataDir().resolve("s3"), options.s3Port(),
          "local-access-key", "local-secret-key");
      Map<String, String> env = new HashMap<>();
      env.put("IMAGEGEN_API_KEYS", "dev=" + options.apiKey());
      env.put("IMAGEGEN_HTTP_HOST", "127.0.0.1");
      env.put("IMAGEGEN_HTTP_PORT", Integer.toString(options.apiPort()));
      env.put("IMAGEGEN_API_METRICS_PORT", "0");
      // Several workers share this JVM: each picks a free port for /metrics and /health.
      env.put("IMAGEGEN_WORKER_HTTP_HOST", "127.0.0.1");
      env.put("IMAGEGEN_WORKER_HTTP_PORT", "0");
      env.put("IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("IMAGEGEN_S3_ENDPOINT", s3.endpoint().toString());
      env.put("IMAGEGEN_S3_ACCESS_KEY", s3.accessKey());
      env.put("IMAGEGEN_S3_SECRET_KEY", s3.secretKey());
      // S3Proxy honours per-object ACLs, which gives short, plain public URLs.
      env.put("IMAGEGEN_S3_PUBLIC_URL_MODE", "acl");
      // Every client of the stack (tests, curl) shares 127.0.0.1, so one address's failed-key budget is everyone's.
      env.put("IMAGEGEN_AUTH_FAILURE_LIMIT", "1000");
      // The production catalog offers no demo models; the local stack adds them and makes "demo" the default
      // (where a caller's own catalog has it: tests that bring their own name their models).
      env.put("IMAGEGEN_MODEL_CATALOG", ModelCatalog.WITH_DEMO);
      env.putAll(options.env());
      if (!env.containsKey("IMAGEGEN_DEFAULT_MODEL")
          && ModelCatalog.load(env.get("IMAGEGEN_MODEL_CATALOG")).find("demo").isPresent()) {
        env.put("IMAGEGEN_DEFAULT_MODEL", "demo");
      }
      long infraReady = System.nanoTime();
      api = await(ApiMain.start(env));
      for (int i = 0; i < options.workers(); i++) {
        workers.add(await(WorkerMain.start(env)));
      }
      LOG.info("local stack up: Kafka and S3 in {} ms, services in {} ms", (infraReady - begin) / 1_000_000,
          (System.nanoTime() - infraReady) / 1_000_000);
      return new LocalStack(kafka, s3, Map.copyOf(env), api, workers);
    } catch (Exception | Error e) {
      workers.forEach(WorkerMain.Running::close);
      if (api != null) {
        api.close();
      }
      if (s3 != null) {
        s3.close();
      }
      if (kafka != null) {
        kafka.close();
      }
      throw e;
    }
  }

  public URI apiBase() {
    return URI.create("http://127.0.0.1:" + api.port());
  }

  /** Each worker's {@code /metrics} and {@code /health} base URL, in start order. */
  public List<URI> workerMonitoring() {
    return workers.stream().map(worker -> URI.create("http://127.0.0.1:" + worker.monitoringPort())).toList();
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public EmbeddedS3 s3() {
    return s3;
  }

  /** The environment the services were started with. */
  public Map<String, String> serviceEnv() {
    return serviceEnv;
  }

  /** Stops the services (draining workers), then the S3 server and the broker. */
  @Override
  public void close() {
    long started = System.nanoTime();
    workers.forEach(WorkerMain.Running::close);
    api.close();
    long services = System.nanoTime();
    s3.close();
    kafka.close();
    LOG.info("local stack stopped: services in {} ms, S3 and Kafka in {} ms", (services - started) / 1_000_000,
        (System.nanoTime() - services) / 1_000_000);
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture()
          .get(SERVICE_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

}
