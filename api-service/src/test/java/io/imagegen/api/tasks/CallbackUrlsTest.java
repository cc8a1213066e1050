package io.imagegen.api.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imagegen.common.config.Env;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.webhooks.WebhookSecrets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CallbackUrlsTest {
  private static final WebhookSecrets SECRETS = WebhookSecrets.from(new Env(Map.of(WebhookSecrets.VARIABLE,
      "dev=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));

  private final CallbackUrls strict = new CallbackUrls(SECRETS, false);
  private final CallbackUrls development = new CallbackUrls(SECRETS, true);

  private static InvalidRequestException refusal(CallbackUrls callbacks, String owner, String url) {
    InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
        () -> callbacks.check(owner, url));
    assertThat(e).as("expected %s to be refused", url).isNotNull();
    assertThat(e.param()).isEqualTo("callback_url");
    assertThat(e.code()).isEqualTo("invalid_image_request");
    return e;
  }

  @Test
  void aPublicHttpsUrlIsStoredTrimmed() {
    assertThat(strict.check("dev", " https://hooks.example.com/imagegen?tenant=7 "))
        .isEqualTo("https://hooks.example.com/imagegen?tenant=7");
  }

  @Test
  void noCallbackUrlNeedsNoSecret() {
    assertThat(strict.check("other", null)).isNull();
  }

  @Test
  void aKeyWithoutASigningSecretIsToldWebhooksAreNotEnabledForIt() {
    assertThat(refusal(strict, "other", "https://hooks.example.com/")).hasMessageStartingWith(
        "Webhooks are not enabled for this API key");
  }

  @Test
  void plainHttpIsRefusedUnlessPrivateNetworksAreAllowed() {
    assertThat(refusal(strict, "dev", "http://hooks.example.com/")).hasMessage("callback_url must use https");
    assertThat(development.check("dev", "http://127.0.0.1:8080/hook")).isEqualTo("http://127.0.0.1:8080/hook");
  }

  @Test
  void aUrlLongerThan2048CharactersIsRefused() {
    String url = "https://hooks.example.com/" + "a".repeat(2048);

    assertThat(refusal(strict, "dev", url)).hasMessage("callback_url must be at most 2048 characters");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "https://127.0.0.1/hook|127.0.0.1 is a loopback",
      "https://10.0.0.8/hook|10.0.0.8 is a private",
      "https://169.254.169.254/latest/meta-data|169.254.169.254 is a link-local",
      "https://[::1]/hook|::1 is a loopback",
      "https://[fe80::1]/hook|fe80::1 is a link-local"})
  void anIpLiteralInAPrivateRangeIsRefusedAtSubmit(String url, String reason) {
    assertThat(refusal(strict, "dev", url)).hasMessageStartingWith("callback_url is not acceptable: ")
        .hasMessageContaining(reason);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://169.254.169.254/latest/meta-data", "http://10.0.0.8/hook", "http://[fd00::1]/hook"})
  void theDevelopmentFlagAcceptsLoopbackOnlyNotOtherPrivateLiterals(String url) {
    assertThat(refusal(development, "dev", url)).hasMessageStartingWith("callback_url is not acceptable: ")
        .hasMessageContaining(" is a ");
  }

  @ParameterizedTest(name = "{index}: {0}")
  @ValueSource(strings = {"https://user:secret@hooks.example.com/", "ftp://hooks.example.com/", "/relative/hook",
      "https://0x7f.1/hook", ""})
  void aUrlNoDeliveryCouldUseIsRefused(String url) {
    assertThat(refusal(development, "dev", url)).hasMessageStartingWith("callback_url is not acceptable: ");
  }
}
