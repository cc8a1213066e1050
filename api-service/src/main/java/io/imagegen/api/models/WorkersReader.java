package io.imagegen.api.models;

import io.imagegen.common.json.Json;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.TopicReader;
import io.imagegen.common.queue.WorkerAnnouncement;
import io.vertx.core.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the workers topic from its beginning and applies each batch to an {@link Availability} on one context,
 * telling it once the end offsets seen at start have been reached.
 */
public final class WorkersReader {
  private static final Logger LOG = LoggerFactory.getLogger(WorkersReader.class);

  private WorkersReader() {
  }

  /**
   * Starts reading into {@code availability}, which {@code context} then owns; close the returned reader to stop.
   * Blocking: call it off the event loop.
   */
  public static TopicReader start(KafkaSettings settings, String clientId, Context context,
      Availability availability) {
    TopicReader reader = TopicReader.open(settings, clientId + "-workers", settings.workersTopic(),
        TopicReader.From.BEGINNING);
    try {
      Map<TopicPartition, Long> end = reader.endOffsets(Duration.ofSeconds(30));
      boolean[] caughtUp = {false};
      return reader.follow("imagegen-workers-topic", "model availability no longer follows the workers",
          records -> {
            List<Availability.Update> batch = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records) {
              try {
                batch.add(new Availability.Update(record.key(), record.value() == null ? null
                    : Json.fromBytes(record.value(), WorkerAnnouncement.class)));
              } catch (RuntimeException e) {
                LOG.warn("ignoring unreadable worker announcement at offset {}", record.offset());
              }
            }
            boolean reached = caughtUp[0] || reader.reached(end);
            // The end, once reached, is reported even when the batch is empty (an empty topic).
            if (!batch.isEmpty() || reached != caughtUp[0]) {
              context.runOnContext(ignored -> availability.apply(batch, reached));
            }
            caughtUp[0] = reached;
          });
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }
}
