package io.imagegen.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imagegen.common.config.ConfigException;
import io.imagegen.common.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeysTest {
  /** SHA-256 of "bob-secret", computed independently of the class under test. */
  private static final String BOB_DIGEST = "sha256:" + sha256Hex("bob-secret");

  private static String sha256Hex(String value) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static Env env(String keys) {
    return new Env(Map.of("IMAGEGEN_API_KEYS", keys));
  }

  private static ApiKeys validKeys(String keys) {
    Env env = env(keys);
    ApiKeys apiKeys = ApiKeys.from(env);
    assertThatCode(env::validate).doesNotThrowAnyException();
    return apiKeys;
  }

  private static ConfigException problemsOf(String keys) {
    Env env = env(keys);
    ApiKeys.from(env);
    ConfigException e = catchThrowableOfType(ConfigException.class, env::validate);
    assertThat(e).as("expected a ConfigException for %s", keys).isNotNull();
    return e;
  }

  @Test
  void plainAndHashedEntriesBothAuthenticateToTheirNames() {
    ApiKeys keys = validKeys("alice=alice-secret, bob=" + BOB_DIGEST);

    assertThat(keys.authenticate("alice-secret")).contains("alice");
    assertThat(keys.authenticate("bob-secret")).contains("bob");
  }

  @Test
  void anUppercaseDigestIsAcceptedToo() {
    ApiKeys keys = validKeys("bob=sha256:" + sha256Hex("bob-secret").toUpperCase());

    assertThat(keys.authenticate("bob-secret")).contains("bob");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"wrong", "alice-secret ", " alice-secret", "ALICE-SECRET", "alice", "alice=alice-secret",
      "bob-secretx"})
  void anythingButAConfiguredSecretAuthenticatesNobody(String presented) {
    ApiKeys keys = validKeys("alice=alice-secret,bob=" + BOB_DIGEST);

    assertThat(keys.authenticate(presented)).isEmpty();
  }

  /** Presenting the stored digest itself must not work: the digest is not the secret. */
  @Test
  void theStoredDigestIsNotItselfAValidKey() {
    ApiKeys keys = validKeys("bob=" + BOB_DIGEST);

    assertThat(keys.authenticate(BOB_DIGEST)).isEmpty();
    assertThat(keys.authenticate(BOB_DIGEST.substring("sha256:".length()))).isEmpty();
  }

  @Test
  void hashedProducesTheSha256FormThatConfigurationAccepts() {
    String hashed = ApiKeys.hashed("carol-secret");

    assertThat(hashed).isEqualTo("sha256:" + sha256Hex("carol-secret")).matches("sha256:[0-9a-f]{64}");
    assertThat(validKeys("carol=" + hashed).authenticate("carol-secret")).contains("carol");
  }

  @Test
  void aSecretMayContainEqualsSigns() {
    assertThat(validKeys("dave=a=b=c").authenticate("a=b=c")).contains("dave");
  }

  @Test
  void missingKeysAreRequired() {
    Env env = new Env(Map.of());

    ApiKeys keys = ApiKeys.from(env);

    assertThat(keys.authenticate("anything")).isEmpty();
    assertThat(catchThrowableOfType(ConfigException.class, env::validate).problems())
        .containsExactly("IMAGEGEN_API_KEYS is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"just-a-secret", "=secret", "alice=", "alice=secret,,bob=other", "alice=secret, =x"})
  void malformedEntriesAreReported(String raw) {
    assertThat(problemsOf(raw).getMessage())
        .contains("IMAGEGEN_API_KEYS entries must look like name=secret or name=sha256:<hex>");
  }

  @Test
  void aMalformedEntryDoesNotLeakTheSecretIntoTheMessage() {
    assertThat(problemsOf("super-secret-value").getMessage()).doesNotContain("super-secret-value");
  }

  @ParameterizedTest
  @ValueSource(strings = {"has space", "slash/name", "emoji\u2603", "colon:name"})
  void badNamesAreReportedByName(String name) {
    assertThat(problemsOf(name + "=secret").getMessage())
        .contains("IMAGEGEN_API_KEYS key names may use letters, digits, '_', '.', '-' only (got '" + name + "')");
  }

  @Test
  void aNameLongerThan64CharactersIsRejected() {
    assertThat(validKeys("n".repeat(64) + "=secret").authenticate("secret")).contains("n".repeat(64));
    assertThat(problemsOf("n".repeat(65) + "=secret").getMessage()).contains("key names may use");
  }

  @Test
  void duplicateNamesAreReported() {
    assertThat(problemsOf("alice=one,bob=two,alice=three").getMessage())
        .contains("IMAGEGEN_API_KEYS lists the name 'alice' twice");
  }

  @Test
  void twoNamesSharingOneSecretAreReportedBecauseOwnershipWouldBeAmbiguous() {
    assertThat(problemsOf("alice=same,bob=same").getMessage())
        .contains("gives key 'bob' the same secret as another key")
        .doesNotContain("same,");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sha256:xyz", "sha256:", "sha256:abc123",
      "sha256:gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"})
  void aDigestThatIsNot64HexDigitsIsReportedWithTheKeyName(String value) {
    assertThat(problemsOf("bob=" + value).getMessage())
        .contains("IMAGEGEN_API_KEYS key 'bob' must have 64 hex digits after sha256:");
  }

  @Test
  void everyBadEntryIsReportedAtOnce() {
    ConfigException e = problemsOf("ok=fine,bad name=x,bob=sha256:nothex,noequals");

    assertThat(e.problems()).hasSize(3);
    assertThat(e.getMessage()).contains("(got 'bad name')", "key 'bob'", "must look like name=secret");
  }

  @Test
  void aKeyIsKnownByItsNameWhetherItsSecretIsPlainOrHashed() {
    ApiKeys keys = validKeys("alice=alice-secret,bob=" + BOB_DIGEST);

    assertThat(keys.has("alice")).isTrue();
    assertThat(keys.has("bob")).isTrue();
    assertThat(keys.has("alice-secret")).isFalse();
  }
}
