package io.imagegen.common.tasks;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Task ids in the seed's format, {@code image_} + 24 hex digits: the creation second (8 digits) then 64 random bits.
 * The time prefix lets the API tell an expired (and already deleted) task from one that never was, and sorts ids by
 * age; 64 random bits stay unguessable behind authentication and rate limits.
 */
public final class TaskIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern FORMAT = Pattern.compile("image_[0-9a-f]{24}");
  private static final int PREFIX = "image_".length();

  private TaskIds() {
  }

  /** A new id for a task created at {@code now}. */
  public static String next(Instant now) {
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    return String.format("image_%08x", now.getEpochSecond() & 0xFFFF_FFFFL) + HexFormat.of().formatHex(random);
  }

  /** Whether {@code id} could be one of ours; anything else is rejected before touching storage. */
  public static boolean isWellFormed(String id) {
    return id != null && FORMAT.matcher(id).matches();
  }

  /** When the task with well-formed {@code id} was created, to the second. */
  public static Instant createdAt(String id) {
    return Instant.ofEpochSecond(Long.parseLong(id.substring(PREFIX, PREFIX + 8), 16));
  }
}
