package io.imagegen.common.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SizeMappingTest {
  private static final ModelCatalog CATALOG = ModelCatalog.load(null);

  private static ModelSpec fixed(String... sizes) {
    return new ModelSpec("m", null, "a", "m", "p", "m", null, null, false,
        new ModelSpec.Limits(1, 10, List.of(sizes), 0, 0, 0), new ModelSpec.Defaults(sizes[0], "auto"), Map.of(),
        null, null, null, null);
  }

  @Test
  void aListedSizeIsProducedAsItIs() {
    assertThat(SizeMapping.fit(fixed("1024x1024", "1792x1024"), "1792x1024")).contains("1792x1024");
    assertThat(SizeMapping.fit(fixed("1024x1024", "auto"), "auto")).contains("auto");
  }

  @Test
  void anUnlistedSizeMapsToTheListedSizeClosestInAspectRatioThenArea() {
    ModelSpec dallE3 = CATALOG.find("dall-e-3").orElseThrow();
    assertThat(SizeMapping.fit(dallE3, "512x512")).contains("1024x1024");
    assertThat(SizeMapping.fit(dallE3, "1920x1080")).contains("1792x1024");
    assertThat(SizeMapping.fit(dallE3, "720x1280")).contains("1024x1792");
    ModelSpec dallE2 = CATALOG.find("dall-e-2").orElseThrow();
    assertThat(SizeMapping.fit(dallE2, "300x300")).contains("256x256");
    assertThat(SizeMapping.fit(dallE2, "600x500")).contains("512x512");
  }

  @Test
  void aSizeWhoseAspectRatioIsMoreThanTwiceOffEveryListedOneHasNoMapping() {
    assertThat(SizeMapping.fit(fixed("1024x1024"), "4096x1024")).isEmpty();
    assertThat(SizeMapping.fit(fixed("1024x1024"), "2048x1024")).contains("1024x1024");
  }

  @Test
  void qwenImage2TakesFreeSizesWithinItsPixelBoundsAndScalesOthersIntoThem() {
    ModelSpec qwen = CATALOG.find("qwen-image-2.0").orElseThrow();
    assertThat(SizeMapping.fit(qwen, "1024x1024")).contains("1024x1024");
    assertThat(SizeMapping.fit(qwen, "1536x1024")).contains("1536x1024");
    assertThat(SizeMapping.fit(qwen, "256x256")).contains("512x512");
    assertThat(SizeMapping.fit(qwen, "4096x4096")).contains("2048x2048");
  }

  @Test
  void somethingThatIsNotASizeHasNoMapping() {
    ModelSpec qwen = CATALOG.find("qwen-image-2.0").orElseThrow();
    assertThat(SizeMapping.fit(qwen, "big")).isEmpty();
    assertThat(SizeMapping.fit(qwen, "0x512")).isEmpty();
    assertThat(SizeMapping.fit(qwen, "auto")).isEmpty();
  }
}
