package io.imagegen.common.fetch;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Limits applied by {@link SafeFetcher} to every fetch: body size, accepted media types (empty = any), connect and
 * whole-fetch timeouts, redirect budget, and whether loopback (127.0.0.0/8, ::1) may be reached (development only).
 * {@code allowPrivateNetworks} is named after its variables ({@code IMAGEGEN_*_ALLOW_PRIVATE_NETWORKS}); every other
 * non-public range (cloud metadata, 10/8, the object store's network) stays refused even when it is on.
 */
public record FetchPolicy(long maxBytes, Set<String> allowedContentTypes, Duration connectTimeout,
                          Duration totalTimeout, int maxRedirects, boolean allowPrivateNetworks) {
  /** Image inputs: 20 MiB, PNG/JPEG/WebP/GIF, 5 s connect, 30 s overall, 3 redirects, public addresses only. */
  public static FetchPolicy images() {
    return new FetchPolicy(20L * 1024 * 1024, Set.of("image/png", "image/jpeg", "image/webp", "image/gif"),
        Duration.ofSeconds(5), Duration.ofSeconds(30), 3, false);
  }

  /**
   * Webhook targets: 5 s connect, 15 s overall, redirects never followed, public addresses only. Nothing is read
   * from the answer but its status, so the size and type limits do not apply.
   */
  public static FetchPolicy webhooks() {
    return new FetchPolicy(1, Set.of(), Duration.ofSeconds(5), Duration.ofSeconds(15), 0, false);
  }

  /**
   * Result images a vendor answered as URLs: 64 MiB, any declared type (signed storage URLs rarely say honestly; the
   * bytes are sniffed instead), 10 s connect, 120 s overall, 3 redirects, public addresses only (the vendor's own
   * configured host excepted, see {@link SafeFetcher#stream}).
   */
  public static FetchPolicy vendorResults() {
    return new FetchPolicy(64L * 1024 * 1024, Set.of(), Duration.ofSeconds(10), Duration.ofSeconds(120), 3, false);
  }

  public FetchPolicy {
    if (maxBytes <= 0 || maxBytes > Integer.MAX_VALUE) {
      // The body is held in one Buffer, which is int-indexed.
      throw new IllegalArgumentException("maxBytes must be between 1 and " + Integer.MAX_VALUE + ", got " + maxBytes);
    }
    Objects.requireNonNull(allowedContentTypes, "allowedContentTypes must not be null (use an empty set for any)");
    if (allowedContentTypes.stream().anyMatch(type -> type == null || type.isBlank())) {
      throw new IllegalArgumentException("allowedContentTypes must not contain null or blank entries");
    }
    // Stored normalised so the per-response check is a plain set lookup.
    allowedContentTypes = allowedContentTypes.stream()
        .map(type -> type.trim().toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("totalTimeout", totalTimeout);
    if (connectTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("connectTimeout must be at most " + Integer.MAX_VALUE + " ms");
    }
    if (maxRedirects < 0) {
      throw new IllegalArgumentException("maxRedirects must not be negative, got " + maxRedirects);
    }
  }

  /** The same policy with {@code allowPrivateNetworks} replaced. */
  public FetchPolicy withAllowPrivateNetworks(boolean allow) {
    return new FetchPolicy(maxBytes, allowedContentTypes, connectTimeout, totalTimeout, maxRedirects, allow);
  }

  /** Whether {@code mediaType} (already lower-cased, without parameters) passes the content-type filter. */
  boolean allowsContentType(String mediaType) {
    return allowedContentTypes.isEmpty() || allowedContentTypes.contains(mediaType);
  }

  private static void requirePositive(String field, Duration value) {
    Objects.requireNonNull(value, field + " must not be null");
    // Timers work in whole milliseconds; anything shorter would silently become "no timeout".
    if (value.toMillis() <= 0) {
      throw new IllegalArgumentException(field + " must be at least 1 ms, got " + value);
    }
  }
}
