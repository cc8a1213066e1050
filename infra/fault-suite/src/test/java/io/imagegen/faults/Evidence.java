package io.imagegen.faults;

import io.imagegen.common.json.Json;
import io.imagegen.common.tasks.Task;
import io.imagegen.local.EmbeddedS3;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/** What the checker reads behind the API's back: raw topic contents from the broker and raw objects from S3. */
final class Evidence {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private Evidence() {
  }

  /** Every record on {@code topic}, from the beginning to the end offsets at the time of the call. */
  static List<ConsumerRecord<String, byte[]>> readTopic(String bootstrapServers, String topic) {
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, "faults-checker-" + UUID.randomUUID(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, READ_TIMEOUT).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within " + READ_TIMEOUT);
        }
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    return records;
  }

  /** Writes one raw record, as a buggy or hostile producer would. */
  static void produce(String bootstrapServers, String topic, String key, byte[] value) throws Exception {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new StringSerializer(),
        new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }
  }

  /** The bucket's object keys under {@code prefix}. */
  static List<String> keys(EmbeddedS3 s3, String bucket, String prefix) {
    try (S3AsyncClient client = client(s3)) {
      List<String> keys = new ArrayList<>();
      client.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())
          .contents().subscribe(object -> keys.add(object.key()))
          .get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return keys;
    } catch (Exception e) {
      throw new IllegalStateException("could not list " + bucket + "/" + prefix, e);
    }
  }

  /** Every task record in the bucket, read straight from storage. */
  static List<Task> taskRecords(EmbeddedS3 s3, String bucket) {
    try (S3AsyncClient client = client(s3)) {
      List<Task> tasks = new ArrayList<>();
      for (String key : keys(s3, bucket, "tasks/")) {
        byte[] bytes = client.getObject(get -> get.bucket(bucket).key(key), AsyncResponseTransformer.toBytes())
            .get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS).asByteArray();
        tasks.add(Json.fromBytes(bytes, Task.class));
      }
      return tasks;
    } catch (Exception e) {
      throw new IllegalStateException("could not read the task records of " + bucket, e);
    }
  }

  private static S3AsyncClient client(EmbeddedS3 s3) {
    return S3AsyncClient.builder()
        .endpointOverride(URI.create(s3.endpoint().toString()))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
        .build();
  }
}
