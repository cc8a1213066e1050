package io.imagegen.deploy;

import io.imagegen.common.config.Env;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.queue.KafkaSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings a service resolves from an environment, read from the code itself: through the shared config classes
 * where they are public, otherwise from the default written in the service's config source (ApiConfig,
 * WorkerConfig), so a changed default shows up here instead of drifting from deploy/.
 */
final class CodeSettings {
  static final String API_CONFIG = "api-service/src/main/java/io/imagegen/api/ApiConfig.java";
  static final String WORKER_CONFIG = "worker-service/src/main/java/io/imagegen/worker/WorkerConfig.java";

  private final Map<String, String> env;
  private final String configSource;

  private CodeSettings(Map<String, String> env, String configSource) {
    this.env = env;
    this.configSource = configSource;
  }

  /** The api-service as it would start with {@code env}. */
  static CodeSettings api(Map<String, String> env) {
    return new CodeSettings(env, Repo.read(API_CONFIG));
  }

  /** The worker-service as it would start with {@code env}. */
  static CodeSettings worker(Map<String, String> env) {
    return new CodeSettings(env, Repo.read(WORKER_CONFIG));
  }

  /** Topic layout through the real {@link KafkaSettings}. */
  KafkaSettings kafka() {
    Map<String, String> withBootstrap = new HashMap<>(env);
    withBootstrap.putIfAbsent("IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS", "unset:9092");
    Env parsed = new Env(withBootstrap);
    KafkaSettings settings = KafkaSettings.from(parsed);
    parsed.validate();
    return settings;
  }

  String string(String name) {
    return env.getOrDefault(name, Repo.find(configSource, "\"" + name + "\",\\s*\"([^\"]*)\"", name + "'s default"));
  }

  int integer(String name) {
    String value = env.get(name);
    return Integer.parseInt(value != null ? value
        : Repo.find(configSource, "\"" + name + "\",\\s*([0-9][0-9_]*)", name + "'s default").replace("_", ""));
  }

  Duration duration(String name) {
    String value = env.get(name);
    if (value != null) {
      return Objects.requireNonNull(new Env(Map.of(name, value)).duration(name, null), name);
    }
    String unit = Repo.find(configSource, "\"" + name + "\",\\s*Duration\\.of([A-Za-z]+)\\(", name + "'s default");
    long amount = Long.parseLong(Repo.find(configSource, "\"" + name + "\",\\s*Duration\\.of[A-Za-z]+\\((\\d+)\\)",
        name + "'s default"));
    return switch (unit) {
      case "Millis" -> Duration.ofMillis(amount);
      case "Seconds" -> Duration.ofSeconds(amount);
      case "Minutes" -> Duration.ofMinutes(amount);
      case "Hours" -> Duration.ofHours(amount);
      default -> throw new IllegalStateException(name + ": unexpected Duration.of" + unit);
    };
  }

  /** Every {@code api_key_env} of the bundled model catalog. */
  static Set<String> catalogVendorKeys() {
    Set<String> keys = new TreeSet<>();
    for (ModelSpec model : ModelCatalog.load(null).all()) {
      if (model.apiKeyEnv() != null) {
        keys.add(model.apiKeyEnv());
      }
    }
    return keys;
  }
}
