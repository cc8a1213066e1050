package io.imagegen.common.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ProducersTest {
  private static final KafkaSettings SETTINGS = new KafkaSettings("broker:9092", "jobs", "jobs.events", "jobs.dlq",
      "usage", Duration.ofDays(32), 12, (short) 1, Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL"));

  @Test
  void aDurableProducerWaitsForEveryInSyncReplicaAndWritesOnce() {
    Map<String, Object> props = Producers.durable(SETTINGS, "imagegen-api").properties();

    assertThat(props).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .containsEntry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
        .containsEntry(CommonClientConfigs.CLIENT_ID_CONFIG, "imagegen-api")
        .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
  }

  @Test
  void aBestEffortProducerWaitsOnlyForTheLeader() {
    Map<String, Object> props = Producers.bestEffort(SETTINGS, "w-events").properties();

    assertThat(props).containsEntry(ProducerConfig.ACKS_CONFIG, "1")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
  }

  @Test
  void aTimeoutBoundsTheWaitForMetadataAndTheDeliveryAndGivesOneRequestHalfOfIt() {
    Map<String, Object> props = Producers.durable(SETTINGS, "x").within(Duration.ofSeconds(10)).properties();

    assertThat(props).containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000)
        .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000)
        .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
  }

  @Test
  void aShortTimeoutStillGivesARequestASecond() {
    Map<String, Object> props = Producers.durable(SETTINGS, "x").within(Duration.ofMillis(1500)).properties();

    assertThat(props).containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000);
  }

  @Test
  void whatACallerAddsIsKept() {
    Map<String, Object> props = Producers.durable(SETTINGS, "x").with(ProducerConfig.LINGER_MS_CONFIG, 2).properties();

    assertThat(props).containsEntry(ProducerConfig.LINGER_MS_CONFIG, 2);
  }
}
