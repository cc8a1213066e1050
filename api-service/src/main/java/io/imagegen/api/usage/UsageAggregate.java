package io.imagegen.api.usage;

import io.imagegen.common.usage.UsageEntry;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The usage ledger folded in memory: the latest entry per task id (so a repeated entry replaces, never adds), per
 * owner minute buckets for the usage API and per owner daily spend for budgets, plus this instance's own
 * reservations that the ledger has not shown back yet. Thread-safe: the ledger reader writes, request handlers
 * read, each under this object's lock for microseconds (docs/architecture.md#usage-ledger).
 */
final class UsageAggregate {
  private static final long MINUTE = 60;
  private static final long DAY = 86_400;

  /** What a bucket is grouped by; instances are shared, so a million tasks hold a handful of them. */
  record Cell(String model, String size, String status, String currency) {
  }

  /** Sums of one cell in one minute. */
  static final class Totals {
    long requests;
    long images;
    BigDecimal amount = BigDecimal.ZERO;

    private void add(long sign, Slot slot) {
      requests += sign;
      images += sign * slot.images();
      amount = sign > 0 ? amount.add(slot.amount()) : amount.subtract(slot.amount());
    }
  }

  /** A task's contribution, about 150 bytes with its key (docs/architecture.md#usage-ledger). */
  private record Slot(String owner, Cell cell, long createdAt, int images, BigDecimal amount, boolean settled) {
  }

  private final Map<String, Slot> byTask = new HashMap<>();
  private final Map<Cell, Cell> cells = new HashMap<>();
  private final Map<String, String> owners = new HashMap<>();
  private final Map<String, NavigableMap<Long, Map<Cell, Totals>>> minutes = new HashMap<>();
  /** owner → currency → day → amount, reservations included: what budgets are checked against. */
  private final Map<String, Map<String, NavigableMap<Long, BigDecimal>>> spend = new HashMap<>();
  /** Reservations this instance published that the ledger reader has not applied yet. */
  private final Map<String, UsageEntry> pending = new HashMap<>();

  /** Folds one ledger entry in: the latest per task wins, but a reservation never undoes a settlement. */
  synchronized void apply(UsageEntry entry) {
    pending.remove(entry.taskId());
    Slot previous = byTask.get(entry.taskId());
    if (previous != null && previous.settled() && !entry.settled()) {
      return;
    }
    if (previous != null) {
      account(-1, previous);
    }
    Slot slot = new Slot(owners.computeIfAbsent(entry.owner(), o -> o),
        cells.computeIfAbsent(new Cell(entry.model(), entry.size(), entry.status(), entry.currency()), c -> c),
        entry.createdAt(), entry.images(), entry.amount(), entry.settled());
    byTask.put(entry.taskId(), slot);
    account(1, slot);
  }

  /**
   * Holds {@code reservation} unless it would take {@code owner} past one of {@code budgets} in the period
   * containing {@code nowSecond}; answers the budget it would exceed, or {@code null} once held.
   */
  synchronized Budgets.Budget hold(UsageEntry reservation, List<Budgets.Budget> budgets, java.time.Instant now) {
    for (Budgets.Budget budget : budgets) {
      if (!budget.currency().equals(reservation.currency())) {
        continue;
      }
      BigDecimal used = used(reservation.owner(), budget.currency(), budget.period().start(now),
          budget.period().end(now));
      if (used.add(reservation.amount()).compareTo(budget.amount()) > 0) {
        return budget;
      }
    }
    pending.put(reservation.taskId(), reservation);
    return null;
  }

  /** Forgets a reservation this instance held but never got onto the ledger. */
  synchronized void drop(String taskId) {
    pending.remove(taskId);
  }

  /**
   * Spend plus open reservations (visible or only held here) of {@code owner} in {@code currency} in [from, to);
   * both ends are whole UTC days.
   */
  synchronized BigDecimal used(String owner, String currency, long from, long to) {
    BigDecimal sum = BigDecimal.ZERO;
    NavigableMap<Long, BigDecimal> days = spend.getOrDefault(owner, Map.of()).get(currency);
    if (days != null) {
      for (BigDecimal amount : days.subMap(from, true, to, false).values()) {
        sum = sum.add(amount);
      }
    }
    for (UsageEntry held : pending.values()) {
      if (held.owner().equals(owner) && currency.equals(held.currency()) && held.createdAt() >= from
          && held.createdAt() < to) {
        sum = sum.add(held.amount());
      }
    }
    return sum;
  }

