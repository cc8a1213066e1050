package io.imagegen.api.tasks;

import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.fetch.SafeFetcher;
import io.imagegen.common.webhooks.WebhookSecrets;
import java.util.Locale;

/**
 * Judges a submit's {@code callback_url} for its owner: the owner must have a signing secret, and the URL must be
 * https (http only where private networks are allowed, for development), at most 2048 characters, without
 * credentials and not an IP literal in a private, loopback or link-local range. Host names are vetted again, by
 * what they resolve to, on every delivery.
 */
public final class CallbackUrls {
  static final String FIELD = "callback_url";
  private static final int MAX_LENGTH = 2048;

  private final WebhookSecrets secrets;
  private final boolean allowPrivateNetworks;

  /** @param allowPrivateNetworks development only: accept http and loopback IP literals */
  public CallbackUrls(WebhookSecrets secrets, boolean allowPrivateNetworks) {
    this.secrets = secrets;
    this.allowPrivateNetworks = allowPrivateNetworks;
  }

  /** The URL to store ({@code null} when none was given); a 400 naming {@code callback_url} if it is not acceptable. */
  String check(String owner, String url) {
    if (url == null) {
      return null;
    }
    if (!secrets.owners().contains(owner)) {
      throw InvalidRequestException.field(FIELD, "Webhooks are not enabled for this API key: it has no signing "
          + "secret. Ask the operator to configure one, or omit callback_url.");
    }
    String trimmed = url.trim();
    if (trimmed.length() > MAX_LENGTH) {
      throw InvalidRequestException.field(FIELD, "callback_url must be at most " + MAX_LENGTH + " characters");
    }
    try {
      SafeFetcher.precheck(trimmed, allowPrivateNetworks);
    } catch (InvalidRequestException e) {
      throw InvalidRequestException.field(FIELD, "callback_url is not acceptable: " + e.getMessage());
    }
    if (!allowPrivateNetworks && !trimmed.toLowerCase(Locale.ROOT).startsWith("https://")) {
      // Signed but unencrypted deliveries would expose task results and prompts on the wire.
      throw InvalidRequestException.field(FIELD, "callback_url must use https");
    }
    return trimmed;
  }
}
