package io.imagegen.local;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The end-to-end scenarios on the embedded stack: Kafka and S3Proxy started from Maven Central artifacts. */
class EmbeddedStackEndToEndTest extends EndToEndScenarios {
  @TempDir
  static Path data;
  static LocalStack stack;
  static String bucket;

  @BeforeAll
  static void startStack() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    bucket = "e2e-" + unique;
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", API_KEYS,
        "IMAGEGEN_MAX_BODY_BYTES", Integer.toString(MAX_BODY_BYTES),
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "e2e-jobs-" + unique,
        "IMAGEGEN_S3_BUCKET", bucket,
        // Long enough for a poller to see RUNNING, short enough to keep the suite fast.
        "IMAGEGEN_DEMO_LATENCY", "300ms",
        "IMAGEGEN_UPSTREAM_INITIAL_BACKOFF", "100ms")));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Override
  URI apiBase() {
    return stack.apiBase();
  }

  @Override
  URI s3Endpoint() {
    return stack.s3().endpoint();
  }

  @Override
  String bucket() {
    return bucket;
  }
}
