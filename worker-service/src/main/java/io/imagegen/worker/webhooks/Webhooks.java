package io.imagegen.worker.webhooks;

import io.imagegen.worker.observability.WorkerTracing;
import io.imagegen.common.fetch.FetchPolicy;
import io.imagegen.common.fetch.SafeFetcher;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.TaskEvent;
import io.imagegen.common.tasks.TaskStore;
import io.imagegen.worker.deadletters.DeadLetterSink;
import io.imagegen.worker.queue.JobConsumer;
import io.imagegen.worker.queue.JobOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signed webhooks when tasks end: reads the task events topic in its own consumer group and delivers each terminal
 * task's webhook to its {@code callback_url}. Jobs never wait for it; a slow or dead receiver only holds back this
 * component's own offsets. Offsets are committed only past finished deliveries (a contiguous prefix), so a crash
 * sends again (receivers dedupe on {@code webhook-id}) and never skips.
 */
public final class Webhooks {
  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
  /** Deliveries take seconds; committing every second bounds what a crash sends again at little cost. */
  private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);

  /** Deliveries are jobs too: the consumer that runs image jobs runs them, from a group of its own. */
  private final JobConsumer<TaskEvent> consumer;
  private final CallbackSender sender;
  private final SafeFetcher fetcher;

  private Webhooks(JobConsumer<TaskEvent> consumer, CallbackSender sender, SafeFetcher fetcher) {
    this.consumer = consumer;
    this.sender = sender;
    this.fetcher = fetcher;
  }

  /**
   * Starts delivering, or does nothing when no owner has a signing secret. An event that can never be delivered (it
   * or its task record is unreadable) goes to {@code deadLetters} as poison, so later deliveries are not held back.
   */
  public static Webhooks start(Vertx vertx, WebhookSettings settings, KafkaSettings kafka, TaskStore store,
      DeadLetterSink deadLetters, MeterRegistry metrics, WorkerTracing tracing) {
    if (!settings.enabled()) {
      LOG.info("webhooks are off: no owner has a secret in IMAGEGEN_WEBHOOK_SECRETS");
      return new Webhooks(null, null, null);
    }
    SafeFetcher fetcher = new SafeFetcher(vertx, FetchPolicy.webhooks().withAllowPrivateNetworks(
        settings.allowPrivateNetworks()));
    CallbackSender sender = new CallbackSender(vertx, store, fetcher, settings.secrets(), settings.retry(),
        Clock.systemUTC());
    Map<String, Object> props = kafka.baseClientProperties("imagegen-webhooks");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, settings.groupProtocol());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A new group must not skip tasks that ended before it first ran; replaying events without a callback is cheap.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // A delivery ends (and its offset may be committed) once delivered, given up or dead-lettered.
    JobConsumer<TaskEvent> consumer = new JobConsumer<>(new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer()), kafka.eventsTopic(), vertx.getOrCreateContext(), TaskEvent.class,
        event -> event.mayNeedCallback() ? tracing.deliver(event.taskId(), () -> sender.deliver(event))
            .map(JobOutcome.DONE)
            : Future.succeededFuture(JobOutcome.DONE),
        deadLetters,
        settings.maxInFlight(), COMMIT_INTERVAL, metrics);
    consumer.start();
    return new Webhooks(consumer, sender, fetcher);
  }

  /** Stops fetching events, lets deliveries finish for up to {@code grace}, commits, and logs the outcome counts. */
  public Future<Void> stop(Duration grace) {
    if (consumer == null) {
      return Future.succeededFuture();
    }
    return consumer.stop(grace).onComplete(ignored -> {
      fetcher.close();
      LOG.info("webhooks stopped; deliveries since start: {}", sender.outcomes());
    });
  }
}
