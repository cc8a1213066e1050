package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.models.ModelCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage, costs and budgets on the real stack: the demo model priced at 0.10 USD an image, the key {@code dev} with a
 * budget of 0.30 USD a day, {@code other} without one and {@code boss} an admin key.
 */
class UsageAndBudgetsEndToEndTest {
  private static final String DEV = "sk-usage-dev";
  private static final String OTHER = "sk-usage-other";
  private static final String BOSS = "sk-usage-boss";
  private static final String SUBMIT = "/v1/images/generations";

  @TempDir
  static Path data;
  static LocalStack stack;
  static ApiClient api;
  static long started;

  @BeforeAll
  static void startStack() throws Exception {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", "dev=" + DEV + ",other=" + OTHER + ",boss=" + BOSS,
        "IMAGEGEN_ADMIN_KEYS", "boss",
        "IMAGEGEN_KEY_BUDGETS", "dev=0.30 USD per day",
        "IMAGEGEN_MODEL_CATALOG",
        ModelCatalog.CLASSPATH + ModelCatalog.BUNDLED + "," + pricedDemoModels(),
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "usage-" + unique,
        "IMAGEGEN_KAFKA_USAGE_TOPIC", "usage-" + unique + ".ledger",
        "IMAGEGEN_S3_BUCKET", "usage-" + unique,
        "IMAGEGEN_DEMO_LATENCY", "0")));
    api = new ApiClient(stack.apiBase());
    started = System.currentTimeMillis() / 1000 - 60;
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aSmallBudgetRefusesWithPaymentRequiredGetsRoomBackFromAFailureAndUsageMatchesTheTasks() throws Exception {
    String first = submit(DEV, "a lighthouse", 2);
    ApiClient.Response over = api.post(SUBMIT, DEV, body("two more", 2));
    assertThat(over.status()).as(over.body()).isEqualTo(402);
    JsonObject error = over.json().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("insufficient_quota");
    assertThat(error.getString("type")).isEqualTo("insufficient_quota");
    ApiClient.Response envelope = api.post("/api/v1/images/generations", DEV, body("two more", 2));
    assertThat(envelope.status()).isEqualTo(402);
    assertThat(envelope.json().getBoolean("success")).isFalse();
    assertThat(envelope.json().getString("code")).isEqualTo("402");

    String failed = submit(DEV, "please #fail", 1);
    assertThat(EndToEndScenarios.awaitTerminal(api, failed, DEV, new ArrayList<>()).getString("status"))
        .isEqualTo("FAILED");
    // The failure's reservation comes back once the ledger shows its settlement.
    String[] third = new String[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
      ApiClient.Response response = api.post(SUBMIT, DEV, body("room again", 1));
      if (response.status() == 200) {
        third[0] = response.json().getString("task_id");
      }
      return third[0] != null;
    });
    assertThat(api.post(SUBMIT, DEV, body("one too many", 1)).status()).isEqualTo(402);
    EndToEndScenarios.awaitTerminal(api, first, DEV, new ArrayList<>());
    EndToEndScenarios.awaitTerminal(api, third[0], DEV, new ArrayList<>());
    String foreign = submit(OTHER, "somebody else's", 3);
    EndToEndScenarios.awaitTerminal(api, foreign, OTHER, new ArrayList<>());

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonArray results = onlyBucket(api.get(usage("&group_by=status"), DEV));
      assertThat(results).hasSize(2);
      assertThat(result(results, "SUCCEEDED").getInteger("images")).isEqualTo(3);
      assertThat(result(results, "SUCCEEDED").getInteger("num_model_requests")).isEqualTo(2);
      assertThat(result(results, "FAILED").getInteger("images")).isZero();
      assertThat(result(results, "FAILED").getInteger("num_model_requests")).isEqualTo(1);
    });
    JsonArray costs = onlyBucket(api.get("/v1/costs?start_time=" + started, DEV));
    assertThat(costs).hasSize(1);
    assertThat(costs.getJsonObject(0).getJsonObject("amount").getString("currency")).isEqualTo("USD");
    assertThat(new BigDecimal(costs.getJsonObject(0).getJsonObject("amount").getValue("value").toString()))
        .isEqualByComparingTo("0.30");
  }

  @Test
  void aKeySeesOnlyItsOwnUsageWhileAnAdminKeyMayAskForAnyOrAll() throws Exception {
    String mine = submit(OTHER, "only mine", 1);
    EndToEndScenarios.awaitTerminal(api, mine, OTHER, new ArrayList<>());
    await().atMost(Duration.ofSeconds(30)).until(() -> images(onlyBucket(api.get(usage(""), OTHER))) >= 1);

    ApiClient.Response nosy = api.get(usage("&owner=dev"), OTHER);
    assertThat(nosy.status()).isEqualTo(403);
    assertThat(nosy.json().getJsonObject("error").getString("param")).isEqualTo("owner");
    long otherOwn = images(onlyBucket(api.get(usage(""), OTHER)));
    long asAdmin = images(onlyBucket(api.get(usage("&owner=other"), BOSS)));
    long everyone = images(onlyBucket(api.get(usage(""), BOSS)));
    long adminOwn = images(onlyBucket(api.get(usage("&owner=boss"), BOSS)));
    assertThat(asAdmin).isEqualTo(otherOwn);
    assertThat(adminOwn).isZero();
    assertThat(everyone).isGreaterThanOrEqualTo(otherOwn);
    assertThat(images(onlyBucket(api.get(usage(""), DEV)))).isLessThanOrEqualTo(everyone - otherOwn);
  }

  @Test
  void usageQueriesNameTheFieldTheyRefuse() throws Exception {
    ApiClient.Response noStart = api.get("/v1/usage/images", DEV);
    assertThat(noStart.status()).isEqualTo(400);
    assertThat(noStart.json().getJsonObject("error").getString("param")).isEqualTo("start_time");
    ApiClient.Response width = api.get("/v1/usage/images?start_time=" + started + "&bucket_width=1w", DEV);
    assertThat(width.json().getJsonObject("error").getString("param")).isEqualTo("bucket_width");
    ApiClient.Response group = api.get(usage("&group_by=owner"), DEV);
    assertThat(group.json().getJsonObject("error").getString("param")).isEqualTo("group_by");
  }

  private static long images(JsonArray results) {
    return results.stream().mapToLong(r -> ((JsonObject) r).getLong("images")).sum();
  }

  private static String usage(String more) {
    return "/v1/usage/images?start_time=" + started + "&bucket_width=1d" + more;
  }

  /** The results of a one-bucket page, after checking the page's shape. */
  private static JsonArray onlyBucket(ApiClient.Response response) {
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    JsonObject page = response.json();
    assertThat(page.getString("object")).isEqualTo("page");
    assertThat(page.getBoolean("has_more")).isFalse();
    assertThat(page.getJsonArray("data")).hasSize(1);
    JsonObject bucket = page.getJsonArray("data").getJsonObject(0);
    assertThat(bucket.getString("object")).isEqualTo("bucket");
    assertThat(bucket.getLong("start_time")).isLessThanOrEqualTo(started);
    return bucket.getJsonArray("results");
  }

  private static JsonObject result(JsonArray results, String status) {
    return results.stream().map(JsonObject.class::cast).filter(r -> status.equals(r.getString("status")))
        .findFirst().orElseThrow();
  }

  private static String submit(String key, String prompt, int n) throws Exception {
    ApiClient.Response response = api.post(SUBMIT, key, body(prompt, n));
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.json().getString("task_id");
  }

  private static String body(String prompt, int n) {
    return new JsonObject().put("model", "demo-async").put("prompt", prompt).put("size", "64x64").put("n", n)
        .encode();
  }

  /** The bundled catalog with the demo models priced, so that budgets have something to count. */
  /** The demo models with a price, in place of the free ones the local stack adds. */
  private static Path pricedDemoModels() throws Exception {
    JsonObject catalog;
    try (InputStream in = UsageAndBudgetsEndToEndTest.class.getResourceAsStream(
        ModelCatalog.DEMO.substring(ModelCatalog.CLASSPATH.length()))) {
      catalog = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    catalog.getJsonArray("models").stream().map(JsonObject.class::cast)
        .filter(model -> model.getString("id").startsWith("demo"))
        .forEach(model -> model.put("pricing", new JsonObject().put("per_image", 0.10).put("currency", "USD")));
    Path file = data.resolve("priced-models.json");
    Files.writeString(file, catalog.encode());
    return file;
  }
}
