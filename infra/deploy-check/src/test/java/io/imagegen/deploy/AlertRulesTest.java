package io.imagegen.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** deploy/monitoring: rules promtool accepts, an exercised unit test per alert, and only metrics that exist. */
class AlertRulesTest {
  static final String RULES = "deploy/monitoring/alerts.yml";
  static final String RULE_TESTS = "deploy/monitoring/alerts-test.yml";
  static final String DASHBOARD = "deploy/monitoring/grafana-dashboard.json";
  private static final Pattern METRIC = Pattern.compile("\\b(imagegen_(?:api|worker)_[a-z0-9_]+)");
  private static final Pattern SOURCE_NAME = Pattern.compile("\"(imagegen[._](?:api|worker)[._][a-z0-9_.]+)\"");

  @Test
  void promtoolAcceptsTheRules() {
    assertThat(Repo.promtool("check", "rules", RULES)).contains("SUCCESS");
  }

  @Test
  void promtoolUnitTestsPass() {
    assertThat(Repo.promtool("test", "rules", RULE_TESTS)).contains("SUCCESS");
  }

  @Test
  void everyAlertHasAUnitTestWhereItFires() throws IOException {
    Set<String> alerts = new TreeSet<>();
    for (JsonNode group : yaml(RULES).path("groups")) {
      group.path("rules").forEach(rule -> alerts.add(rule.path("alert").asText()));
    }
    Set<String> firing = new TreeSet<>();
    for (JsonNode test : yaml(RULE_TESTS).path("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        if (!check.path("exp_alerts").isEmpty()) {
          firing.add(check.path("alertname").asText());
        }
      }
    }
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(6);
    assertThat(firing).containsAll(alerts);
  }

  @Test
  void rulesAndDashboardUseOnlyMetricsTheServicesExport() {
    Set<String> exported = exportedNames();
    for (String file : new String[] {RULES, DASHBOARD}) {
      Matcher m = METRIC.matcher(Repo.read(file));
      while (m.find()) {
        String used = m.group(1).replaceAll("_(bucket|count|sum|max)$", "");
        assertThat(exported).as(file + " uses " + m.group(1)).contains(used);
      }
    }
  }

  @Test
  void everyDashboardPanelQueriesPrometheus() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(Repo.read(DASHBOARD));
    assertThat(dashboard.path("panels")).isNotEmpty();
    for (JsonNode panel : dashboard.path("panels")) {
      if (!"row".equals(panel.path("type").asText())) {
        assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty()
            .allSatisfy(target -> assertThat(target.path("expr").asText()).contains("imagegen_"));
      }
    }
  }

  @Test
  void rulesWatchTheJobsTopicTheServicesUse() {
    String topic = CodeSettings.worker(Map.of()).kafka().jobsTopic();
    Matcher m = Pattern.compile("topic=\"([^\"]+)\"").matcher(Repo.read(RULES) + Repo.read(DASHBOARD).replace("\\\"", "\""));
    int seen = 0;
    while (m.find()) {
      assertThat(m.group(1)).isEqualTo(topic);
      seen++;
    }
    assertThat(seen).isPositive();
  }

  /**
   * The Prometheus names of the meters registered in api-service and worker-service: Micrometer writes dots as
   * underscores, counters with {@code _total} and timers with {@code _seconds}; the meter type is not parsed,
   * so each source name stands for all three forms.
   */
  private static Set<String> exportedNames() {
    Set<String> names = new TreeSet<>();
    for (String module : new String[] {"api-service", "worker-service"}) {
      Matcher m = SOURCE_NAME.matcher(Repo.mainSources(module));
      while (m.find()) {
        String name = m.group(1).replace('.', '_');
        names.add(name);
        names.add(name.endsWith("_total") ? name : name + "_total");
        names.add(name.endsWith("_seconds") ? name : name + "_seconds");
      }
    }
    return names;
  }

  private static JsonNode yaml(String file) throws IOException {
    return Manifests.STRICT.readTree(Repo.read(file));
  }
}
