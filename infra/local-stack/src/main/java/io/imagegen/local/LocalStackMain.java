package io.imagegen.local;

import io.imagegen.common.config.Env;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code run-local.sh}: starts broker, S3 server, api-service, worker and the offline demo model, prints how to use
 * them and runs until Ctrl-C. Any {@code IMAGEGEN_*} variable in the environment and every vendor key the model
 * catalog names ({@code api_key_env}) is passed to the services.
 */
public final class LocalStackMain {
  private LocalStackMain() {
  }

  public static void main(String[] args) throws Exception {
    Env env = Env.system();
    int apiPort = env.integer("IMAGEGEN_HTTP_PORT", 8080, 1, 65535);
    int kafkaPort = env.integer("IMAGEGEN_LOCAL_KAFKA_PORT", 9092, 1, 65535);
    int s3Port = env.integer("IMAGEGEN_LOCAL_S3_PORT", 9000, 1, 65535);
    int workers = env.integer("IMAGEGEN_LOCAL_WORKERS", 1, 1, 16);
    String dataDir = env.raw("IMAGEGEN_LOCAL_DATA_DIR");
    env.validate();
    Path data = dataDir == null ? Files.createTempDirectory("imagegen-local") : Path.of(dataDir);
    LocalStack.Options options = LocalStack.Options.defaults(data)
        .withPorts(apiPort, kafkaPort, s3Port)
        .withWorkers(workers)
        .withEnv(passThrough(System.getenv()));
    boolean userKeys = System.getenv().containsKey("IMAGEGEN_API_KEYS");
    System.out.println("Starting Kafka, S3Proxy, api-service and " + workers + " worker(s); data in " + data);
    LocalStack stack = LocalStack.start(options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("Stopping...");
      stack.close();
      stopped.countDown();
    }, "local-stack-shutdown"));
    System.out.println(banner(stack.apiBase().toString(), userKeys,
        options.apiKey(), stack.kafka().bootstrapServers(), stack.s3().endpoint().toString(),
        stack.workerMonitoring().get(0).toString()));
    stopped.await();
  }

  /**
   * How to use the running stack. A key the user set in {@code IMAGEGEN_API_KEYS} is never printed (terminals get
   * recorded); only the built-in development key, which README.md publishes anyway, is spelled out.
   */
  static String banner(String base, boolean userKeys, String developmentKey, String kafka, String s3,
      String metrics) {
    String key = userKeys ? "<the secret of a key in your IMAGEGEN_API_KEYS>" : developmentKey;
    String keyNote = userKeys ? "from IMAGEGEN_API_KEYS"
        : "built-in development key; set IMAGEGEN_API_KEYS for your own";
    return """

        imagegen-queue is running.
          API        %s   (API key: %s)
          Kafka      %s
          S3         %s   (bucket imagegen)
          Metrics    %s/metrics   (worker 1; /health beside it)

        Submit a task:
          KEY='%s'
          curl -s -X POST %s/v1/images/generations -H "Authorization: Bearer $KEY" \\
               -H 'Content-Type: application/json' \\
               -d '{"model":"demo-async","prompt":"a lighthouse at dusk","size":"512x512"}'

        Poll it (use the task_id from the answer):
          curl -s %s/v1/images/generations/<task_id> -H "Authorization: Bearer $KEY"

        Press Ctrl-C to stop.
        """.formatted(base, keyNote, kafka, s3, metrics, key, base, base);
  }

  /**
   * The variables of {@code environment} the services get: {@code IMAGEGEN_*} (but the stack's own
   * {@code IMAGEGEN_LOCAL_*}) and the vendor keys of the catalog the services will load.
   */
  static Map<String, String> passThrough(Map<String, String> environment) {
    Set<String> vendorKeys = new HashSet<>();
    try {
      for (ModelSpec model : ModelCatalog.load(environment.get("IMAGEGEN_MODEL_CATALOG")).all()) {
        if (model.apiKeyEnv() != null) {
          vendorKeys.add(model.apiKeyEnv());
        }
      }
    } catch (RuntimeException e) {
      // The services load the same file and name the problem in their configuration error.
    }
    Map<String, String> passed = new HashMap<>();
    environment.forEach((name, value) -> {
      if (name.startsWith("IMAGEGEN_") && !name.startsWith("IMAGEGEN_LOCAL_") || vendorKeys.contains(name)) {
        passed.put(name, value);
      }
    });
    return passed;
  }
}
