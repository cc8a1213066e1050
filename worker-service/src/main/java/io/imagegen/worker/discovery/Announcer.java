package io.imagegen.worker.discovery;

import io.imagegen.common.json.Json;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.WorkerAnnouncement;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.Providers;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces, every {@link #INTERVAL}, the models this worker can serve on the workers topic, so that the API knows
 * which models some worker has credentials for; {@link #withdraw} publishes a tombstone when the worker drains
 * (docs/architecture.md#model-availability). Fire-and-forget: a lost announcement is renewed by the next one.
 */
public final class Announcer {
  private static final Logger LOG = LoggerFactory.getLogger(Announcer.class);
  /** How often the announcement is renewed. */
  static final Duration INTERVAL = Duration.ofSeconds(10);
  /** Three intervals: two lost announcements in a row do not make the worker look dead. */
  static final Duration TTL = INTERVAL.multipliedBy(3);

  private final Vertx vertx;
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final String workerId;
  private final List<String> models;
  private final Clock clock;
  private volatile long timer = -1;
  /** Guarded by {@code this}: no announcement may follow the tombstone. */
  private boolean withdrawn;

  Announcer(Vertx vertx, Producer<String, byte[]> producer, String topic, String workerId, List<String> models,
      Clock clock) {
    this.vertx = vertx;
    this.producer = producer;
    this.topic = topic;
    this.workerId = workerId;
    this.models = List.copyOf(models);
    this.clock = clock;
  }

  /** An announcer of every catalog model whose provider {@code providers} has and whose credentials are set. */
  public static Announcer create(Vertx vertx, KafkaSettings settings, ModelCatalog catalog, Providers providers,
      ProviderContext context) {
    Map<String, Object> props = settings.baseClientProperties("imagegen-worker-announcer");
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // Never stall for long: the next announcement replaces one that could not go out.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5000);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    return new Announcer(vertx, new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer()),
        settings.workersTopic(), "worker-" + UUID.randomUUID(), servable(catalog, providers, context),
        Clock.systemUTC());
  }

  /** The ids of the catalog models this worker can serve. */
  static List<String> servable(ModelCatalog catalog, Providers providers, ProviderContext context) {
    return catalog.all().stream()
        .filter(model -> providers.find(model.provider()).isPresent() && context.isConfigured(model))
        .map(ModelSpec::id)
        .toList();
  }

  /** Announces now and then every {@link #INTERVAL} until {@link #withdraw}. */
  public void start() {
    announceOffLoop();
    timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> announceOffLoop());
  }

  private void announceOffLoop() {
    // send() may block for metadata while the broker is away, so it never runs on an event loop.
    vertx.executeBlocking(() -> {
      send(Json.toBytes(new WorkerAnnouncement(workerId, models, clock.millis() + TTL.toMillis())));
      return null;
    }, false);
  }

  /** Stops announcing and publishes the tombstone, waiting at most {@code timeout}; blocking. */
  public void withdraw(Duration timeout) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    try {
      synchronized (this) {
        withdrawn = true;
      }
      producer.send(new ProducerRecord<>(topic, workerId, null)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // The announcement then simply expires (TTL).
      LOG.warn("could not withdraw worker {} from the workers topic: {}", workerId, e.getMessage());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    } finally {
      producer.close(timeout);
    }
  }

  private synchronized void send(byte[] value) {
    if (withdrawn) {
      return;
    }
    try {
      producer.send(new ProducerRecord<>(topic, workerId, value), (metadata, error) -> {
        if (error != null) {
          LOG.warn("could not announce worker {}: {}", workerId, error.getMessage());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("could not announce worker {}: {}", workerId, e.getMessage());
    }
  }
}
