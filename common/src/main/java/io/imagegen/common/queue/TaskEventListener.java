package io.imagegen.common.queue;

import io.imagegen.common.json.Json;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every task event from now on (all partitions, no consumer group: each API instance needs all of them) and
 * hands them, one batch per poll, to a single handler on one Vert.x context, which thereby owns whatever the
 * handler touches.
 */
public final class TaskEventListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TaskEventListener.class);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Context context;
  private final Handler<List<TaskEvent>> handler;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;

  TaskEventListener(Consumer<String, byte[]> consumer, String topic, Context context,
      Handler<List<TaskEvent>> handler) {
    this.consumer = consumer;
    this.topic = topic;
    this.context = context;
    this.handler = handler;
    this.thread = new Thread(this::run, "imagegen-task-events");
  }

  /**
   * Starts listening from the current end of the events topic, calling {@code handler} on {@code context} with each
   * batch of readable events. Blocking: call it off the event loop.
   */
  public static TaskEventListener start(KafkaSettings settings, String clientId, Context context,
      Handler<List<TaskEvent>> handler) {
    Map<String, Object> props = settings.baseClientProperties(clientId + "-events");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer());
    List<TopicPartition> partitions = Topics.partitions(consumer, settings.eventsTopic());
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    // Resolve the end offsets now, so that nothing published after start() returns can be missed.
    partitions.forEach(consumer::position);
    TaskEventListener listener = new TaskEventListener(consumer, settings.eventsTopic(), context,
        handler);
    listener.thread.start();
    return listener;
  }

  private void run() {
    try {
      while (running) {
        List<TaskEvent> batch = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          try {
            batch.add(Json.fromBytes(record.value(), TaskEvent.class));
          } catch (RuntimeException e) {
            LOG.warn("ignoring unreadable task event on {}", topic);
          }
        }
        if (!batch.isEmpty()) {
          context.runOnContext(ignored -> handler.handle(batch));
        }
      }
    } catch (WakeupException e) {
      // close() woke us.
    } catch (RuntimeException e) {
      LOG.error("task event listener stopped; readers fall back to re-reading the task store", e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
      stopped.countDown();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      stopped.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
