package io.imagegen.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TaskIdsTest {
  private static final Instant NOW = Instant.parse("2026-12-07T19:30:00Z");

  @Test
  void idsAreImagePrefixFollowedByTwentyFourLowercaseHexDigits() {
    for (int i = 0; i < 1_000; i++) {
      String id = TaskIds.next(NOW);

      assertThat(id).matches("image_[0-9a-f]{24}").hasSize(30);
      assertThat(TaskIds.isWellFormed(id)).isTrue();
    }
  }

  @Test
  void tenThousandIdsAreAllDifferent() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      seen.add(TaskIds.next(NOW));
    }

    assertThat(seen).hasSize(10_000);
  }

  @Test
  void theRandomPartUsesTheWholeHexAlphabet() {
    Set<Character> digits = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      for (char c : TaskIds.next(NOW).substring("image_".length() + 8).toCharArray()) {
        digits.add(c);
      }
    }

    // 4,800 random hex digits: missing any of the 16 would mean the randomness or the encoding is broken.
    assertThat(digits).hasSize(16);
  }

  @Test
  void anIdTellsWhenItsTaskWasCreatedAndLaterIdsSortAfterEarlierOnes() {
    String earlier = TaskIds.next(NOW);
    String later = TaskIds.next(NOW.plusSeconds(1));

    assertThat(TaskIds.createdAt(earlier)).isEqualTo(NOW);
    assertThat(earlier.substring(0, 14)).isLessThan(later.substring(0, 14));
  }

  @ParameterizedTest
  @ValueSource(strings = {"image_0123456789abcdef01234567", "image_000000000000000000000000",
      "image_ffffffffffffffffffffffff"})
  void wellFormedIdsAreAccepted(String id) {
    assertThat(TaskIds.isWellFormed(id)).isTrue();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "../x",
      "image_../../../etc/passwd",
      "image_0123456789abcdef/1234567",
      "image_0123456789ABCDEF01234567",
      "IMAGE_0123456789abcdef01234567",
      "image_0123456789abcdef0123456",
      "image_0123456789abcdef012345678",
      "image_0123456789abcdeg01234567",
      "img_0123456789abcdef01234567",
      "0123456789abcdef01234567",
      " image_0123456789abcdef01234567",
      "image_0123456789abcdef01234567\n",
      "tasks/image_0123456789abcdef01234567"})
  void anythingElseIsRejectedBeforeItCanReachStorage(String id) {
    assertThat(TaskIds.isWellFormed(id)).isFalse();
  }
}
