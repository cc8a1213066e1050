package io.imagegen.common.tasks;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Task ids in the seed's format, {@code image_} + 24 hex digits: 96 random bits, unguessable and safe in keys. */
public final class TaskIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern FORMAT = Pattern.compile("image_[0-9a-f]{24}");

  private TaskIds() {
  }

  public static String next() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "image_" + HexFormat.of().formatHex(bytes);
  }

  /** Whether {@code id} could be one of ours; anything else is rejected before touching storage. */
  public static boolean isWellFormed(String id) {
    return id != null && FORMAT.matcher(id).matches();
  }
}
