package io.imagegen.common.queue;

import io.imagegen.common.config.Env;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/** Broker address and topic layout, read from the {@code IMAGEGEN_KAFKA_*} variables. */
public record KafkaSettings(
    String bootstrapServers,
    String jobsTopic,
    String eventsTopic,
    String deadLetterTopic,
    String usageTopic,
    Duration usageRetention,
    int partitions,
    short replicationFactor,
    Map<String, String> securityProperties) {

  public static KafkaSettings from(Env env) {
    String bootstrap = env.required("IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS");
    String topic = env.string("IMAGEGEN_KAFKA_JOBS_TOPIC", "imagegen.jobs");
    if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
      env.problem("IMAGEGEN_KAFKA_JOBS_TOPIC must be a legal Kafka topic name, got '" + topic + "'");
    }
    String events = env.string("IMAGEGEN_KAFKA_EVENTS_TOPIC", topic + ".events");
    if (!events.matches("[a-zA-Z0-9._-]{1,249}") || events.equals(topic)) {
      env.problem("IMAGEGEN_KAFKA_EVENTS_TOPIC must be a legal Kafka topic name other than the jobs topic, got '"
          + events + "'");
    }
    String deadLetters = env.string("IMAGEGEN_KAFKA_DLQ_TOPIC", topic + ".dlq");
    if (!deadLetters.matches("[a-zA-Z0-9._-]{1,249}") || deadLetters.equals(topic) || deadLetters.equals(events)) {
      env.problem("IMAGEGEN_KAFKA_DLQ_TOPIC must be a legal Kafka topic name other than the jobs and events topics, "
          + "got '" + deadLetters + "'");
    }
    // The usage ledger (docs/architecture.md#usage-ledger): compacted by task id, kept as long as usage is asked for.
    String usage = env.string("IMAGEGEN_KAFKA_USAGE_TOPIC", "imagegen.usage");
    if (!usage.matches("[a-zA-Z0-9._-]{1,249}") || usage.equals(topic) || usage.equals(events)
        || usage.equals(deadLetters)) {
      env.problem("IMAGEGEN_KAFKA_USAGE_TOPIC must be a legal Kafka topic name other than the jobs, events and "
          + "dead-letter topics, got '" + usage + "'");
    }
    // A month of budget periods plus a day of slack for tasks that end after their period started.
    Duration usageRetention = env.duration("IMAGEGEN_USAGE_RETENTION", Duration.ofDays(32));
    Map<String, String> security = new HashMap<>();
    String protocol = env.raw("IMAGEGEN_KAFKA_SECURITY_PROTOCOL");
    if (protocol != null) {
      security.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    }
    return new KafkaSettings(bootstrap, topic, events, deadLetters, usage, usageRetention,
        // Partitions cap how many worker processes share the load, not how many jobs run at once.
        env.integer("IMAGEGEN_KAFKA_PARTITIONS", 12, 1, 10_000),
        (short) env.integer("IMAGEGEN_KAFKA_REPLICATION_FACTOR", 1, 1, 16),
        Map.copyOf(security));
  }

  /**
   * The compacted topic on which workers announce the models they can serve, keyed by worker id
   * (docs/architecture.md#model-availability).
   */
  public String workersTopic() {
    return jobsTopic + ".workers";
  }

  /** Properties every client shares. */
  public Map<String, Object> baseClientProperties(String clientId) {
    Map<String, Object> props = new HashMap<>(securityProperties);
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return props;
  }
}
