package io.imagegen.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The open-loop bookkeeping: arrivals by schedule, latency from the intended time, warm-up and failures apart. */
class OpenLoopTest {
  private static final long MS = 1_000_000;

  @Test
  void arrivalsFollowTheScheduleNotTheAnswers() {
    ArrivalSchedule schedule = new ArrivalSchedule(1_000 * MS, 100, 50);

    assertThat(schedule.dueBy(999 * MS)).isZero();
    assertThat(schedule.dueBy(1_000 * MS)).isEqualTo(1);
    assertThat(schedule.dueBy(1_009 * MS)).isEqualTo(1);
    assertThat(schedule.dueBy(1_010 * MS)).isEqualTo(2);
    assertThat(schedule.intendedNanos(7)).isEqualTo(1_070 * MS);
    assertThat(schedule.dueBy(5_000 * MS)).isEqualTo(50);
    assertThat(schedule.endNanos()).isEqualTo(1_500 * MS);
  }

  @Test
  void aStallIsChargedToEveryRequestThatShouldHaveBeenSentDuringIt() {
    // 100/s for 2 s; the server answers in 1 ms, except that nothing is answered from 1.0 s to 1.5 s.
    ArrivalSchedule schedule = new ArrivalSchedule(0, 100, 200);
    LatencyRecorder recorder = new LatencyRecorder(0, schedule.endNanos());
    for (long i = 0; i < schedule.count(); i++) {
      long intended = schedule.intendedNanos(i);
      boolean stalled = intended >= 1_000 * MS && intended < 1_500 * MS;
      recorder.response(intended, stalled ? 1_500 * MS : intended + MS, 200);
    }

    // A closed-loop client would have recorded one slow request; the 50 arrivals inside the stall all waited, 40 of
    // them longer than 100 ms (those intended before 1.4 s).
    assertThat(recorder.ok()).isEqualTo(200);
    assertThat(recorder.histogram().getCountBetweenValues(105_000, 600_000)).isEqualTo(40);
    // p99 of 200 is the third slowest: intended at 1.02 s, answered at 1.5 s.
    assertThat(recorder.percentileMillis(99)).isCloseTo(480, within(2.0));
    assertThat(recorder.histogram().getMaxValue() / 1000.0).isCloseTo(500, within(1.0));
    assertThat(recorder.percentileMillis(50)).isCloseTo(1, within(0.1));
  }

  @Test
  void warmUpIsExcludedByIntendedTimeAndFailuresAreCountedApart() {
    LatencyRecorder recorder = new LatencyRecorder(1_000 * MS, 2_000 * MS);

    recorder.response(900 * MS, 1_200 * MS, 200);
    recorder.response(1_100 * MS, 1_105 * MS, 200);
    recorder.response(1_200 * MS, 1_210 * MS, 503);
    recorder.error(1_300 * MS, 1_400 * MS);
    recorder.notSent(1_400 * MS);

    assertThat(recorder.warmup()).isEqualTo(1);
    assertThat(recorder.measured()).isEqualTo(4);
    assertThat(recorder.ok()).isEqualTo(1);
    assertThat(recorder.non2xx()).isEqualTo(1);
    assertThat(recorder.errors()).isEqualTo(2);
    assertThat(recorder.failedFraction()).isEqualTo(0.75);
    assertThat(recorder.histogram().getTotalCount()).isEqualTo(1);
    assertThat(recorder.percentileMillis(100)).isCloseTo(5, within(0.01));
  }

  @Test
  void aServerThatFallsBehindShowsALowerAchievedRate() {
    LatencyRecorder recorder = new LatencyRecorder(0, 1_000 * MS);
    for (int i = 0; i < 100; i++) {
      // Offered 100/s for 1 s, answered at 50/s: the last answer comes after 2 s.
      recorder.response(i * 10 * MS, (i + 1) * 20 * MS, 200);
    }

    assertThat(recorder.achievedPerSecond()).isCloseTo(50, within(0.5));
  }

  @Test
  void theGeneratorKeepsSendingWhileTheServerStalls() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      // 200/s for 1 s; requests 60..119 (0.3 s to 0.6 s) are all answered only when request 120 is sent.
      List<Promise<Integer>> held = new ArrayList<>();
      LoadGen.Call call = index -> {
        if (index >= 60 && index < 120) {
          Promise<Integer> promise = Promise.promise();
          held.add(promise);
          return promise.future();
        }
        if (index == 120) {
          held.forEach(p -> p.complete(200));
        }
        return Future.succeededFuture(200);
      };

      LoadResult result = LoadGen.run(vertx, new LoadGen.Spec("stall", 200, 0, 1), call);

      assertThat(result.ok()).isEqualTo(200);
      assertThat(result.errors()).isZero();
      // Every held request waited from its own intended time: up to 300 ms, about 150 ms in the middle.
      assertThat(result.max()).isBetween(250.0, 1_000.0);
      assertThat(result.p90()).isGreaterThan(100.0);
      assertThat(result.p50()).isLessThan(100.0);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
