package io.imagegen.api.http;

import io.imagegen.common.errors.RateLimitedException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Open long-polls and event streams per key, bounded (docs/configuration.md, {@code IMAGEGEN_MAX_WAITS_PER_KEY}).
 * Owned by the verticle's context: acquired by request handlers, released by their completion and close handlers.
 */
final class OpenWaits {
  /** A held slot; releasing it twice is harmless. */
  interface Slot {
    void release();
  }

  /** A client over its limit should retry once one of its waits has ended; a second is a fair guess. */
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final int maxPerKey;
  private final Map<String, Integer> perKey = new HashMap<>();

  OpenWaits(int maxPerKey) {
    this.maxPerKey = maxPerKey;
  }

  /** Holds a slot for {@code owner}; throws {@link RateLimitedException} (429) when all of its slots are held. */
  Slot acquire(String owner) {
    int held = perKey.getOrDefault(owner, 0);
    if (held >= maxPerKey) {
      throw new RateLimitedException("This API key already has " + maxPerKey
          + " open long-polls and event streams; wait for one to end before opening another.", RETRY_AFTER);
    }
    perKey.put(owner, held + 1);
    boolean[] released = new boolean[1];
    return () -> {
      if (!released[0]) {
        released[0] = true;
        perKey.computeIfPresent(owner, (key, count) -> count == 1 ? null : count - 1);
      }
    };
  }
}
