package io.imagegen.api.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagegen.common.config.ConfigException;
import io.imagegen.common.config.Env;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BudgetsTest {
  @Test
  void budgetsAreReadPerKeyAndCurrency() {
    Budgets budgets = parse("dev=10 USD per day, dev=50.5 cny per month");

    assertThat(budgets.of("dev")).extracting(Budgets.Budget::currency, b -> b.amount().toPlainString(),
        Budgets.Budget::period).containsExactly(
            org.assertj.core.groups.Tuple.tuple("USD", "10", Budgets.Period.DAY),
            org.assertj.core.groups.Tuple.tuple("CNY", "50.5", Budgets.Period.MONTH));
    assertThat(budgets.of("other")).isEmpty();
  }

  @Test
  void aMalformedEntryUnknownKeyOrRepeatedCurrencyIsRefusedNamingTheVariable() {
    assertThatThrownBy(() -> parse("dev=ten USD per day")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("IMAGEGEN_KEY_BUDGETS entries must look like name=amount currency per day|month");
    assertThatThrownBy(() -> parse("ghost=1 USD per day")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("IMAGEGEN_KEY_BUDGETS names 'ghost'");
    assertThatThrownBy(() -> parse("dev=1 USD per day,dev=2 USD per month")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("two budgets in USD");
  }

  @Test
  void periodsAreCalendarDaysAndMonthsInUtc() {
    Instant now = Instant.parse("2024-02-29T23:59:59Z");

    assertThat(Budgets.Period.DAY.start(now)).isEqualTo(Instant.parse("2024-02-29T00:00:00Z").getEpochSecond());
    assertThat(Budgets.Period.DAY.end(now)).isEqualTo(Instant.parse("2024-03-01T00:00:00Z").getEpochSecond());
    assertThat(Budgets.Period.MONTH.start(now)).isEqualTo(Instant.parse("2024-02-01T00:00:00Z").getEpochSecond());
    assertThat(Budgets.Period.MONTH.end(now)).isEqualTo(Instant.parse("2024-03-01T00:00:00Z").getEpochSecond());
  }

  private static Budgets parse(String raw) {
    Env env = new Env(Map.of("IMAGEGEN_KEY_BUDGETS", raw));
    Budgets budgets = Budgets.from(env, Set.of("dev"));
    env.validate();
    return budgets;
  }
}
