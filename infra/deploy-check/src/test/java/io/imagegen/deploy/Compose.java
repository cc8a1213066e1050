package io.imagegen.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** deploy/docker-compose.yml as Compose reads it: YAML anchors and merge keys resolved, variables left as written. */
final class Compose {
  static final String FILE = "deploy/docker-compose.yml";

  private Compose() {
  }

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> services() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Map<String, Object> file = new Yaml(new SafeConstructor(options)).load(Repo.read(FILE));
    return (Map<String, Map<String, Object>>) file.get("services");
  }

  /** A service's environment; a key without a value (passed from the caller's shell) maps to {@code null}. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> environment(String service) {
    Object env = services().get(service).get("environment");
    if (env instanceof List<?> list) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Object entry : list) {
        String[] parts = entry.toString().split("=", 2);
        map.put(parts[0], parts.length == 2 ? parts[1] : null);
      }
      return map;
    }
    return env == null ? Map.of() : (Map<String, Object>) env;
  }

  @SuppressWarnings("unchecked")
  static List<String> list(String service, String key) {
    Object value = services().get(service).get(key);
    return value == null ? List.of() : ((List<Object>) value).stream().map(Object::toString).toList();
  }
}
