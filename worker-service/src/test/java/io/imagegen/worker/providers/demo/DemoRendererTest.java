package io.imagegen.worker.providers.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DemoRendererTest {
  private static final String PROMPT = "a lighthouse at dusk";
  private static final String GOLDEN_PIXELS_SHA256 = "18b804606fcc3642bdce9b97e139632cb8375a3ae920a09a0452d7d629a6508b";

  @ParameterizedTest
  @CsvSource({"512, 512", "1024, 768", "768, 1024", "64, 64", "1, 1", "2048, 2048"})
  void rendersAPngOfTheRequestedSize(int width, int height) throws IOException {
    BufferedImage image = decode(DemoRenderer.renderPng(PROMPT, width, height, 0));

    assertThat(image.getWidth()).isEqualTo(width);
    assertThat(image.getHeight()).isEqualTo(height);
  }

  @Test
  void startsWithThePngSignature() {
    byte[] png = DemoRenderer.renderPng(PROMPT, 64, 64, 0);

    assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G', (byte) '\r', (byte) '\n', (byte) 0x1A,
        (byte) '\n');
  }

  @Test
  void sameInputsGiveIdenticalBytes() {
    assertThat(DemoRenderer.renderPng(PROMPT, 256, 256, 1)).isEqualTo(DemoRenderer.renderPng(PROMPT, 256, 256, 1));
  }

  @Test
  void differentPromptsGiveDifferentImages() {
    assertThat(DemoRenderer.renderPng("a lighthouse at dawn", 256, 256, 0))
        .isNotEqualTo(DemoRenderer.renderPng(PROMPT, 256, 256, 0));
  }

  @Test
  void differentIndexesGiveDifferentArtForTheSamePrompt() {
    // Compared above the caption, which is the same text for both, so the art itself must differ.
    int[] first = pixels(DemoRenderer.render(PROMPT, 256, 256, 0));
    int[] second = pixels(DemoRenderer.render(PROMPT, 256, 256, 1));
    int artPixels = 256 * 256 * 2 / 3;

    assertThat(Arrays.copyOf(first, artPixels)).isNotEqualTo(Arrays.copyOf(second, artPixels));
  }

  @Test
  void pixelsMatchTheRecordedRenderSoOutputIsStableAcrossMachinesAndJdks() {
    // If the art is changed on purpose, record the new digest; if not, something made rendering nondeterministic.
    int[] pixels = pixels(DemoRenderer.render(PROMPT, 256, 256, 2));

    assertThat(sha256(pixels)).isEqualTo(GOLDEN_PIXELS_SHA256);
  }

  @Test
  void drawsThePromptAsTextInTheBottomThird() throws IOException {
    // Art is never pure white (see DemoRenderer.hsb), so white pixels down there can only be caption text.
    long none = captionTextPixels("");
    long shortCaption = captionTextPixels("a");
    long longCaption = captionTextPixels(PROMPT + " with long text");

    assertThat(none).isZero();
    assertThat(shortCaption).isPositive();
    assertThat(longCaption).isGreaterThan(shortCaption * 10);
  }

  @Test
  void rendersNonAsciiPromptsWithoutError() throws IOException {
    BufferedImage image = decode(DemoRenderer.renderPng("灯塔 at dusk 🌅", 512, 512, 0));

    assertThat(image.getWidth()).isEqualTo(512);
    assertThat(textPixelsInBottomThird(image)).isPositive();
  }

  @Test
  void wrapsAtWordBoundaries() {
    assertThat(DemoRenderer.wrap("a lighthouse  at\tdusk", 12, 5)).containsExactly("a lighthouse", "at dusk");
  }

  @Test
  void splitsWordsLongerThanALine() {
    assertThat(DemoRenderer.wrap("go supercalifragilistic", 8, 5))
        .containsExactly("go", "supercal", "ifragili", "stic");
  }

  @Test
  void truncatesPromptsThatDoNotFitWithAnEllipsis() {
    List<String> lines = DemoRenderer.wrap("word ".repeat(100), 12, 3);

    assertThat(lines).containsExactly("word word", "word word", "word word...");
  }

  @Test
  void replacesNonAsciiWithOneQuestionMarkPerCharacter() {
    assertThat(DemoRenderer.wrap("灯塔 at dusk 🌅", 40, 1)).containsExactly("?? at dusk ?");
  }

  @Test
  void blankPromptsHaveNoCaptionLines() {
    assertThat(DemoRenderer.wrap(" \n ", 40, 3)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"0, 64, width", "-1, 64, width", "4097, 64, width", "64, 0, height", "64, 4097, height"})
  void rejectsSidesOutsideOneTo4096(int width, int height, String argument) {
    assertThatThrownBy(() -> DemoRenderer.renderPng(PROMPT, width, height, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(argument);
  }

  @Test
  void rejectsANegativeIndex() {
    assertThatThrownBy(() -> DemoRenderer.renderPng(PROMPT, 64, 64, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("index");
  }

  @Test
  void rejectsANullPrompt() {
    assertThatNullPointerException().isThrownBy(() -> DemoRenderer.renderPng(null, 64, 64, 0)).withMessage("prompt");
  }

  private static BufferedImage decode(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as("decodable PNG").isNotNull();
    return image;
  }

  private static long captionTextPixels(String prompt) throws IOException {
    return textPixelsInBottomThird(decode(DemoRenderer.renderPng(prompt, 512, 512, 0)));
  }

  private static long textPixelsInBottomThird(BufferedImage image) {
    long count = 0;
    for (int y = image.getHeight() * 2 / 3; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xFFFFFF) == DemoRenderer.TEXT_COLOR) {
          count++;
        }
      }
    }
    return count;
  }

  private static int[] pixels(BufferedImage image) {
    return ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
  }

  private static String sha256(int[] pixels) {
    ByteBuffer bytes = ByteBuffer.allocate(pixels.length * Integer.BYTES);
    bytes.asIntBuffer().put(pixels);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
