package io.imagegen.worker;

import io.imagegen.common.observability.Readiness;
import io.imagegen.common.observability.Telemetry;
import io.imagegen.worker.observability.WorkerTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.imagegen.common.config.Env;
import io.imagegen.common.lifecycle.Launcher;
import io.imagegen.common.lifecycle.Shutdown;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.queue.TaskEventPublisher;
import io.imagegen.common.queue.Topics;
import io.imagegen.common.usage.UsageLedger;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.tasks.S3TaskStore;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.worker.deadletters.DeadLetterPublisher;
import io.imagegen.worker.discovery.Announcer;
import io.imagegen.worker.monitoring.MonitoringServer;
import io.imagegen.worker.providers.demo.DemoProvider;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.ark.ArkProvider;
import io.imagegen.worker.providers.dashscope.DashScopeProvider;
import io.imagegen.worker.providers.gemini.GeminiProvider;
import io.imagegen.worker.providers.openai.OpenAiProvider;
import io.imagegen.worker.providers.Providers;
import io.imagegen.worker.queue.JobConsumer;
import io.imagegen.worker.retention.RetentionSweeper;
import io.imagegen.worker.tasks.JobRunner;
import io.imagegen.worker.webhooks.Webhooks;
import io.imagegen.worker.upstream.ClusterShare;
import io.imagegen.worker.upstream.UpstreamGate;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the worker-service; {@link #start(Map)} also embeds it (local stack, tests). */
public final class WorkerMain {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);
  /** A ledger entry the broker has not taken by then fails the job, which runs again and re-publishes it. */
  private static final Duration LEDGER_TIMEOUT = Duration.ofSeconds(30);

  /** A started worker. */
  public interface Running extends AutoCloseable {
    /** Where {@code /metrics}, {@code /health}, {@code /livez} and {@code /readyz} are served. */
    int monitoringPort();

    /** Stops fetching, drains running jobs within the grace period, commits and releases every resource. */
    @Override
    void close();
  }

  private WorkerMain() {
  }

  public static void main(String[] args) throws Exception {
    Launcher.launch("worker-service", () -> start(System.getenv()),
        running -> LOG.info("worker-service consuming jobs"));
  }

  /** Validates {@code env} (throwing {@code ConfigException} at once), then starts consuming. */
  public static Future<Running> start(Map<String, String> env) {
    WorkerConfig config = WorkerConfig.from(new Env(env));
    return start(config, env, Telemetry.from(env, "imagegen-worker"));
  }

  /** As {@link #start(Map)}, with spans going to {@code openTelemetry}, which the caller owns (tests). */
  public static Future<Running> start(Map<String, String> env, OpenTelemetry openTelemetry) {
    return start(WorkerConfig.from(new Env(env)), env, Telemetry.of(openTelemetry));
  }

  private static Future<Running> start(WorkerConfig config, Map<String, String> env, Telemetry telemetry) {
    Vertx vertx = Vertx.vertx();
    WorkerTracing tracing = new WorkerTracing(vertx, telemetry.tracer());
    ObjectStore objects = ObjectStore.s3(vertx, config.s3());
    // Vendor limits hold for the whole deployment: this worker's part follows the partitions it owns.
    ClusterShare share = ClusterShare.unassigned();
    ProviderContext context = new ProviderContext(vertx, WebClient.create(vertx, new WebClientOptions()
        // Image calls are long; connection set-up is not, so a dead vendor is noticed in seconds.
        .setConnectTimeout(10_000)
        .setKeepAlive(true)
        .setUserAgent("imagegen-queue"),
        // One connection per job in flight: upstream calls are long and HTTP/1.1 cannot share a connection.
        new PoolOptions().setHttp1MaxSize(config.maxInFlight())), objects, env, config.spoolDir(), share);
    Providers providers = new Providers(List.of(new DemoProvider(context, config.demoLatency()),
        new OpenAiProvider(context, OpenAiProvider.OPENAI), new OpenAiProvider(context, OpenAiProvider.OPENAI_COMPATIBLE),
        new ArkProvider(context), new GeminiProvider(context),
        new DashScopeProvider(context, DashScopeProvider.Options.defaults())));
    reportUnconfigured(config, providers, context);
    Announcer announcer = Announcer.create(vertx, config.kafka(), config.catalog(), providers, context);
    MonitoringServer monitoring = new MonitoringServer();
    PrometheusMeterRegistry metrics = monitoring.registry();
    TaskEventPublisher events = TaskEventPublisher.create(config.kafka(), "imagegen-worker");
    S3TaskStore store = new S3TaskStore(objects);
    DeadLetterPublisher deadLetters = DeadLetterPublisher.create(config.kafka(), "imagegen-worker");
    UsageLedger ledger = UsageLedger.create(vertx, config.kafka(), "imagegen-worker", LEDGER_TIMEOUT);
    JobRunner runner = new JobRunner(vertx, store, objects, config.catalog(), providers,
        config.upstreamRetry(), config.retention(), config.taskDeadline(), events, ledger,
        new UpstreamGate(vertx, config.catalog(), Clock.systemUTC(), metrics, share), metrics, Clock.systemUTC());
    AtomicReference<JobConsumer<JobMessage>> consuming = new AtomicReference<>();
    Readiness readiness = new Readiness(config.kafka(), "imagegen-worker", objects,
        () -> consuming.get() != null && consuming.get().consuming());
    return vertx.executeBlocking(() -> {
          Topics.ensure(config.kafka(), 30_000);
          return null;
        })
        .compose(ignored -> objects.ensureBucket())
        .compose(ignored -> installExpiryRule(objects, config.retention()))
        // Listening first: a port already taken fails the start before any job is fetched.
        .compose(ignored -> monitoring.listen(vertx, config.httpHost(), config.httpPort(),
            () -> consuming.get() != null && consuming.get().consuming(), readiness::check))
        .<Running>map(ignored -> {
          JobConsumer<JobMessage> consumer = new JobConsumer<>(new KafkaConsumer<>(consumerProperties(config),
              new StringDeserializer(), new ByteArrayDeserializer()), config.kafka().jobsTopic(),
              vertx.getOrCreateContext(), JobMessage.class,
              job -> tracing.process(config.kafka().jobsTopic(), job, runner::run), deadLetters, config.maxInFlight(),
              config.commitInterval(), metrics);
          consumer.onAssignment(share::assigned);
          consumer.start();
          consuming.set(consumer);
          Webhooks webhooks = Webhooks.start(vertx, config.webhooks(), config.kafka(), store, deadLetters,
              metrics, tracing);
          RetentionSweeper sweeper = new RetentionSweeper(new KafkaConsumer<>(sweeperProperties(config),
              new StringDeserializer(), new ByteArrayDeserializer()), config.kafka().jobsTopic(), objects, store,
              config.retention(), Clock.systemUTC(), metrics);
          sweeper.start();
          announcer.start();
          return new Started(vertx, consumer, webhooks, sweeper, monitoring, events, ledger, deadLetters,
              objects, config.shutdownGrace(), readiness, telemetry, announcer);
        })
        .onFailure(err -> {
          announcer.withdraw(Duration.ofSeconds(1));
          readiness.close();
          telemetry.close();
          monitoring.close();
          events.close();
          ledger.close();
          deadLetters.close();
          objects.close();
          vertx.close();
        });
  }

  /** Names, once at start-up, every model this worker cannot serve; their tasks fail with a clear error. */
  private static void reportUnconfigured(WorkerConfig config, Providers providers, ProviderContext context) {
    for (ModelSpec model : config.catalog().all()) {
      if (providers.find(model.provider()).isEmpty()) {
        LOG.warn("model {} uses provider '{}', which this worker does not have", model.id(), model.provider());
      } else if (!context.isConfigured(model)) {
        LOG.warn("model {} is not configured: set {}{}", model.id(), model.apiKeyEnv(),
            model.baseUrl() != null && model.baseUrl().contains("${") ? " and the variable in " + model.baseUrl() : "");
      }
    }
  }

  /**
   * The bucket's lifecycle rule backs up the sweeper where the store has lifecycle rules (S3, MinIO; S3Proxy has
   * none): one day on top of the retention, so that the rule never deletes what the API may still serve.
   */
  private static Future<Void> installExpiryRule(ObjectStore objects, Duration retention) {
    return objects.expireObjectsAfter(retention.plusDays(1)).map(installed -> {
      LOG.info(installed ? "bucket lifecycle rule installed: objects expire {} after their last write"
          : "the object store has no lifecycle rules; the retention sweeper alone deletes expired objects ({})",
          retention.plusDays(1));
      return null;
    });
  }

  /** The sweeper's own group on the jobs topic: its committed offsets say how far retention has swept. */
  private static Map<String, Object> sweeperProperties(WorkerConfig config) {
    Map<String, Object> props = config.kafka().baseClientProperties("imagegen-retention");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId() + "-retention");
    props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, config.groupProtocol());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    return props;
  }

  private static Map<String, Object> consumerProperties(WorkerConfig config) {
    Map<String, Object> props = config.kafka().baseClientProperties("imagegen-worker");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, config.groupProtocol());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A brand-new group must not skip jobs that were enqueued before any worker existed.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, config.maxInFlight()));
    if (config.groupProtocol().equals("consumer")) {
      // Contiguous ranges make each worker's share of a vendor limit proportional to its partitions (ClusterShare).
      props.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
    }
    return props;
  }

  private record Started(Vertx vertx, JobConsumer<JobMessage> consumer, Webhooks webhooks, RetentionSweeper sweeper,
      MonitoringServer monitoring, TaskEventPublisher events, UsageLedger ledger, DeadLetterPublisher deadLetters,
      ObjectStore objects, Duration grace, Readiness readiness, Telemetry telemetry, Announcer announcer)
      implements Running {
    @Override
    public int monitoringPort() {
      return monitoring.port();
    }

    @Override
    public void close() {
      // Drain gets the grace period; committing and closing the consumer gets a little on top. Webhooks drain
      // alongside: a delivery still retrying when the grace ends is sent again by whoever owns its partition next.
      // Not ready from the first moment of the drain (docs/operations.md#health).
      readiness.drain();
      // A draining worker takes no new jobs, so the API must stop counting on it now (docs/api.md#model-availability).
      Shutdown.run("worker announcement", () -> announcer.withdraw(Duration.ofSeconds(5)));
      Future<Void> hooks = webhooks.stop(grace);
      Shutdown.await("job consumer", consumer.stop(grace), grace.plusSeconds(10));
      Shutdown.await("webhooks", hooks, grace.plusSeconds(10));
      Shutdown.await("retention sweeper", sweeper.stop(), Duration.ofSeconds(10));
      Shutdown.await("monitoring endpoint", monitoring.close(), Duration.ofSeconds(5));
      Shutdown.run("task events", events::close);
      Shutdown.run("usage ledger", ledger::close);
      Shutdown.run("dead letters", deadLetters::close);
      Shutdown.run("object store", objects::close);
      Shutdown.run("readiness", readiness::close);
      Shutdown.run("telemetry", telemetry::close);
      Shutdown.closeVertx(vertx, Duration.ofSeconds(10));
    }
  }
}
