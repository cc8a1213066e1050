package io.imagegen.common.queue;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics the services need if they are missing; blocking, so call it off the event loop. */
public final class Topics {
  private Topics() {
  }

  /** Ensures the jobs, events and dead-letter topics exist; existing topics are left as they are. */
  public static void ensure(KafkaSettings settings, long timeoutMillis) throws InterruptedException, TimeoutException {
    try (Admin admin = Admin.create(settings.baseClientProperties("imagegen-admin"))) {
      for (String topic : List.of(settings.jobsTopic(), settings.eventsTopic(), settings.deadLetterTopic())) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, settings.partitions(), settings.replicationFactor())))
              .all().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause().getMessage(),
                e.getCause());
          }
        }
      }
    }
  }
}
