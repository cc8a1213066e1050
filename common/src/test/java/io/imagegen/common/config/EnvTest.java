package io.imagegen.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imagegen.common.storage.PublicUrlMode;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvTest {
  private static final Duration FALLBACK = Duration.ofSeconds(7);

  private static ConfigException validationFailure(Env env) {
    return catchThrowableOfType(ConfigException.class, env::validate);
  }

  @Test
  void aCleanEnvironmentValidatesWithoutComplaint() {
    Env env = new Env(Map.of("A", "5", "B", "true", "C", "30s"));

    env.integer("A", 1, 0, 10);
    env.bool("B", false);
    env.duration("C", FALLBACK);

    assertThatCode(env::validate).doesNotThrowAnyException();
  }

  @Test
  void everyProblemIsCollectedAndTheMessageNamesEachBadVariable() {
    Env env = new Env(Map.of(
        "IMAGEGEN_PORT", "http",
        "IMAGEGEN_DEBUG", "maybe",
        "IMAGEGEN_TIMEOUT", "soon",
        "IMAGEGEN_URL", "ftp://example.com",
        "IMAGEGEN_MODE", "sideways"));

    env.integer("IMAGEGEN_PORT", 8080, 1, 65535);
    env.bool("IMAGEGEN_DEBUG", false);
    env.duration("IMAGEGEN_TIMEOUT", FALLBACK);
    env.httpUri("IMAGEGEN_URL", null);
    env.enumValue("IMAGEGEN_MODE", PublicUrlMode.class, PublicUrlMode.PRESIGNED);
    env.required("IMAGEGEN_MISSING");

    ConfigException e = validationFailure(env);
    assertThat(e).isNotNull();
    assertThat(e.problems()).hasSize(6);
    assertThat(e.getMessage()).contains("IMAGEGEN_PORT", "IMAGEGEN_DEBUG", "IMAGEGEN_TIMEOUT", "IMAGEGEN_URL",
        "IMAGEGEN_MODE", "IMAGEGEN_MISSING");
  }

  @Test
  void problemsReportedByCallersAreIncludedToo() {
    Env env = new Env(Map.of());

    env.problem("X and Y must be set together");

    assertThat(validationFailure(env).problems()).containsExactly("X and Y must be set together");
  }

  @Test
  void blankValuesCountAsUnsetAndValuesAreTrimmed() {
    Env env = new Env(Map.of("BLANK", "   ", "PADDED", "  hello  "));

    assertThat(env.raw("BLANK")).isNull();
    assertThat(env.string("BLANK", "fallback")).isEqualTo("fallback");
    assertThat(env.string("PADDED", "fallback")).isEqualTo("hello");
    assertThat(env.required("BLANK")).isNull();
    assertThat(validationFailure(env).problems()).containsExactly("BLANK is required");
  }

  @Test
  void theEnvironmentIsCopiedAtConstruction() {
    Map<String, String> vars = new HashMap<>(Map.of("A", "1"));
    Env env = new Env(vars);

    vars.put("A", "2");

    assertThat(env.raw("A")).isEqualTo("1");
  }

  @ParameterizedTest
  @CsvSource({"1, 1", "65535, 65535", "8080, 8080", "' 42 ', 42"})
  void integersInsideTheRangeAreAccepted(String raw, int expected) {
    Env env = new Env(Map.of("PORT", raw));

    assertThat(env.integer("PORT", 80, 1, 65535)).isEqualTo(expected);
    assertThatCode(env::validate).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "65536", "-1"})
  void integersOutsideTheRangeFallBackAndAreReportedWithTheRange(String raw) {
    Env env = new Env(Map.of("PORT", raw));

    assertThat(env.integer("PORT", 80, 1, 65535)).isEqualTo(80);
    assertThat(validationFailure(env).getMessage()).contains("PORT must be between 1 and 65535, got " + raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"12.5", "ten", "99999999999"})
  void nonIntegersAreReported(String raw) {
    Env env = new Env(Map.of("PORT", raw));

    assertThat(env.integer("PORT", 80, 1, 65535)).isEqualTo(80);
    assertThat(validationFailure(env).getMessage()).contains("PORT must be an integer, got '" + raw + "'");
  }

  @Test
  void anUnsetIntegerUsesTheFallbackEvenOutsideTheRange() {
    Env env = new Env(Map.of());

    assertThat(env.integer("PORT", 0, 1, 10)).isZero();
    assertThatCode(env::validate).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @CsvSource({"true, true", "TRUE, true", "1, true", "yes, true", "Yes, true",
      "false, false", "False, false", "0, false", "no, false"})
  void booleansAcceptTheUsualSpellings(String raw, boolean expected) {
    Env env = new Env(Map.of("FLAG", raw));

    assertThat(env.bool("FLAG", !expected)).isEqualTo(expected);
    assertThatCode(env::validate).doesNotThrowAnyException();
  }

  @Test
  void anyOtherBooleanSpellingIsReported() {
    Env env = new Env(Map.of("FLAG", "on"));

    assertThat(env.bool("FLAG", true)).isTrue();
    assertThat(validationFailure(env).getMessage()).contains("FLAG must be true or false, got 'on'");
  }

  @Test
  void anUnsetBooleanUsesTheFallback() {
    Env env = new Env(Map.of());

    assertThat(env.bool("FLAG", true)).isTrue();
    assertThat(env.bool("FLAG", false)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"250ms, PT0.25S", "30s, PT30S", "5m, PT5M", "24h, PT24H", "2d, PT48H", "PT30S, PT30S",
      "pt1m30s, PT1M30S", "P1D, PT24H", "30S, PT30S"})
  void durationsAcceptUnitSuffixesAndIso8601(String raw, String expected) {
    Env env = new Env(Map.of("TIMEOUT", raw));

    assertThat(env.duration("TIMEOUT", FALLBACK)).isEqualTo(Duration.parse(expected));
    assertThatCode(env::validate).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0s", "0ms", "PT0S"})
  void aZeroDurationIsRejectedWhereAPositiveOneIsRequired(String raw) {
    Env env = new Env(Map.of("TIMEOUT", raw));

    assertThat(env.duration("TIMEOUT", FALLBACK)).isEqualTo(FALLBACK);
    assertThat(validationFailure(env).getMessage()).contains("TIMEOUT must be positive");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0s", "PT0S"})
  void aZeroDurationIsAcceptedOnlyWhereItMaySwitchSomethingOff(String raw) {
    Env env = new Env(Map.of("DELAY", raw));

    assertThat(env.durationOrZero("DELAY", FALLBACK)).isEqualTo(Duration.ZERO);
    assertThatCode(env::validate).doesNotThrowAnyException();
  }

  @Test
  void aNegativeIsoDurationIsRejectedEvenWhereZeroIsAllowed() {
    Env env = new Env(Map.of("DELAY", "PT-5S"));

    assertThat(env.durationOrZero("DELAY", FALLBACK)).isEqualTo(FALLBACK);
    assertThat(validationFailure(env).getMessage()).contains("DELAY must be positive, got 'PT-5S'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"30", "5 minutes", "-5s", "1.5s", "s", "10w", "ms"})
  void malformedDurationsAreReportedWithAnExample(String raw) {
    Env env = new Env(Map.of("TIMEOUT", raw));

    assertThat(env.duration("TIMEOUT", FALLBACK)).isEqualTo(FALLBACK);
    assertThat(validationFailure(env).getMessage())
        .contains("TIMEOUT must be a duration like 250ms, 30s, 5m or 24h, got '" + raw + "'");
  }

  @Test
  void anUnsetDurationUsesTheFallback() {
    Env env = new Env(Map.of());

    assertThat(env.duration("TIMEOUT", FALLBACK)).isEqualTo(FALLBACK);
    assertThat(env.durationOrZero("TIMEOUT", null)).isNull();
  }

  @ParameterizedTest
  @CsvSource({"base-url, BASE_URL", "BASE_URL, BASE_URL", "base_url, BASE_URL", "Base-Url, BASE_URL",
      "presigned, PRESIGNED", "ACL, ACL"})
  void enumValuesAcceptDashedAndUnderscoredSpellingsInAnyCase(String raw, PublicUrlMode expected) {
    Env env = new Env(Map.of("MODE", raw));

    assertThat(env.enumValue("MODE", PublicUrlMode.class, PublicUrlMode.ACL)).isEqualTo(expected);
    assertThatCode(env::validate).doesNotThrowAnyException();
  }

  @Test
  void anUnknownEnumValueIsReportedWithTheAllowedSpellings() {
    Env env = new Env(Map.of("MODE", "public"));

    assertThat(env.enumValue("MODE", PublicUrlMode.class, PublicUrlMode.PRESIGNED))
        .isEqualTo(PublicUrlMode.PRESIGNED);
    assertThat(validationFailure(env).getMessage())
        .contains("MODE must be one of [presigned, acl, base-url], got 'public'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:9000", "https://s3.example.com/prefix/"})
  void httpAndHttpsUrisAreAccepted(String raw) {
    Env env = new Env(Map.of("URL", raw));

    assertThat(env.httpUri("URL", null)).isEqualTo(URI.create(raw));
    assertThatCode(env::validate).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://example.com", "file:///etc/passwd", "localhost:9000", "/just/a/path",
      "http://", "http://exa mple.com"})
  void nonHttpUrisOrUrisWithoutAHostAreRejected(String raw) {
    Env env = new Env(Map.of("URL", raw));

    assertThat(env.httpUri("URL", null)).isNull();
    assertThat(validationFailure(env).getMessage()).contains("URL must be an http(s) URL");
  }

  @Test
  void anUnsetUriUsesTheFallbackOrIsNull() {
    Env env = new Env(Map.of());

    assertThat(env.httpUri("URL", null)).isNull();
    assertThat(env.httpUri("URL", "http://fallback:1234")).isEqualTo(URI.create("http://fallback:1234"));
    assertThatCode(env::validate).doesNotThrowAnyException();
  }

  @Test
  void theProblemListIsASnapshotThatLaterProblemsDoNotChange() {
    Env env = new Env(Map.of());
    env.problem("first");
    ConfigException first = validationFailure(env);

    env.problem("second");

    assertThat(first.problems()).containsExactly("first");
    assertThat(validationFailure(env).problems()).containsExactly("first", "second");
  }
}
