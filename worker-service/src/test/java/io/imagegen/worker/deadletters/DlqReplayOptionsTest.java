package io.imagegen.worker.deadletters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DlqReplayOptionsTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void withoutArgumentsEveryLetterMatchesAndReplayWrites() {
    DlqReplay.Options options = DlqReplay.Options.parse(List.of(), clock);

    assertThat(options).isEqualTo(new DlqReplay.Options(Set.of(), Set.of(), null, false));
  }

  @Test
  void filtersRepeatOrTakeCommaSeparatedValues() {
    DlqReplay.Options options = DlqReplay.Options.parse(List.of("--task-id", "a,b", "--task-id", "c", "--code",
        "task_unreadable", "--dry-run"), clock);

    assertThat(options.taskIds()).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(options.codes()).containsExactly("task_unreadable");
    assertThat(options.dryRun()).isTrue();
  }

  @Test
  void sinceTakesADurationBackFromNowOrAnInstant() {
    assertThat(DlqReplay.Options.parse(List.of("--since", "24h"), clock).since())
        .isEqualTo(Instant.parse("2026-02-28T12:00:00Z"));
    assertThat(DlqReplay.Options.parse(List.of("--since", "2026-01-31T00:00:00Z"), clock).since())
        .isEqualTo(Instant.parse("2026-01-31T00:00:00Z"));
  }

  @Test
  void unknownArgumentsMissingValuesAndBadTimesAreRefusedByName() {
    assertThatIllegalArgumentException().isThrownBy(() -> DlqReplay.Options.parse(List.of("--all"), clock))
        .withMessageContaining("--all");
    assertThatIllegalArgumentException().isThrownBy(() -> DlqReplay.Options.parse(List.of("--code"), clock))
        .withMessageContaining("--code needs a value");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> DlqReplay.Options.parse(List.of("--since", "yesterday"), clock))
        .withMessageContaining("'yesterday'");
  }
}
