package io.imagegen.common.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FetchPolicyTest {
  private static final Set<String> PNG = Set.of("image/png");

  @Test
  void theImageDefaultsAreConservative() {
    FetchPolicy images = FetchPolicy.images();

    assertThat(images.maxBytes()).isEqualTo(20L * 1024 * 1024);
    assertThat(images.allowedContentTypes())
        .containsExactlyInAnyOrder("image/png", "image/jpeg", "image/webp", "image/gif");
    assertThat(images.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(images.totalTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(images.maxRedirects()).isEqualTo(3);
    assertThat(images.allowPrivateNetworks()).isFalse();
    assertThat(images.withAllowPrivateNetworks(true).allowPrivateNetworks()).isTrue();
  }

  @Test
  void contentTypesAreNormalisedAndAnEmptySetAllowsAnything() {
    FetchPolicy policy = new FetchPolicy(1, Set.of(" Image/PNG "), Duration.ofSeconds(1), Duration.ofSeconds(1), 0,
        false);
    FetchPolicy any = new FetchPolicy(1, Set.of(), Duration.ofSeconds(1), Duration.ofSeconds(1), 0, false);

    assertThat(policy.allowedContentTypes()).containsExactly("image/png");
    assertThat(policy.allowsContentType("image/png")).isTrue();
    assertThat(policy.allowsContentType("text/html")).isFalse();
    assertThat(any.allowsContentType("text/html")).isTrue();
  }

  @Test
  void invalidValuesAreRejectedNamingTheField() {
    Duration second = Duration.ofSeconds(1);
    assertThatThrownBy(() -> new FetchPolicy(0, PNG, second, second, 0, false))
        .hasMessage("maxBytes must be between 1 and 2147483647, got 0");
    assertThatThrownBy(() -> new FetchPolicy(1L << 31, PNG, second, second, 0, false))
        .hasMessageStartingWith("maxBytes must be between 1 and");
    assertThatThrownBy(() -> new FetchPolicy(1, null, second, second, 0, false))
        .hasMessageStartingWith("allowedContentTypes must not be null");
    assertThatThrownBy(() -> new FetchPolicy(1, new HashSet<>(Arrays.asList("image/png", null)), second, second, 0,
        false)).hasMessageStartingWith("allowedContentTypes must not contain null or blank");
    assertThatThrownBy(() -> new FetchPolicy(1, PNG, null, second, 0, false))
        .hasMessage("connectTimeout must not be null");
    assertThatThrownBy(() -> new FetchPolicy(1, PNG, Duration.ZERO, second, 0, false))
        .hasMessage("connectTimeout must be at least 1 ms, got PT0S");
    assertThatThrownBy(() -> new FetchPolicy(1, PNG, second, Duration.ofNanos(5), 0, false))
        .hasMessageStartingWith("totalTimeout must be at least 1 ms");
    assertThatThrownBy(() -> new FetchPolicy(1, PNG, second, second, -1, false))
        .hasMessage("maxRedirects must not be negative, got -1");
  }
}
