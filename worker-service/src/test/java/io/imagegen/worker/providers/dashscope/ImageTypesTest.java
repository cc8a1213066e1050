package io.imagegen.worker.providers.dashscope;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageTypesTest {
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0};
  private static final byte[] WEBP = "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] UNKNOWN = {1, 2, 3};

  @Test
  void theBytesDecideOverTheUrl() {
    assertThat(ImageTypes.of(PNG, "https://oss.example/a.jpg")).isEqualTo("image/png");
    assertThat(ImageTypes.of(JPEG, "https://oss.example/a.png")).isEqualTo("image/jpeg");
    assertThat(ImageTypes.of(WEBP, "https://oss.example/a.png")).isEqualTo("image/webp");
  }

  @ParameterizedTest
  @CsvSource({
      "https://oss.example/a.JPG?Expires=1&Signature=x.png, image/jpeg",
      "https://oss.example/a.jpeg, image/jpeg",
      "https://oss.example/a.webp?x=1, image/webp",
      "https://oss.example/a.png, image/png",
      "https://oss.example/a, image/png"})
  void unrecognisedBytesFallBackToTheUrlsExtensionBeforeItsQuery(String url, String expected) {
    assertThat(ImageTypes.of(UNKNOWN, url)).isEqualTo(expected);
  }

  @Test
  void withNothingToGoOnItIsPng() {
    assertThat(ImageTypes.of(new byte[0], null)).isEqualTo("image/png");
  }
}