  /**
   * Settled tasks of the owners {@code owner} accepts, summed per bucket of {@code width} seconds from {@code start}
   * for {@code count} buckets, grouped by the cell fields {@code group} keeps (the others become {@code null}).
   */
  synchronized List<Map<Cell, Totals>> buckets(Predicate<String> owner, long start, long width, int count,
      java.util.function.UnaryOperator<Cell> group) {
    List<Map<Cell, Totals>> buckets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      buckets.add(new HashMap<>());
    }
    long end = start + width * count;
    minutes.forEach((name, byMinute) -> {
      if (!owner.test(name)) {
        return;
      }
      byMinute.subMap(start, true, end, false).forEach((minute, byCell) -> byCell.forEach((cell, totals) -> {
        if (UsageEntry.RESERVED.equals(cell.status()) || UsageEntry.RELEASED.equals(cell.status())) {
          return;
        }
        Totals into = buckets.get((int) ((minute - start) / width)).computeIfAbsent(group.apply(cell),
            c -> new Totals());
        into.requests += totals.requests;
        into.images += totals.images;
        into.amount = into.amount.add(totals.amount);
      }));
    });
    return buckets;
  }

  /**
   * Forgets tasks created before {@code horizon} (past the usage retention) and gives back reservations created
   * before {@code reservationHorizon}, whose task can no longer be running (its API instance died before enqueuing).
   */
  synchronized void expire(long horizon, long reservationHorizon) {
    Iterator<Map.Entry<String, Slot>> tasks = byTask.entrySet().iterator();
    while (tasks.hasNext()) {
      Map.Entry<String, Slot> task = tasks.next();
      Slot slot = task.getValue();
      if (slot.createdAt() < horizon) {
        account(-1, slot);
        tasks.remove();
      } else if (!slot.settled() && slot.createdAt() < reservationHorizon) {
        account(-1, slot);
        Slot released = new Slot(slot.owner(), cells.computeIfAbsent(new Cell(slot.cell().model(),
            slot.cell().size(), UsageEntry.RELEASED, slot.cell().currency()), c -> c), slot.createdAt(), 0,
            BigDecimal.ZERO, true);
        task.setValue(released);
        account(1, released);
      }
    }
  }

  /** Tasks currently folded in (for tests and the memory estimate). */
  synchronized int size() {
    return byTask.size();
  }

  private void account(long sign, Slot slot) {
    long minute = slot.createdAt() - Math.floorMod(slot.createdAt(), MINUTE);
    NavigableMap<Long, Map<Cell, Totals>> byMinute = minutes.computeIfAbsent(slot.owner(), o -> new TreeMap<>());
    Map<Cell, Totals> byCell = byMinute.computeIfAbsent(minute, m -> new HashMap<>());
    Totals totals = byCell.computeIfAbsent(slot.cell(), c -> new Totals());
    totals.add(sign, slot);
    if (totals.requests == 0) {
      byCell.remove(slot.cell());
      if (byCell.isEmpty()) {
        byMinute.remove(minute);
      }
    }
    if (slot.cell().currency() == null) {
      return;
    }
    long day = slot.createdAt() - Math.floorMod(slot.createdAt(), DAY);
    NavigableMap<Long, BigDecimal> days = spend.computeIfAbsent(slot.owner(), o -> new HashMap<>())
        .computeIfAbsent(slot.cell().currency(), c -> new TreeMap<>());
    BigDecimal changed = days.getOrDefault(day, BigDecimal.ZERO);
    changed = sign > 0 ? changed.add(slot.amount()) : changed.subtract(slot.amount());
    if (changed.signum() == 0) {
      days.remove(day);
    } else {
      days.put(day, changed);
    }
  }
}
