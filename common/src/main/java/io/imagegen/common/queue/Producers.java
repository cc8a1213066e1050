package io.imagegen.common.queue;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one place our Kafka producers are set up: String keys (task ids), byte[] values (JSON), the broker address
 * and security from {@link KafkaSettings}, and a delivery guarantee; each caller adds only what differs.
 */
public final class Producers {
  private final Map<String, Object> props;

  private Producers(KafkaSettings settings, String clientId, String acks, boolean idempotent) {
    this.props = settings.baseClientProperties(clientId);
    props.put(ProducerConfig.ACKS_CONFIG, acks);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
  }

  /** Every send on all in-sync replicas and written once (idempotence): for records that must not be lost. */
  public static Producers durable(KafkaSettings settings, String clientId) {
    return new Producers(settings, clientId, "all", true);
  }

  /** Only the leader's acknowledgement, no idempotence: for notifications that are worthless when late. */
  public static Producers bestEffort(KafkaSettings settings, String clientId) {
    return new Producers(settings, clientId, "1", false);
  }

  /** Sets one more producer property ({@link ProducerConfig}). */
  public Producers with(String key, Object value) {
    props.put(key, value);
    return this;
  }

  /**
   * Every send either completes or fails within {@code timeout}: waiting for metadata and the whole delivery
   * (retries included) are bounded by it, one request by half of it (at least a second) so one retry fits.
   */
  public Producers within(Duration timeout) {
    int timeoutMs = (int) timeout.toMillis();
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, timeoutMs / 2));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
    return this;
  }

  /** The properties so far (tests). */
  Map<String, Object> properties() {
    return Map.copyOf(props);
  }

  /** A new producer with these properties; the caller closes it. */
  public Producer<String, byte[]> create() {
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
