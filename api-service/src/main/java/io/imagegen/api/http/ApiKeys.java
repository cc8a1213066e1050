package io.imagegen.api.http;

import io.imagegen.common.config.Env;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configured API keys, held only as SHA-256 digests. {@code IMAGEGEN_API_KEYS} is a comma-separated list of
 * {@code name=secret} or {@code name=sha256:<hex>} entries; the name is the owner recorded on tasks.
 */
public final class ApiKeys {
  private record Entry(String name, byte[] digest) {
  }

  private final List<Entry> entries;

  private ApiKeys(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Parses {@code IMAGEGEN_API_KEYS}; problems are recorded on {@code env}. */
  public static ApiKeys from(Env env) {
    String raw = env.required("IMAGEGEN_API_KEYS");
    List<Entry> entries = new ArrayList<>();
    if (raw == null) {
      return new ApiKeys(entries);
    }
    for (String item : raw.split(",")) {
      String entry = item.trim();
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        env.problem("IMAGEGEN_API_KEYS entries must look like name=secret or name=sha256:<hex>");
        continue;
      }
      String name = entry.substring(0, eq);
      String value = entry.substring(eq + 1);
      if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
        env.problem("IMAGEGEN_API_KEYS key names may use letters, digits, '_', '.', '-' only (got '" + name + "')");
        continue;
      }
      if (value.startsWith("sha256:")) {
        String hex = value.substring("sha256:".length());
        if (!hex.matches("[0-9a-fA-F]{64}")) {
          env.problem("IMAGEGEN_API_KEYS key '" + name + "' must have 64 hex digits after sha256:");
          continue;
        }
        entries.add(new Entry(name, HexFormat.of().parseHex(hex.toLowerCase())));
      } else {
        entries.add(new Entry(name, sha256(value)));
      }
    }
    Set<String> names = new HashSet<>();
    Set<String> digests = new HashSet<>();
    for (Entry entry : entries) {
      if (!names.add(entry.name())) {
        env.problem("IMAGEGEN_API_KEYS lists the name '" + entry.name() + "' twice");
      }
      if (!digests.add(HexFormat.of().formatHex(entry.digest()))) {
        // Two owners for one secret would make task ownership ambiguous.
        env.problem("IMAGEGEN_API_KEYS gives key '" + entry.name() + "' the same secret as another key");
      }
    }
    return new ApiKeys(entries);
  }

  /** The owner name of {@code presented}, comparing digests in constant time against every entry. */
  public Optional<String> authenticate(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    byte[] digest = sha256(presented);
    String owner = null;
    for (Entry entry : entries) {
      // No early exit: the time taken must not depend on which entry matched.
      if (MessageDigest.isEqual(entry.digest(), digest)) {
        owner = entry.name();
      }
    }
    return Optional.ofNullable(owner);
  }

  /** The {@code sha256:<hex>} form of a secret, for writing hashed configuration. */
  public static String hashed(String secret) {
    return "sha256:" + HexFormat.of().formatHex(sha256(secret));
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}
