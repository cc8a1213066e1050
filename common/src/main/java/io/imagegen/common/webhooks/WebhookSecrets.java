package io.imagegen.common.webhooks;

import io.imagegen.common.config.Env;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Per-owner webhook signing secrets from {@code IMAGEGEN_WEBHOOK_SECRETS}: comma-separated {@code name=whsec_<base64>}
 * entries, the name being an owner from {@code IMAGEGEN_API_KEYS}. Owners without a secret cannot use webhooks.
 */
public final class WebhookSecrets {
  public static final String VARIABLE = "IMAGEGEN_WEBHOOK_SECRETS";
  private static final String PREFIX = "whsec_";
  /** The Standard Webhooks bounds for a secret's decoded length. */
  private static final int MIN_BYTES = 24;
  private static final int MAX_BYTES = 64;

  private final Map<String, byte[]> secrets;

  private WebhookSecrets(Map<String, byte[]> secrets) {
    this.secrets = Map.copyOf(secrets);
  }

  /** Parses the variable (unset means no owner has webhooks); problems are recorded on {@code env}. */
  public static WebhookSecrets from(Env env) {
    String raw = env.raw(VARIABLE);
    Map<String, byte[]> secrets = new HashMap<>();
    if (raw == null) {
      return new WebhookSecrets(secrets);
    }
    for (String item : raw.split(",")) {
      String[] parts = item.trim().split("=", 2);
      if (parts.length != 2 || parts[0].isBlank() || !parts[1].startsWith(PREFIX)) {
        // Never echo the entry: it may be a secret with a typo.
        env.problem(VARIABLE + " entries must look like name=" + PREFIX + "<base64>");
        continue;
      }
      byte[] secret;
      try {
        secret = Base64.getDecoder().decode(parts[1].substring(PREFIX.length()));
      } catch (IllegalArgumentException e) {
        env.problem(VARIABLE + " secret of '" + parts[0] + "' is not valid base64 after " + PREFIX);
        continue;
      }
      if (secret.length < MIN_BYTES || secret.length > MAX_BYTES) {
        env.problem(VARIABLE + " secret of '" + parts[0] + "' must decode to " + MIN_BYTES + " to " + MAX_BYTES
            + " bytes, got " + secret.length);
        continue;
      }
      if (secrets.put(parts[0], secret) != null) {
        env.problem(VARIABLE + " lists the name '" + parts[0] + "' twice");
      }
    }
    return new WebhookSecrets(secrets);
  }

  /** The owners that have a secret. */
  public Set<String> owners() {
    return secrets.keySet();
  }

  /** A copy of {@code owner}'s signing key (the decoded secret), if it has one. */
  public Optional<byte[]> secretFor(String owner) {
    return Optional.ofNullable(secrets.get(owner)).map(byte[]::clone);
  }
}
