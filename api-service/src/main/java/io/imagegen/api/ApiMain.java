package io.imagegen.api;

import io.imagegen.api.http.ApiVerticle;
import io.imagegen.api.images.ImageService;
import io.imagegen.api.models.Availability;
import io.imagegen.api.models.ModelDirectory;
import io.imagegen.api.models.WorkersReader;
import io.imagegen.api.observability.ApiObservability;
import io.imagegen.api.queue.JobPositions;
import io.imagegen.api.queue.JobProducer;
import io.imagegen.api.queue.QueueDepth;
import io.imagegen.api.tasks.CallbackUrls;
import io.imagegen.api.tasks.TaskCache;
import io.imagegen.api.tasks.TaskService;
import io.imagegen.api.usage.UsageService;
import io.imagegen.common.config.Env;
import io.imagegen.common.fetch.FetchPolicy;
import io.imagegen.common.fetch.SafeFetcher;
import io.imagegen.common.lifecycle.Launcher;
import io.imagegen.common.lifecycle.Shutdown;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.observability.Readiness;
import io.imagegen.common.observability.Telemetry;
import io.imagegen.common.queue.TaskEventListener;
import io.imagegen.common.queue.TaskEventPublisher;
import io.imagegen.common.queue.TopicReader;
import io.imagegen.common.queue.Topics;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.tasks.S3TaskStore;
import io.opentelemetry.api.OpenTelemetry;
import io.imagegen.common.tasks.TaskStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the api-service; {@link #start(Map)} also embeds it (local stack, tests). */
public final class ApiMain {
  private static final Logger LOG = LoggerFactory.getLogger(ApiMain.class);
  /**
   * Backlog measurements are three admin calls, shared by every request: once a second keeps queue positions fresh
   * on every read (docs/api.md "Where a task stands") and is more than fresh enough to shed load.
   */
  private static final Duration QUEUE_DEPTH_INTERVAL = Duration.ofSeconds(1);

  /** A started api-service. */
  public interface Running extends AutoCloseable {
    /** The HTTP port actually bound. */
    int port();

    /** Where {@code /metrics} is served (IMAGEGEN_API_METRICS_PORT, or the free port taken for 0). */
    int metricsPort();

    /** Stops accepting requests, flushes the producer and releases every resource; blocks until done. */
    @Override
    void close();
  }

  private ApiMain() {
  }

  public static void main(String[] args) throws Exception {
    Launcher.launch("api-service", () -> start(System.getenv()),
        running -> LOG.info("api-service listening on port {}", running.port()));
  }

  /** Validates {@code env} (throwing {@code ConfigException} at once), then starts everything. */
  public static Future<Running> start(Map<String, String> env) {
    ApiConfig config = ApiConfig.from(new Env(env));
    return start(config, Telemetry.from(env, "imagegen-api"));
  }

  /** As {@link #start(Map)}, with spans going to {@code openTelemetry}, which the caller owns (tests). */
  public static Future<Running> start(Map<String, String> env, OpenTelemetry openTelemetry) {
    return start(ApiConfig.from(new Env(env)), Telemetry.of(openTelemetry));
  }

  private static Future<Running> start(ApiConfig config, Telemetry telemetry) {
    Vertx vertx = Vertx.vertx();
    ObjectStore objects = ObjectStore.s3(vertx, config.s3());
    JobPositions positions = JobPositions.start(config.kafka());
    JobProducer producer = JobProducer.create(vertx, config.kafka(), config.enqueueTimeout(), positions);
    TaskEventPublisher events = TaskEventPublisher.create(config.kafka(), "imagegen-api");
    // The task view and the event listener share one context, which owns the view (docs/architecture.md).
    Context context = vertx.getOrCreateContext();
    TaskStore store = new S3TaskStore(objects);
    TaskCache view = new TaskCache(vertx, context, store, Clock.systemUTC(), config.taskView());
    QueueDepth queue = QueueDepth.start(vertx, config.kafka(), config.workerGroupId(), config.maxQueueDepth(),
        QUEUE_DEPTH_INTERVAL, positions);
    SafeFetcher fetcher = new SafeFetcher(vertx, FetchPolicy.images().withAllowPrivateNetworks(
        config.fetchPrivateNetworks()));
    Readiness readiness = new Readiness(config.kafka(), "imagegen-api", objects, () -> true);
    ApiObservability observability = new ApiObservability(telemetry.tracer(), readiness,
        config.catalog().all().stream().map(ModelSpec::id).collect(Collectors.toSet()), queue::depth);
    AtomicReference<UsageService> usage = new AtomicReference<>();
    // Workers announce what they can serve; the task view's context owns what was heard
    // (docs/api.md#model-availability).
    Availability availability = new Availability(Clock.systemUTC(), config.discoveryGrace());
    AtomicReference<TopicReader> workers = new AtomicReference<>();
    return vertx.executeBlocking(() -> {
          Topics.ensure(config.kafka(), config.enqueueTimeout().toMillis() * 3);
          usage.set(UsageService.start(vertx, config.kafka(), config.catalog(), config.budgets(),
              config.apiKeys()::isAdmin, observability.registry(), Clock.systemUTC(), new UsageService.Settings(
                  config.kafka().usageRetention(), config.reservationTtl(), config.enqueueTimeout())));
          workers.set(WorkersReader.start(config.kafka(), "imagegen-api", context, availability));
          return TaskEventListener.start(config.kafka(), "imagegen-api", context, view::apply);
        })
        .compose(listener -> objects.ensureBucket().compose(ignored -> {
          TaskService tasks = new TaskService(vertx, config.catalog(), store, objects, producer,
              events, view, fetcher, new CallbackUrls(config.webhookSecrets(), config.webhookPrivateNetworks()),
              usage.get(), Clock.systemUTC(), new TaskService.Settings(config.retention(),
              config.syncWait(), config.maxWait(), config.logs().prompts()), positions);
          ApiVerticle verticle = new ApiVerticle(new ApiVerticle.Options(config.host(), config.port(),
              config.maxBodyBytes(), config.maxWait(), config.submitsPerSecond(), config.submitBurst(),
              config.readsPerSecond(), config.readBurst(), config.maxWaitsPerKey(), config.edge(),
              config.corsOrigins(), config.publicUrl()), config.apiKeys(), tasks,
              new ModelDirectory(config.catalog(), availability, config.modelsListAll()),
              new ImageService(objects, Clock.systemUTC()), queue,
              observability, usage.get());
          return vertx.deployVerticle(verticle)
              .compose(deploymentId -> observability.listen(vertx, config.host(), config.metricsPort())
                  .<Running>map(listening -> new Started(vertx, deploymentId, verticle, producer, events, listener,
                      usage.get(), fetcher, queue, positions, objects, config.shutdownTimeout(), observability,
                      readiness,
                      telemetry, workers.get())));
        }).onFailure(err -> listener.close()))
        .onFailure(err -> {
          if (usage.get() != null) {
            usage.get().close();
          }
          if (workers.get() != null) {
            workers.get().close();
          }
          observability.close();
          readiness.close();
          telemetry.close();
          queue.close();
          positions.close();
          producer.close();
          events.close();
          objects.close();
          vertx.close();
        });
  }

  private record Started(Vertx vertx, String deploymentId, ApiVerticle verticle, JobProducer producer,
      TaskEventPublisher events, TopicReader listener, UsageService usage, SafeFetcher fetcher,
      QueueDepth queue, JobPositions positions, ObjectStore objects, Duration timeout, ApiObservability observability,
      Readiness readiness, Telemetry telemetry, TopicReader workers)
      implements Running {
    @Override
    public int port() {
      return verticle.actualPort();
    }

    @Override
    public int metricsPort() {
      return observability.port();
    }

    @Override
    public void close() {
      // Not ready from the first moment, so load balancers stop sending while requests in flight finish.
      readiness.drain();
      // Stop taking requests first, then flush enqueued jobs, then release clients and threads.
      Shutdown.await("http server", vertx.undeploy(deploymentId), timeout);
      Shutdown.run("kafka producer", () -> producer.close(timeout));
      Shutdown.run("task events", () -> {
        events.close();
        listener.close();
      });
      Shutdown.run("usage ledger", usage::close);
      Shutdown.run("workers topic", workers::close);
      Shutdown.run("fetcher", fetcher::close);
      Shutdown.run("queue depth", queue::close);
      Shutdown.run("job positions", positions::close);
      Shutdown.run("object store", objects::close);
      Shutdown.await("metrics endpoint", observability.close(), timeout);
      Shutdown.run("readiness", readiness::close);
      Shutdown.run("telemetry", telemetry::close);
      Shutdown.closeVertx(vertx, timeout);
    }
  }
}
