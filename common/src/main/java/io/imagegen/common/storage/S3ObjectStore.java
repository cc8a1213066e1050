package io.imagegen.common.storage;

import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UnavailableException;
import io.imagegen.common.storage.Versioned;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link ObjectStore} on an S3-compatible server through the AWS SDK's non-blocking client. Failures are translated
 * once, here: a lost conditional write becomes {@link ConflictException}, anything that may heal by itself becomes
 * {@link UnavailableException}. Whether an object is public is never the caller's choice: {@link BucketLayout} says.
 */
final class S3ObjectStore implements ObjectStore {

  private static final String LIFECYCLE_RULE = "imagegen-retention";
  private final Vertx vertx;
  private final S3Settings settings;
  private final S3AsyncClient client;
  private final S3Presigner presigner;

  S3ObjectStore(Vertx vertx, S3Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    AwsCredentialsProvider credentials = settings.accessKey() == null
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
    S3Configuration s3Config = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
    var builder = S3AsyncClient.builder()
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials)
        .serviceConfiguration(s3Config)
        .overrideConfiguration(o -> o.apiCallTimeout(settings.apiCallTimeout()))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .maxConcurrency(settings.maxConnections())
            .connectionAcquisitionTimeout(settings.apiCallTimeout()));
    var presignerBuilder = S3Presigner.builder()
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials)
        .serviceConfiguration(s3Config);
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    if (settings.publicEndpoint() != null) {
      // Signatures cover the host, so URLs for clients are signed for the host clients use.
      presignerBuilder.endpointOverride(settings.publicEndpoint());
    }
    this.client = builder.build();
    this.presigner = presignerBuilder.build();
  }

  @Override
  public String bucket() {
    return settings.bucket();
  }

  @Override
  public Future<Void> ensureBucket() {
    return bridge(client.createBucket(b -> b.bucket(settings.bucket())))
        .<Void>mapEmpty()
        .recover(err -> isBucketAlreadyThere(err) ? Future.succeededFuture() : Future.failedFuture(translate(err)));
  }

  @Override
  public Future<Void> checkBucket() {
    return bridge(client.headBucket(b -> b.bucket(settings.bucket()))).<Void>mapEmpty()
        .recover(err -> Future.failedFuture(translate(err)));
  }

  @Override
  public Future<Boolean> expireObjectsAfter(Duration age) {
    int days = (int) Math.max(1, (age.toSeconds() + 86_399) / 86_400);
    LifecycleRule ours = LifecycleRule.builder()
        .id(LIFECYCLE_RULE)
        .filter(f -> f.prefix(""))
        .status(ExpirationStatus.ENABLED)
        .expiration(e -> e.days(days))
        .build();
    return bridge(client.getBucketLifecycleConfiguration(b -> b.bucket(settings.bucket())))
        .map(current -> current.rules())
        .recover(err -> isNotFound(err) ? Future.succeededFuture(List.of()) : Future.failedFuture(err))
        .compose(existing -> {
          List<LifecycleRule> rules = new ArrayList<>(existing.stream()
              .filter(rule -> !LIFECYCLE_RULE.equals(rule.id())).toList());
          rules.add(ours);
          return bridge(client.putBucketLifecycleConfiguration(b -> b.bucket(settings.bucket())
              .lifecycleConfiguration(c -> c.rules(rules))));
        })
        .map(true)
        .recover(err -> isNotImplemented(err) ? Future.succeededFuture(false) : Future.failedFuture(translate(err)));
  }

  @Override
  public Future<String> put(String key, byte[] body, String contentType, Condition condition) {
    PutObjectRequest.Builder request = PutObjectRequest.builder()
        .bucket(settings.bucket())
        .key(key)
        .contentType(contentType)
        .contentLength((long) body.length);
    if (BucketLayout.isPublic(key) && settings.publicUrlMode() == PublicUrlMode.ACL) {
      request.acl(ObjectCannedACL.PUBLIC_READ);
    }
    if (condition instanceof Condition.Absent) {
      request.ifNoneMatch("*");
    } else if (condition instanceof Condition.Matching matching) {
      request.ifMatch(matching.etag());
    }
    return bridge(client.putObject(request.build(), AsyncRequestBody.fromBytes(body)))
        .map(response -> response.eTag())
        .recover(err -> Future.failedFuture(translate(err)));
  }

  @Override
  public Future<String> putFile(String key, Path file, String contentType) {
    PutObjectRequest.Builder request = PutObjectRequest.builder()
        .bucket(settings.bucket())
        .key(key)
        .contentType(contentType);
    if (BucketLayout.isPublic(key) && settings.publicUrlMode() == PublicUrlMode.ACL) {
      request.acl(ObjectCannedACL.PUBLIC_READ);
    }
    // The SDK stats the file when the body is built: done on a worker thread so no event loop waits on the disk.
    return vertx.executeBlocking(() -> AsyncRequestBody.fromFile(file), false)
        .recover(err -> Future.failedFuture(new IllegalStateException("cannot upload " + file + ": "
            + err.getMessage(), err)))
        .compose(body -> bridge(client.putObject(request.build(), body))
            .map(response -> response.eTag())
            .recover(err -> Future.failedFuture(isMissingFile(err)
                ? new IllegalStateException("upload source " + file + " disappeared", unwrap(err))
                : translate(err))));
  }

  @Override
  public Future<Versioned<byte[]>> get(String key) {
    return bridge(client.getObject(b -> b.bucket(settings.bucket()).key(key), AsyncResponseTransformer.toBytes()))
        .map(response -> new Versioned<>(response.asByteArray(), response.response().eTag()))
        .recover(err -> isNotFound(err) ? Future.succeededFuture() : Future.failedFuture(translate(err)));
  }

  @Override
  public Future<Listing> list(String prefix, String startAfter, int max) {
    return bridge(client.listObjectsV2(b -> {
          b.bucket(settings.bucket()).prefix(prefix).maxKeys(max);
          if (startAfter != null) {
            b.startAfter(startAfter);
          }
        }))
        .map(response -> new Listing(response.contents().stream().map(S3Object::key).toList(),
            Boolean.TRUE.equals(response.isTruncated())))
        .recover(err -> Future.failedFuture(translate(err)));
  }

  @Override
  public Future<Void> delete(String key) {
    return bridge(client.deleteObject(b -> b.bucket(settings.bucket()).key(key)))
        .<Void>mapEmpty()
        .recover(err -> Future.failedFuture(translate(err)));
  }

  @Override
  public String publicUrl(String key, Duration ttl) {
    return switch (settings.publicUrlMode()) {
      case PRESIGNED -> presigner.presignGetObject(p -> p
              .signatureDuration(ttl)
              .getObjectRequest(g -> g.bucket(settings.bucket()).key(key)))
          .url().toString();
      case ACL -> join(pathStyleBase(), key);
      case BASE_URL -> join(settings.publicBaseUrl().toString(), key);
    };
  }

  private String pathStyleBase() {
    URI base = settings.publicEndpoint();
    if (base == null) {
      return "https://" + settings.bucket() + ".s3." + settings.region() + ".amazonaws.com";
    }
    return join(base.toString(), settings.bucket());
  }

  private static String join(String base, String path) {
    return base.endsWith("/") ? base + path : base + "/" + path;
  }

  private <T> Future<T> bridge(CompletableFuture<T> future) {
    return Future.fromCompletionStage(future, vertx.getOrCreateContext());
  }

  private static Throwable unwrap(Throwable err) {
    return err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
  }

  private static boolean isNotFound(Throwable err) {
    Throwable cause = unwrap(err);
    return cause instanceof NoSuchKeyException
        || cause instanceof S3Exception s3 && s3.statusCode() == 404;
  }

  /** S3Proxy answers 501 to lifecycle calls (docs/operations.md, "Retention"). */
  private static boolean isNotImplemented(Throwable err) {
    return unwrap(err) instanceof S3Exception s3 && s3.statusCode() == 501;
  }

  private static boolean isMissingFile(Throwable err) {
    for (Throwable cause = err; cause != null; cause = cause.getCause()) {
      if (cause instanceof NoSuchFileException) {
        return true;
      }
    }
    return false;
  }

  private static boolean isBucketAlreadyThere(Throwable err) {
    Throwable cause = unwrap(err);
    return cause instanceof BucketAlreadyOwnedByYouException
        || cause instanceof S3Exception s3 && s3.statusCode() == 409;
  }

  private static Throwable translate(Throwable err) {
    Throwable cause = unwrap(err);
    if (cause instanceof S3Exception s3) {
      int status = s3.statusCode();
      if (status == 412 || status == 409) {
        return new ConflictException(ErrorCode.VERSION_CONFLICT, "object changed concurrently: " + s3.getMessage());
      }
      if (status >= 400 && status < 500 && status != 408 && status != 429) {
        // A 4xx from our own store is a configuration problem (credentials, bucket), not the client's fault.
        return new UnavailableException(ErrorCode.STORAGE_REJECTED,
            "object store rejected the request: " + s3.getMessage(), cause);
      }
    }
    return new UnavailableException(ErrorCode.STORAGE_UNAVAILABLE, "object store unavailable: " + cause.getMessage(),
        cause);
  }

  @Override
  public void close() {
    client.close();
    presigner.close();
  }
}
