package io.imagegen.api.usage;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.PermissionException;
import io.imagegen.common.errors.QuotaExceededException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.usage.UsageEntry;
import io.imagegen.common.usage.UsageLedger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Money on the API side: refuses submits that would exceed a budget (402), puts reservations and cancellations on
 * the usage ledger, and answers the usage and costs API from the ledger as every instance reads it
 * (docs/architecture.md#usage-ledger, docs/api.md#usage-and-costs).
 */
public final class UsageService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UsageService.class);
  /** How often forgotten tasks and stale reservations are swept out of memory. */
  private static final Duration SWEEP = Duration.ofMinutes(1);

  /** @param reservationTtl how long a reservation whose task never settles holds budget */
  public record Settings(Duration retention, Duration reservationTtl, Duration timeout) {
  }

  private final Vertx vertx;
  private final ModelCatalog catalog;
  private final Budgets budgets;
  private final Predicate<String> admins;
  private final UsageLedger ledger;
  private final UsageAggregate aggregate;
  private final LedgerReader reader;
  private final UsagePages pages;
  private final Clock clock;
  private final Counter refusals;
  private final long sweeper;

  private UsageService(Vertx vertx, ModelCatalog catalog, Budgets budgets, Predicate<String> admins,
      UsageLedger ledger, UsageAggregate aggregate, LedgerReader reader, Clock clock, MeterRegistry metrics,
      Settings settings) {
    this.vertx = vertx;
    this.catalog = catalog;
    this.budgets = budgets;
    this.admins = admins;
    this.ledger = ledger;
    this.aggregate = aggregate;
    this.reader = reader;
    this.pages = new UsagePages(aggregate, clock);
    this.clock = clock;
    this.refusals = Counter.builder("imagegen.api.budget.refusals")
        .description("Submits refused with 402 because a key's budget had no room").register(metrics);
    Gauge.builder("imagegen.api.ledger.lag", reader, LedgerReader::lag)
        .description("Usage ledger entries written but not yet read by this instance").register(metrics);
    this.sweeper = vertx.setPeriodic(SWEEP.toMillis(), id -> vertx.executeBlocking(() -> {
      long now = clock.instant().getEpochSecond();
      aggregate.expire(now - settings.retention().toSeconds(), now - settings.reservationTtl().toSeconds());
      return null;
    }, false));
  }

  /** Reads the ledger to its end, then follows it. Blocking: call it off the event loop. */
  public static UsageService start(Vertx vertx, KafkaSettings kafka, ModelCatalog catalog, Budgets budgets,
      Predicate<String> admins, MeterRegistry metrics, Clock clock, Settings settings) {
    UsageAggregate aggregate = new UsageAggregate();
    LedgerReader reader = LedgerReader.start(kafka, "imagegen-api", aggregate, settings.timeout().multipliedBy(3));
    UsageLedger ledger = UsageLedger.create(vertx, kafka, "imagegen-api", settings.timeout());
    return new UsageService(vertx, catalog, budgets, admins, ledger, aggregate, reader, clock, metrics, settings);
  }

  /**
   * The reservation of a submit about to be accepted, held against the owner's budgets on this instance until the
   * ledger shows it back; a 402 {@code insufficient_quota} when a budget has no room for it.
   */
  public UsageEntry admit(String taskId, String owner, ModelSpec model, String mode, String size, int n,
      long createdAt) {
    UsageEntry reservation = UsageEntry.reserved(taskId, owner, model, mode, size, n, createdAt);
    Budgets.Budget exceeded = aggregate.hold(reservation, budgets.of(owner), clock.instant());
    if (exceeded != null) {
      refusals.increment();
      throw new QuotaExceededException("This request may cost " + reservation.amount().toPlainString() + " "
          + reservation.currency() + ", more than is left of this API key's budget of "
          + exceeded.amount().toPlainString() + " " + exceeded.currency() + " per "
          + exceeded.period().name().toLowerCase(java.util.Locale.ROOT) + ".");
    }
    return reservation;
  }

  /**
   * Puts {@code reservation} on the ledger; done before the job is enqueued, so it always precedes the settlement.
   * Only reservations a budget counts are shared: for an owner without a budget in its currency there is nothing
   * for other instances to hold back, and the submit costs no extra write.
   */
  public Future<Void> reserve(UsageEntry reservation) {
    if (!budgeted(reservation)) {
      return Future.succeededFuture();
    }
    return ledger.publish(reservation).onFailure(err -> aggregate.drop(reservation.taskId()));
  }

  /** Gives a reservation back after the submit failed (best effort: a lost release expires with its TTL). */
  public void release(UsageEntry reservation) {
    aggregate.drop(reservation.taskId());
    if (!budgeted(reservation)) {
      return;
    }
    ledger.publish(reservation.released(clock.instant().getEpochSecond())).onFailure(err ->
        LOG.warn("task {}: reservation not released on the ledger: {}", reservation.taskId(), err.getMessage()));
  }

  /** Settles a task this instance ended (a cancellation); workers repeat it on redelivery, so best effort here. */
  public void settle(Task ended) {
    ModelSpec model = catalog.find(ended.model()).orElse(null);
    ledger.publish(UsageEntry.terminal(ended, model)).onFailure(err ->
        LOG.warn("task {}: settlement not on the ledger yet: {}", ended.id(), err.getMessage()));
  }

  private boolean budgeted(UsageEntry reservation) {
    return budgets.of(reservation.owner()).stream()
        .anyMatch(budget -> budget.currency().equals(reservation.currency()));
  }

  /** {@code GET /v1/usage/images} for {@code caller}. */
  public JsonObject images(String caller, MultiMap query) {
    return pages.images(owners(caller, query.get("owner")), query);
  }

  /** {@code GET /v1/costs} for {@code caller}. */
  public JsonObject costs(String caller, MultiMap query) {
    return pages.costs(owners(caller, query.get("owner")), query);
  }

  /** Whose usage {@code caller} may see: admins anyone's (everyone's without {@code owner=}), others their own. */
  private Predicate<String> owners(String caller, String requested) {
    if (admins.test(caller)) {
      return requested == null || requested.isEmpty() ? owner -> true : requested::equals;
    }
    if (requested != null && !requested.isEmpty() && !requested.equals(caller)) {
      throw new PermissionException(ErrorCode.OWNER_NOT_ALLOWED, "Only admin keys (IMAGEGEN_ADMIN_KEYS) may read the usage "
          + "of other keys.", "owner");
    }
    return caller::equals;
  }

  @Override
  public void close() {
    vertx.cancelTimer(sweeper);
    ledger.close();
    reader.close();
  }
}
