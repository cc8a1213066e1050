package io.imagegen.common.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imagegen.common.config.ConfigException;
import io.imagegen.common.config.Env;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class S3SettingsTest {
  private static ConfigException problemsOf(Env env) {
    return catchThrowableOfType(ConfigException.class, env::validate);
  }

  @Test
  void anEmptyEnvironmentGivesAwsDefaults() {
    Env env = new Env(Map.of());

    S3Settings s3 = S3Settings.from(env);

    assertThatCode(env::validate).doesNotThrowAnyException();
    assertThat(s3.endpoint()).isNull();
    assertThat(s3.publicEndpoint()).isNull();
    assertThat(s3.region()).isEqualTo("us-east-1");
    assertThat(s3.bucket()).isEqualTo("imagegen");
    assertThat(s3.accessKey()).isNull();
    assertThat(s3.secretKey()).isNull();
    assertThat(s3.pathStyle()).isFalse();
    assertThat(s3.publicUrlMode()).isEqualTo(PublicUrlMode.PRESIGNED);
    assertThat(s3.publicBaseUrl()).isNull();
    assertThat(s3.maxConnections()).isEqualTo(256);
    assertThat(s3.apiCallTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aCustomEndpointDefaultsToPathStyleAndDoublesAsThePublicEndpoint() {
    Env env = new Env(Map.of("IMAGEGEN_S3_ENDPOINT", "http://minio:9000"));

    S3Settings s3 = S3Settings.from(env);

    assertThatCode(env::validate).doesNotThrowAnyException();
    assertThat(s3.endpoint()).isEqualTo(URI.create("http://minio:9000"));
    assertThat(s3.publicEndpoint()).isEqualTo(URI.create("http://minio:9000"));
    assertThat(s3.pathStyle()).isTrue();
  }

  @Test
  void everyVariableIsRead() {
    Env env = new Env(Map.ofEntries(
        Map.entry("IMAGEGEN_S3_ENDPOINT", "http://minio:9000"),
        Map.entry("IMAGEGEN_S3_PUBLIC_ENDPOINT", "https://images.example.com"),
        Map.entry("IMAGEGEN_S3_REGION", "eu-west-1"),
        Map.entry("IMAGEGEN_S3_BUCKET", "my.images-bucket"),
        Map.entry("IMAGEGEN_S3_ACCESS_KEY", "AKIA123"),
        Map.entry("IMAGEGEN_S3_SECRET_KEY", "s3cr3t"),
        Map.entry("IMAGEGEN_S3_PATH_STYLE", "false"),
        Map.entry("IMAGEGEN_S3_PUBLIC_URL_MODE", "acl"),
        Map.entry("IMAGEGEN_S3_MAX_CONNECTIONS", "32"),
        Map.entry("IMAGEGEN_S3_CALL_TIMEOUT", "5s")));

    S3Settings s3 = S3Settings.from(env);

    assertThatCode(env::validate).doesNotThrowAnyException();
    assertThat(s3).isEqualTo(new S3Settings(URI.create("http://minio:9000"), URI.create("https://images.example.com"),
        "eu-west-1", "my.images-bucket", "AKIA123", "s3cr3t", false, PublicUrlMode.ACL, null, 32,
        Duration.ofSeconds(5)));
  }

  @Test
  void baseUrlModeRequiresAPublicBaseUrl() {
    Env env = new Env(Map.of("IMAGEGEN_S3_PUBLIC_URL_MODE", "base-url"));

    S3Settings.from(env);

    assertThat(problemsOf(env).getMessage())
        .contains("IMAGEGEN_S3_PUBLIC_BASE_URL is required when IMAGEGEN_S3_PUBLIC_URL_MODE=base-url");
  }

  @Test
  void baseUrlModeWithABaseUrlIsAccepted() {
    Env env = new Env(Map.of("IMAGEGEN_S3_PUBLIC_URL_MODE", "base-url",
        "IMAGEGEN_S3_PUBLIC_BASE_URL", "https://cdn.example.com/images/"));

    S3Settings s3 = S3Settings.from(env);

    assertThatCode(env::validate).doesNotThrowAnyException();
    assertThat(s3.publicUrlMode()).isEqualTo(PublicUrlMode.BASE_URL);
    assertThat(s3.publicBaseUrl()).isEqualTo(URI.create("https://cdn.example.com/images/"));
  }

  @Test
  void aBaseUrlThatIsNotHttpIsReportedByName() {
    Env env = new Env(Map.of("IMAGEGEN_S3_PUBLIC_URL_MODE", "base-url",
        "IMAGEGEN_S3_PUBLIC_BASE_URL", "s3://bucket/prefix"));

    S3Settings.from(env);

    assertThat(problemsOf(env).getMessage()).contains("IMAGEGEN_S3_PUBLIC_BASE_URL must be an http(s) URL");
  }

  @Test
  void anAccessKeyWithoutASecretIsRejected() {
    Env env = new Env(Map.of("IMAGEGEN_S3_ACCESS_KEY", "AKIA123"));

    S3Settings.from(env);

    assertThat(problemsOf(env).problems())
        .containsExactly("IMAGEGEN_S3_ACCESS_KEY and IMAGEGEN_S3_SECRET_KEY must be set together");
  }

  @Test
  void aSecretWithoutAnAccessKeyIsRejected() {
    Env env = new Env(Map.of("IMAGEGEN_S3_SECRET_KEY", "s3cr3t"));

    S3Settings.from(env);

    assertThat(problemsOf(env).problems())
        .containsExactly("IMAGEGEN_S3_ACCESS_KEY and IMAGEGEN_S3_SECRET_KEY must be set together");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ab", "My-Bucket", "under_score", "-leading-dash", "trailing-dash-", "has space",
      "a123456789012345678901234567890123456789012345678901234567890123"})
  void anInvalidBucketNameIsNamedInTheError(String bucket) {
    Env env = new Env(Map.of("IMAGEGEN_S3_BUCKET", bucket));

    S3Settings.from(env);

    assertThat(problemsOf(env).getMessage())
        .contains("IMAGEGEN_S3_BUCKET must be a valid S3 bucket name")
        .contains("got '" + bucket + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "images-2024", "my.bucket.name",
      "a12345678901234567890123456789012345678901234567890123456789012"})
  void validBucketNamesAreAccepted(String bucket) {
    Env env = new Env(Map.of("IMAGEGEN_S3_BUCKET", bucket));

    assertThat(S3Settings.from(env).bucket()).isEqualTo(bucket);
    assertThatCode(env::validate).doesNotThrowAnyException();
  }

  @Test
  void problemsInSeveralVariablesAreReportedTogether() {
    Env env = new Env(Map.of(
        "IMAGEGEN_S3_ENDPOINT", "minio:9000",
        "IMAGEGEN_S3_BUCKET", "Bad_Bucket",
        "IMAGEGEN_S3_SECRET_KEY", "s3cr3t",
        "IMAGEGEN_S3_MAX_CONNECTIONS", "0",
        "IMAGEGEN_S3_CALL_TIMEOUT", "forever"));

    S3Settings.from(env);

    assertThat(problemsOf(env).getMessage()).contains("IMAGEGEN_S3_ENDPOINT", "IMAGEGEN_S3_BUCKET",
        "IMAGEGEN_S3_ACCESS_KEY", "IMAGEGEN_S3_MAX_CONNECTIONS", "IMAGEGEN_S3_CALL_TIMEOUT");
  }
}
