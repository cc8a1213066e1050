package io.imagegen.common.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagegen.common.config.ConfigException;
import io.imagegen.common.config.Env;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {
  private static KafkaSettings read(Map<String, String> vars) {
    Map<String, String> all = new HashMap<>(vars);
    all.put("IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS", "broker:9092");
    Env env = new Env(all);
    KafkaSettings settings = KafkaSettings.from(env);
    env.validate();
    return settings;
  }

  @Test
  void theEventsAndDeadLetterTopicsFollowTheJobsTopicByDefault() {
    KafkaSettings settings = read(Map.of("IMAGEGEN_KAFKA_JOBS_TOPIC", "prod.jobs"));

    assertThat(settings.eventsTopic()).isEqualTo("prod.jobs.events");
    assertThat(settings.deadLetterTopic()).isEqualTo("prod.jobs.dlq");
  }

  @Test
  void theDeadLetterTopicCanBeNamedExplicitly() {
    assertThat(read(Map.of("IMAGEGEN_KAFKA_DLQ_TOPIC", "ops.dead-letters")).deadLetterTopic())
        .isEqualTo("ops.dead-letters");
  }

  @Test
  void aDeadLetterTopicThatIsIllegalOrSharedWithAnotherTopicIsRefusedByName() {
    assertThatThrownBy(() -> read(Map.of("IMAGEGEN_KAFKA_DLQ_TOPIC", "imagegen.jobs")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("IMAGEGEN_KAFKA_DLQ_TOPIC");
    assertThatThrownBy(() -> read(Map.of("IMAGEGEN_KAFKA_DLQ_TOPIC", "imagegen.jobs.events")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("IMAGEGEN_KAFKA_DLQ_TOPIC");
    assertThatThrownBy(() -> read(Map.of("IMAGEGEN_KAFKA_DLQ_TOPIC", "no spaces")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("IMAGEGEN_KAFKA_DLQ_TOPIC");
  }
}
