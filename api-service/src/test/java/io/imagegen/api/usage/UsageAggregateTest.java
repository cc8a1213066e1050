package io.imagegen.api.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.usage.UsageEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class UsageAggregateTest {
  private static final Instant NOW = Instant.parse("2025-03-15T12:00:30Z");
  private static final long T = NOW.getEpochSecond();
  private static final long DAY_START = Instant.parse("2025-03-15T00:00:00Z").getEpochSecond();
  private static final long DAY_END = DAY_START + 86_400;
  private static final Budgets.Budget DAILY = new Budgets.Budget("alice", new BigDecimal("1.00"), "USD",
      Budgets.Period.DAY);

  private final UsageAggregate aggregate = new UsageAggregate();

  @Test
  void aRepeatedSettlementReplacesItselfInsteadOfCountingTwice() {
    aggregate.apply(reserved("t1", "alice", 2, "0.08"));
    aggregate.apply(succeeded("t1", "alice", 2, "0.08"));
    aggregate.apply(succeeded("t1", "alice", 2, "0.08"));

    assertThat(aggregate.used("alice", "USD", DAY_START, DAY_END)).isEqualByComparingTo("0.08");
    Map<UsageAggregate.Cell, UsageAggregate.Totals> bucket = onlyBucket("alice");
    assertThat(bucket).hasSize(1);
    UsageAggregate.Totals totals = bucket.values().iterator().next();
    assertThat(totals.requests).isEqualTo(1);
    assertThat(totals.images).isEqualTo(2);
  }

  @Test
  void aReservationArrivingAfterItsSettlementDoesNotReopenIt() {
    aggregate.apply(succeeded("t1", "alice", 1, "0.04"));
    aggregate.apply(reserved("t1", "alice", 4, "0.16"));

    assertThat(aggregate.used("alice", "USD", DAY_START, DAY_END)).isEqualByComparingTo("0.04");
  }

  @Test
  void aFailedTaskGivesItsReservationBackAndAShortTaskPaysOnlyForWhatItProduced() {
    aggregate.apply(reserved("failed", "alice", 2, "0.08"));
    aggregate.apply(reserved("short", "alice", 4, "0.16"));
    assertThat(aggregate.used("alice", "USD", DAY_START, DAY_END)).isEqualByComparingTo("0.24");

    aggregate.apply(entry("failed", "alice", "FAILED", 2, 0, "0"));
    aggregate.apply(succeeded("short", "alice", 1, "0.04"));

    assertThat(aggregate.used("alice", "USD", DAY_START, DAY_END)).isEqualByComparingTo("0.04");
  }

  @Test
  void aSubmitIsRefusedWhenSpendPlusOpenReservationsPlusItsEstimateExceedTheBudget() {
    aggregate.apply(succeeded("spent", "alice", 10, "0.40"));
    aggregate.apply(reserved("open", "alice", 10, "0.40"));

    assertThat(aggregate.hold(reserved("fits", "alice", 5, "0.20"), List.of(DAILY), NOW)).isNull();
    // Held locally before the ledger shows it: the next submit on this instance already sees it.
    assertThat(aggregate.hold(reserved("over", "alice", 1, "0.04"), List.of(DAILY), NOW)).isEqualTo(DAILY);
  }

  @Test
  void aBudgetIgnoresOtherCurrenciesOtherOwnersAndEarlierPeriods() {
    aggregate.apply(entry("yuan", "alice", "SUCCEEDED", 1, 1, "50", "CNY", T));
    aggregate.apply(succeeded("bob", "bob", 100, "4.00"));
    aggregate.apply(entry("yesterday", "alice", "SUCCEEDED", 1, 1, "5.00", "USD", DAY_START - 10));

    assertThat(aggregate.hold(reserved("fits", "alice", 25, "1.00"), List.of(DAILY), NOW)).isNull();
  }

  @Test
  void aHeldReservationIsDroppedWhenItsSubmitFails() {
    aggregate.hold(reserved("lost", "alice", 25, "1.00"), List.of(DAILY), NOW);
    aggregate.drop("lost");

    assertThat(aggregate.used("alice", "USD", DAY_START, DAY_END)).isEqualByComparingTo("0");
  }

  @Test
  void aStaleReservationExpiresAndOldTasksAreForgotten() {
    aggregate.apply(reserved("stale", "alice", 25, "1.00"));
    aggregate.apply(entry("old", "alice", "SUCCEEDED", 1, 1, "0.04", "USD", T - 40 * 86_400));

    aggregate.expire(T - 32 * 86_400, T + 1);

    assertThat(aggregate.used("alice", "USD", DAY_START, DAY_END)).isEqualByComparingTo("0");
    assertThat(aggregate.size()).isEqualTo(1);
  }

  @Test
  void bucketsShowOnlySettledTasksGroupedAsAskedAndOnlyForTheOwnersAccepted() {
    aggregate.apply(succeeded("a", "alice", 2, "0.08"));
    aggregate.apply(entry("b", "alice", "FAILED", 1, 0, "0"));
    aggregate.apply(reserved("c", "alice", 3, "0.12"));
    aggregate.apply(succeeded("d", "bob", 7, "0.28"));

    List<Map<UsageAggregate.Cell, UsageAggregate.Totals>> byStatus = aggregate.buckets("alice"::equals, DAY_START,
        86_400, 1, cell -> new UsageAggregate.Cell(null, null, cell.status(), null));

    assertThat(byStatus.get(0)).containsOnlyKeys(new UsageAggregate.Cell(null, null, "SUCCEEDED", null),
        new UsageAggregate.Cell(null, null, "FAILED", null));
    assertThat(byStatus.get(0).get(new UsageAggregate.Cell(null, null, "SUCCEEDED", null)).images).isEqualTo(2);
  }

  private Map<UsageAggregate.Cell, UsageAggregate.Totals> onlyBucket(String owner) {
    return aggregate.buckets(owner::equals, DAY_START, 86_400, 1, cell -> cell).get(0);
  }

  private static UsageEntry reserved(String id, String owner, int n, String amount) {
    return entry(id, owner, UsageEntry.RESERVED, n, 0, amount);
  }

  private static UsageEntry succeeded(String id, String owner, int images, String amount) {
    return entry(id, owner, "SUCCEEDED", images, images, amount);
  }

  private static UsageEntry entry(String id, String owner, String status, int n, int images, String amount) {
    return entry(id, owner, status, n, images, amount, "USD", T);
  }

  private static UsageEntry entry(String id, String owner, String status, int n, int images, String amount,
      String currency, long created) {
    return new UsageEntry(UsageEntry.VERSION, id, owner, "gpt-image-1", "openai", "generation", "1024x1024", status,
        n, images, null, null, null, new BigDecimal(amount), currency, created, null);
  }
}
