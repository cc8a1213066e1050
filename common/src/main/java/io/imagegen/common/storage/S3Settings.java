package io.imagegen.common.storage;

import io.imagegen.common.config.Env;
import java.net.URI;
import java.time.Duration;

/**
 * Where images and task records live. {@code endpoint} is how services reach S3; {@code publicEndpoint} is how
 * clients reach it (they differ inside docker-compose).
 */
public record S3Settings(
    URI endpoint,
    URI publicEndpoint,
    String region,
    String bucket,
    String accessKey,
    String secretKey,
    boolean pathStyle,
    PublicUrlMode publicUrlMode,
    URI publicBaseUrl,
    int maxConnections,
    Duration apiCallTimeout) {

  /** Reads the {@code IMAGEGEN_S3_*} variables; problems are recorded on {@code env}. */
  public static S3Settings from(Env env) {
    URI endpoint = env.httpUri("IMAGEGEN_S3_ENDPOINT", null);
    URI publicEndpoint = env.httpUri("IMAGEGEN_S3_PUBLIC_ENDPOINT", null);
    String bucket = env.string("IMAGEGEN_S3_BUCKET", "imagegen");
    if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      env.problem("IMAGEGEN_S3_BUCKET must be a valid S3 bucket name (3-63 lowercase letters, digits, '.', '-'), got '"
          + bucket + "'");
    }
    String accessKey = env.raw("IMAGEGEN_S3_ACCESS_KEY");
    String secretKey = env.raw("IMAGEGEN_S3_SECRET_KEY");
    if ((accessKey == null) != (secretKey == null)) {
      env.problem("IMAGEGEN_S3_ACCESS_KEY and IMAGEGEN_S3_SECRET_KEY must be set together");
    }
    PublicUrlMode mode = env.enumValue("IMAGEGEN_S3_PUBLIC_URL_MODE", PublicUrlMode.class, PublicUrlMode.PRESIGNED);
    URI baseUrl = env.httpUri("IMAGEGEN_S3_PUBLIC_BASE_URL", null);
    if (mode == PublicUrlMode.BASE_URL && baseUrl == null) {
      env.problem("IMAGEGEN_S3_PUBLIC_BASE_URL is required when IMAGEGEN_S3_PUBLIC_URL_MODE=base-url");
    }
    return new S3Settings(endpoint, publicEndpoint == null ? endpoint : publicEndpoint,
        env.string("IMAGEGEN_S3_REGION", "us-east-1"), bucket, accessKey, secretKey,
        env.bool("IMAGEGEN_S3_PATH_STYLE", endpoint != null), mode, baseUrl,
        env.integer("IMAGEGEN_S3_MAX_CONNECTIONS", 256, 1, 10_000),
        // Long enough for a multi-MB PUT on a slow link, short enough that a dead store is noticed.
        env.duration("IMAGEGEN_S3_CALL_TIMEOUT", Duration.ofSeconds(30)));
  }
}
