package io.imagegen.api.http;

import io.imagegen.common.config.Env;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
  private final Map<String, Set<String>> allowedModels;
  private final Set<String> admins;

  private ApiKeys(List<Entry> entries, Map<String, Set<String>> allowedModels, Set<String> admins) {
    this.entries = List.copyOf(entries);
    this.allowedModels = Map.copyOf(allowedModels);
    this.admins = Set.copyOf(admins);
  }

  /** Parses {@code IMAGEGEN_API_KEYS}; problems are recorded on {@code env}. */
  public static ApiKeys from(Env env) {
    String raw = env.required("IMAGEGEN_API_KEYS");
    List<Entry> entries = new ArrayList<>();
    if (raw == null) {
      return new ApiKeys(entries, Map.of(), Set.of());
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
    return new ApiKeys(entries, allowedModels(env, names), admins(env, names));
  }

  /** {@code IMAGEGEN_ADMIN_KEYS}: comma-separated key names that may read every key's usage (docs/api.md). */
  private static Set<String> admins(Env env, Set<String> names) {
    String raw = env.raw("IMAGEGEN_ADMIN_KEYS");
    Set<String> admins = new HashSet<>();
    if (raw == null || raw.isBlank()) {
      return admins;
    }
    for (String item : raw.split(",")) {
      String name = item.trim();
      if (!names.contains(name)) {
        env.problem("IMAGEGEN_ADMIN_KEYS names '" + name + "', which is not a key in IMAGEGEN_API_KEYS");
        continue;
      }
      admins.add(name);
    }
    return admins;
  }

  /** {@code IMAGEGEN_API_KEY_MODELS}: {@code name=model|model,...}; keys not listed may use every model. */
  private static Map<String, Set<String>> allowedModels(Env env, Set<String> names) {
    String raw = env.raw("IMAGEGEN_API_KEY_MODELS");
    Map<String, Set<String>> allowed = new HashMap<>();
    if (raw == null) {
      return allowed;
    }
    for (String item : raw.split(",")) {
      String[] parts = item.trim().split("=", 2);
      if (parts.length != 2 || parts[1].isBlank() || !names.contains(parts[0])) {
        env.problem("IMAGEGEN_API_KEY_MODELS entries must look like name=model|model with a name from "
            + "IMAGEGEN_API_KEYS (got '" + item.trim() + "')");
        continue;
      }
      allowed.put(parts[0], Set.of(parts[1].trim().split("\\|")));
    }
    return allowed;
  }

  /** Whether key {@code owner} is listed in {@code IMAGEGEN_ADMIN_KEYS}. */
  public boolean isAdmin(String owner) {
    return admins.contains(owner);
  }

  /** Every key's name. */
  public Set<String> names() {
    Set<String> names = new HashSet<>();
    entries.forEach(entry -> names.add(entry.name()));
    return names;
  }

  /** Whether a key is named {@code owner}. */
  public boolean has(String owner) {
    return entries.stream().anyMatch(entry -> entry.name().equals(owner));
  }

  /** Whether key {@code owner} may use {@code model}. */
  public boolean allows(String owner, String model) {
    Set<String> models = allowedModels.get(owner);
    return models == null || models.contains(model);
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
