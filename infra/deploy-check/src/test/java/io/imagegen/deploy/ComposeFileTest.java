package io.imagegen.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** deploy/docker-compose.yml is safe to run on a laptop and wires the services as the code expects. */
class ComposeFileTest {

  @Test
  void workersGetEveryVendorKeyTheCatalogNames() {
    Map<String, Object> env = Compose.environment("worker");
    for (String key : CodeSettings.catalogVendorKeys()) {
      assertThat(env).as("worker environment").containsKey(key);
      Object value = env.get(key);
      // Passed from the shell: no value at all, or a ${KEY...} reference to the same variable.
      assertThat(value == null || value.toString().startsWith("${" + key)).as(key + " = " + value).isTrue();
    }
  }

  @Test
  void everyPublishedPortListensOnLoopbackOnly() {
    Compose.services().forEach((name, service) -> {
      for (String port : Compose.list(name, "ports")) {
        assertThat(port).as(name + " publishes " + port).startsWith("127.0.0.1:");
      }
    });
  }

  @Test
  void credentialsMustBeSuppliedNeverDefaulted() {
    Set<String> seen = new TreeSet<>();
    Compose.services().keySet().forEach(name -> Compose.environment(name).forEach((key, value) -> {
      if (key.matches(".*(PASSWORD|SECRET|SECRET_KEY|ACCESS_KEY|ROOT_USER|_API_KEYS)$")) {
        seen.add(key);
        assertThat(String.valueOf(value)).as(name + " " + key).matches("\\$\\{[A-Z0-9_]+:\\?[^}]+}");
      }
    }));
    assertThat(seen).contains("MINIO_ROOT_PASSWORD", "IMAGEGEN_S3_SECRET_KEY", "IMAGEGEN_API_KEYS");
  }

  @Test
  void kafkaKeepsItsLogOnANamedVolume() {
    String logDirs = String.valueOf(Compose.environment("kafka").get("KAFKA_LOG_DIRS"));
    assertThat(Compose.list("kafka", "volumes")).anySatisfy(volume -> assertThat(volume).matches("[a-z-]+:" + logDirs));
  }

  @Test
  void apiAndWorkerHealthchecksAskTheirServicesPorts() {
    int apiPort = CodeSettings.api(Map.of()).integer("IMAGEGEN_HTTP_PORT");
    int workerPort = CodeSettings.worker(Map.of()).integer("IMAGEGEN_WORKER_HTTP_PORT");
    assertThat(healthcheck("api")).contains("http://localhost:" + apiPort + "/health");
    assertThat(healthcheck("worker")).contains("http://localhost:" + workerPort + "/health");
    assertThat(Repo.mainSources("api-service").contains("\"/health\"")).as("api-service serves /health").isTrue();
    assertThat(Repo.mainSources("worker-service").contains("\"/health\"")).as("worker-service serves /health").isTrue();
  }

  @Test
  void servicesBuildTheImagesKubernetesRuns() {
    assertThat(Images.dockerfileOf("imagegen/api-service")).isEqualTo("deploy/docker/api.Dockerfile");
    assertThat(Images.dockerfileOf("imagegen/worker-service")).isEqualTo("deploy/docker/worker.Dockerfile");
    assertThat(Images.dockerfileOf("imagegen/fake-upstream")).isEqualTo("deploy/docker/fake-upstream.Dockerfile");
  }

  private static String healthcheck(String service) {
    Object check = Compose.services().get(service).get("healthcheck");
    assertThat(check).as(service + " healthcheck").isInstanceOf(Map.class);
    return String.valueOf(((Map<?, ?>) check).get("test"));
  }
}
