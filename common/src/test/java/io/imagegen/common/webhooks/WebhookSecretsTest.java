package io.imagegen.common.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imagegen.common.config.ConfigException;
import io.imagegen.common.config.Env;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSecretsTest {
  private static final String REFERENCE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  @Test
  void eachOwnerGetsItsDecodedSecret() {
    Env env = new Env(Map.of(WebhookSecrets.VARIABLE, "dev=" + REFERENCE + ", ops=whsec_"
        + Base64.getEncoder().encodeToString(new byte[64])));

    WebhookSecrets secrets = WebhookSecrets.from(env);
    env.validate();

    assertThat(secrets.owners()).containsExactlyInAnyOrder("dev", "ops");
    assertThat(secrets.secretFor("dev")).hasValueSatisfying(key -> assertThat(key)
        .isEqualTo(Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));
    assertThat(secrets.secretFor("other")).isEmpty();
  }

  @Test
  void anUnsetVariableMeansNoOwnerHasWebhooks() {
    Env env = new Env(Map.of());

    assertThat(WebhookSecrets.from(env).owners()).isEmpty();
  }

  @Test
  void malformedEntriesAreAllNamedWithoutEchoingTheSecret() {
    Env env = new Env(Map.of(WebhookSecrets.VARIABLE, "a=plain-secret-value,b=whsec_***,c=whsec_c2hvcnQ=,"
        + "d=" + REFERENCE + ",d=" + REFERENCE));

    WebhookSecrets.from(env);
    ConfigException problems = catchThrowableOfType(ConfigException.class, env::validate);

    assertThat(problems.problems()).containsExactly(
        "IMAGEGEN_WEBHOOK_SECRETS entries must look like name=whsec_<base64>",
        "IMAGEGEN_WEBHOOK_SECRETS secret of 'b' is not valid base64 after whsec_",
        "IMAGEGEN_WEBHOOK_SECRETS secret of 'c' must decode to 24 to 64 bytes, got 5",
        "IMAGEGEN_WEBHOOK_SECRETS lists the name 'd' twice");
    assertThat(problems.getMessage()).doesNotContain("plain-secret-value");
  }
}
