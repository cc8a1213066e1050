package io.imagegen.common.queue;

import io.imagegen.common.json.Json;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every task event from now on and hands them, one batch per poll, to a single handler on one Vert.x context,
 * which thereby owns whatever the handler touches.
 */
public final class TaskEventListener {
  private static final Logger LOG = LoggerFactory.getLogger(TaskEventListener.class);

  private TaskEventListener() {
  }

  /**
   * Starts listening from the current end of the events topic, calling {@code handler} on {@code context} with each
   * batch of readable events; close the returned reader to stop. Blocking: call it off the event loop.
   */
  public static TopicReader start(KafkaSettings settings, String clientId, Context context,
      Handler<List<TaskEvent>> handler) {
    return TopicReader.open(settings, clientId + "-events", settings.eventsTopic(), TopicReader.From.END)
        .follow("imagegen-task-events", "readers fall back to re-reading the task store", records -> {
          List<TaskEvent> batch = new ArrayList<>();
          for (ConsumerRecord<String, byte[]> record : records) {
            try {
              batch.add(Json.fromBytes(record.value(), TaskEvent.class));
            } catch (RuntimeException e) {
              LOG.warn("ignoring unreadable task event at offset {} of {}", record.offset(), record.partition());
            }
          }
          if (!batch.isEmpty()) {
            context.runOnContext(ignored -> handler.handle(batch));
          }
        });
  }
}
