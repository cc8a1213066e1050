package io.imagegen.local;

import io.imagegen.api.ApiMain;
import io.imagegen.worker.WorkerMain;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same end-to-end scenarios against the docker-compose parts (Kafka's own image, MinIO) with presigned URLs.
 * Skipped cleanly where no Docker engine is available.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersEndToEndTest extends EndToEndScenarios {
  @Container
  static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.2"));

  // The same MinIO image as deploy/docker-compose.yml.
  @Container
  static final MinIOContainer MINIO = new MinIOContainer(DockerImageName.parse(
      "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z").asCompatibleSubstituteFor("minio/minio"));

  static ApiMain.Running api;
  static WorkerMain.Running worker;
  static String bucket;

  @BeforeAll
  static void startServices() throws Exception {
    bucket = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = new HashMap<>();
    env.put("IMAGEGEN_API_KEYS", API_KEYS);
    env.put("IMAGEGEN_MAX_BODY_BYTES", Integer.toString(MAX_BODY_BYTES));
    env.put("IMAGEGEN_HTTP_HOST", "127.0.0.1");
    env.put("IMAGEGEN_HTTP_PORT", "0");
    env.put("IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS", KAFKA.getBootstrapServers());
    env.put("IMAGEGEN_WORKER_HTTP_PORT", "0");
    env.put("IMAGEGEN_KAFKA_JOBS_TOPIC", "e2e-jobs-" + bucket);
    env.put("IMAGEGEN_S3_ENDPOINT", MINIO.getS3URL());
    env.put("IMAGEGEN_S3_ACCESS_KEY", MINIO.getUserName());
    env.put("IMAGEGEN_S3_SECRET_KEY", MINIO.getPassword());
    env.put("IMAGEGEN_S3_BUCKET", bucket);
    env.put("IMAGEGEN_DEMO_LATENCY", "300ms");
    api = ApiMain.start(env).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    worker = WorkerMain.start(env).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stopServices() {
    if (worker != null) {
      worker.close();
    }
    if (api != null) {
      api.close();
    }
  }

  @Override
  URI apiBase() {
    return URI.create("http://127.0.0.1:" + api.port());
  }

  @Override
  URI s3Endpoint() {
    return URI.create(MINIO.getS3URL());
  }

  @Override
  String bucket() {
    return bucket;
  }
}
