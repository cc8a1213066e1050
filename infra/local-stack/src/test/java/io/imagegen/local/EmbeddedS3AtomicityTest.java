package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** The embedded S3 applies conditional writes atomically, as AWS S3 and MinIO do (bare S3Proxy does not). */
class EmbeddedS3AtomicityTest {
  @TempDir
  static Path data;
  static EmbeddedS3 s3;
  static S3AsyncClient client;

  @BeforeAll
  static void start() throws Exception {
    s3 = EmbeddedS3.start(LocalStack.Options.defaults(data).s3proxyJar(), data, 0, "atomic-key", "atomic-secret");
    client = S3AsyncClient.builder()
        .endpointOverride(s3.endpoint())
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("atomic-key",
            "atomic-secret")))
        .build();
    client.createBucket(b -> b.bucket("atomic")).get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void ofTwoRacingWritesConditionalOnTheSameVersionAtMostOneSucceeds() throws Exception {
    int doubleWins = 0;
    for (int i = 0; i < 40; i++) {
      String base = client.putObject(b -> b.bucket("atomic").key("k"), AsyncRequestBody.fromString("base" + i))
          .get(30, TimeUnit.SECONDS).eTag();
      CompletableFuture<?> first = client.putObject(b -> b.bucket("atomic").key("k").ifMatch(base),
          AsyncRequestBody.fromString("first" + i));
      CompletableFuture<?> second = client.putObject(b -> b.bucket("atomic").key("k").ifMatch(base),
          AsyncRequestBody.fromString("second" + i));
      if (succeeded(first) && succeeded(second)) {
        doubleWins++;
      }
    }
    assertThat(doubleWins).isZero();
  }

  @Test
  void ofTwoRacingCreatesOnlyOneSucceeds() throws Exception {
    for (int i = 0; i < 20; i++) {
      String key = "new-" + i;
      CompletableFuture<?> first = client.putObject(b -> b.bucket("atomic").key(key).ifNoneMatch("*"),
          AsyncRequestBody.fromString("first"));
      CompletableFuture<?> second = client.putObject(b -> b.bucket("atomic").key(key).ifNoneMatch("*"),
          AsyncRequestBody.fromString("second"));
      assertThat(succeeded(first) ^ succeeded(second)).as("exactly one create of " + key).isTrue();
    }
  }

  private static boolean succeeded(CompletableFuture<?> write) {
    try {
      write.get(30, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
