package io.imagegen.worker.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SignatureTest {
  @Test
  void theStandardWebhooksReferenceVectorIsReproduced() {
    // The published example of https://www.standardwebhooks.com (secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw).
    byte[] key = Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

    String signature = Signature.sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
        "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

    assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void everySignedPartChangesTheSignature() {
    byte[] key = new byte[32];
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String base = Signature.sign(key, "msg_1", 1, body);

    assertThat(Signature.sign(key, "msg_2", 1, body)).isNotEqualTo(base);
    assertThat(Signature.sign(key, "msg_1", 2, body)).isNotEqualTo(base);
    assertThat(Signature.sign(key, "msg_1", 1, "{ }".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(base);
    byte[] otherKey = new byte[32];
    otherKey[31] = 1;
    assertThat(Signature.sign(otherKey, "msg_1", 1, body)).isNotEqualTo(base);
  }
}
