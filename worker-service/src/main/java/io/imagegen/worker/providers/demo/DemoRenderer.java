package io.imagegen.worker.providers.demo;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Stand-in images for the demo provider: generative art seeded by the prompt, captioned with the prompt.
 *
 * <p>Every pixel is computed directly into the raster with StrictMath and a built-in bitmap font rather than
 * Graphics2D and java.awt.Font: rasterizers differ between JDKs and server containers often have no fonts, and
 * the same request must give the same picture everywhere.
 */
final class DemoRenderer {
  static final int MAX_SIDE = 4096;
  static final int TEXT_COLOR = 0xFFFFFF;

  // ' '..'~' as 5x7 glyphs plus a descender row: one long each, five column bytes (leftmost high), bit 0 at the top.
  private static final long[] FONT = {
      0x0000000000L, 0x00005F0000L, 0x0007000700L, 0x147F147F14L, 0x242A7F2A12L, 0x2313086462L, 0x3649552250L,
      0x0005030000L, 0x001C224100L, 0x0041221C00L, 0x082A1C2A08L, 0x08083E0808L, 0x0050300000L, 0x0808080808L,
      0x0060600000L, 0x2010080402L, 0x3E5149453EL, 0x00427F4000L, 0x4261514946L, 0x2141454B31L, 0x1814127F10L,
      0x2745454539L, 0x3C4A494930L, 0x0171090503L, 0x3649494936L, 0x064949291EL, 0x0036360000L, 0x0056360000L,
      0x0814224100L, 0x1414141414L, 0x0041221408L, 0x0201510906L, 0x324979413EL, 0x7E1111117EL, 0x7F49494936L,
      0x3E41414122L, 0x7F4141221CL, 0x7F49494941L, 0x7F09090101L, 0x3E41415132L, 0x7F0808087FL, 0x00417F4100L,
      0x2040413F01L, 0x7F08142241L, 0x7F40404040L, 0x7F0204027FL, 0x7F0408107FL, 0x3E4141413EL, 0x7F09090906L,
      0x3E4151215EL, 0x7F09192946L, 0x4649494931L, 0x01017F0101L, 0x3F4040403FL, 0x1F2040201FL, 0x7F2018207FL,
      0x6314081463L, 0x0304780403L, 0x6151494543L, 0x007F414100L, 0x0204081020L, 0x0041417F00L, 0x0402010204L,
      0x4040404040L, 0x0001020400L, 0x2054545478L, 0x7F48444438L, 0x3844444420L, 0x384444487FL, 0x3854545418L,
      0x087E090102L, 0x18A4A4A47CL, 0x7F08040478L, 0x00447D4000L, 0x4080847D00L, 0x007F102844L, 0x00417F4000L,
      0x7C04180478L, 0x7C08040478L, 0x3844444438L, 0xFC24242418L, 0x18242424FCL, 0x7C08040408L, 0x4854545420L,
      0x043F444020L, 0x3C4040207CL, 0x1C2040201CL, 0x3C4030403CL, 0x4428102844L, 0x1CA0A0A07CL, 0x4464544C44L,
      0x0008364100L, 0x00007F0000L, 0x0041360800L, 0x0804081008L,
  };
  private static final int GLYPH_W = 5;
  private static final int GLYPH_H = 8;
  private static final int ADVANCE = GLYPH_W + 1;
  private static final int LINE = GLYPH_H + 2;
  // The font scale is picked so a caption line holds about this many characters at any width.
  private static final int TARGET_COLUMNS = 32;
  private static final String ELLIPSIS = "...";

  private DemoRenderer() {
  }

  /** Deterministic width x height PNG of art seeded by (prompt, index), with the prompt as a bitmap-font caption. */
  static byte[] renderPng(String prompt, int width, int height, int index) {
    BufferedImage image = render(prompt, width, height, index);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // An in-memory stream: ImageIO.write(image, "png", OutputStream) may spill to a temp file by default.
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  // The unencoded image, package-private so tests can inspect pixels.
  static BufferedImage render(String prompt, int width, int height, int index) {
    Objects.requireNonNull(prompt, "prompt");
    checkSide("width", width);
    checkSide("height", height);
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, was " + index);
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] px = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    SplittableRandom rnd = new SplittableRandom(seed(prompt) ^ index);
    int[] palette = palette(rnd);
    gradient(px, width, height, palette[0], palette[1], rnd);
    for (int i = 0, n = 2 + (int) between(rnd, 0, 2); i < n; i++) {
      band(px, width, height, palette[2 + i % 3], rnd);
    }
    for (int i = 0, n = 4 + (int) between(rnd, 0, 4); i < n; i++) {
      circle(px, width, height, palette[2 + i % 3], rnd);
    }
    caption(px, width, height, prompt);
    return image;
  }

  private static void checkSide(String name, int value) {
    if (value < 1 || value > MAX_SIDE) {
      throw new IllegalArgumentException(name + " must be in 1.." + MAX_SIDE + ", was " + value);
    }
  }

  private static long seed(String prompt) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(prompt.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK must provide SHA-256", e);
    }
  }

  // Only nextDouble() is used: it is a fixed function of SplitMix64's output, so JDK changes to the bounded
  // helpers (nextInt(bound) and friends) cannot shift the art.
  private static double between(SplittableRandom rnd, double low, double high) {
    return low + rnd.nextDouble() * (high - low);
  }

  /** A dark and a mid background colour and three saturated accents around a seeded hue. */
  private static int[] palette(SplittableRandom rnd) {
    float hue = (float) rnd.nextDouble();
    float accentShift = (float) between(rnd, 0.25, 0.6);
    return new int[] {
        hsb(hue, between(rnd, 0.55, 0.85), between(rnd, 0.15, 0.35)),
        hsb(hue + (float) between(rnd, 0.05, 0.2), between(rnd, 0.45, 0.8), between(rnd, 0.5, 0.75)),
        hsb(hue + accentShift, between(rnd, 0.5, 0.9), between(rnd, 0.75, 1)),
        hsb(hue + accentShift + 0.12f, between(rnd, 0.5, 0.9), between(rnd, 0.75, 1)),
        hsb(hue - 0.1f, between(rnd, 0.45, 0.8), between(rnd, 0.8, 1)),
    };
  }

  // Saturation stays well above zero so no art pixel is ever pure white: only text is TEXT_COLOR.
  private static int hsb(float hue, double saturation, double brightness) {
    return Color.HSBtoRGB(hue, (float) saturation, (float) brightness) & 0xFFFFFF;
  }

  private static void gradient(int[] px, int w, int h, int from, int to, SplittableRandom rnd) {
    double angle = between(rnd, 0, 2 * Math.PI);
    double dx = StrictMath.cos(angle);
    double dy = StrictMath.sin(angle);
    double span = Math.abs(dx) + Math.abs(dy);
    for (int y = 0; y < h; y++) {
      double row = 0.5 + ((y + 0.5) / h - 0.5) * dy / span;
      for (int x = 0; x < w; x++) {
        double t = row + ((x + 0.5) / w - 0.5) * dx / span;
        px[y * w + x] = blend(from, to, (int) (t * 256));
      }
    }
  }

  /** A translucent horizontal sine wave with anti-aliased edges. */
  private static void band(int[] px, int w, int h, int color, SplittableRandom rnd) {
    double centre = between(rnd, 0.15, 0.85) * h;
    double amplitude = between(rnd, 0.03, 0.12) * h;
    double cycles = between(rnd, 0.5, 2.5);
    double phase = between(rnd, 0, 2 * Math.PI);
    double half = between(rnd, 0.01, 0.05) * h + 0.5;
    int alpha = (int) between(rnd, 80, 150);
    for (int x = 0; x < w; x++) {
      double mid = centre + amplitude * StrictMath.sin(2 * Math.PI * cycles * x / w + phase);
      int top = Math.max(0, (int) (mid - half - 1));
      int bottom = Math.min(h - 1, (int) (mid + half + 1));
      for (int y = top; y <= bottom; y++) {
        paint(px, y * w + x, color, alpha, half - Math.abs(y + 0.5 - mid));
      }
    }
  }

  /** A translucent disc or ring; coverage from the distance to the edge gives one pixel of anti-aliasing. */
  private static void circle(int[] px, int w, int h, int color, SplittableRandom rnd) {
    double cx = between(rnd, 0, 1) * w;
    double cy = between(rnd, 0, 0.8) * h;
    double r = between(rnd, 0.04, 0.22) * Math.min(w, h) + 0.5;
    double inner = rnd.nextDouble() < 0.4 ? r * between(rnd, 0.7, 0.85) : -1;
    int alpha = (int) between(rnd, 110, 220);
    int x0 = Math.max(0, (int) (cx - r - 1));
    int x1 = Math.min(w - 1, (int) (cx + r + 1));
    int y0 = Math.max(0, (int) (cy - r - 1));
    int y1 = Math.min(h - 1, (int) (cy + r + 1));
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        double d = Math.sqrt((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy));
        paint(px, y * w + x, color, alpha, Math.min(r - d, d - inner));
      }
    }
  }

  /** Blends color in at alpha/256, scaled by how far inside the shape the pixel lies (clamped to 0..1 pixels). */
  private static void paint(int[] px, int i, int color, int alpha, double inside) {
    double coverage = Math.min(1, inside + 0.5);
    if (coverage > 0) {
      px[i] = blend(px[i], color, (int) (alpha * coverage));
    }
  }

  private static int blend(int dst, int src, int alpha) {
    int a = Math.max(0, Math.min(256, alpha));
    int r = (dst >> 16) & 0xFF;
    int g = (dst >> 8) & 0xFF;
    int b = dst & 0xFF;
    r += (((src >> 16) & 0xFF) - r) * a >> 8;
    g += (((src >> 8) & 0xFF) - g) * a >> 8;
    b += ((src & 0xFF) - b) * a >> 8;
    return r << 16 | g << 8 | b;
  }

  /** Prompt in a darkened box at the bottom, "demo" in one at the top right; none on images too small for text. */
  private static void caption(int[] px, int w, int h, String prompt) {
    int scale = Math.max(1, w / (ADVANCE * TARGET_COLUMNS));
    int margin = 3 * scale;
    int pad = 3 * scale;
    // n glyphs take n * ADVANCE - 1 font pixels (no gap after the last), m lines m * LINE - 2.
    int columns = (w - 2 * margin - 2 * pad + scale) / (ADVANCE * scale);
    int maxLines = (h / 3 - margin - 2 * pad + 2 * scale) / (LINE * scale);
    // A cut-off line must still show one character before its ellipsis.
    if (columns < ELLIPSIS.length() + 1 || maxLines < 1) {
      return;
    }
    List<String> lines = wrap(prompt, columns, maxLines);
    if (!lines.isEmpty()) {
      int boxHeight = (lines.size() * LINE - 2) * scale + 2 * pad;
      int boxTop = h - margin - boxHeight;
      darken(px, w, margin, boxTop, w - 2 * margin, boxHeight);
      for (int i = 0; i < lines.size(); i++) {
        drawText(px, w, lines.get(i), margin + pad, boxTop + pad + i * LINE * scale, scale);
      }
    }
    String label = "demo";
    int labelWidth = (label.length() * ADVANCE - 1) * scale + 2 * pad;
    int labelHeight = GLYPH_H * scale + 2 * pad;
    // The caption never leaves the bottom third, so a label above it cannot overlap it.
    if (labelWidth + 2 * margin <= w && margin + labelHeight <= h - h / 3) {
      darken(px, w, w - margin - labelWidth, margin, labelWidth, labelHeight);
      drawText(px, w, label, w - margin - labelWidth + pad, margin + pad, scale);
    }
  }

  private static void darken(int[] px, int w, int left, int top, int width, int height) {
    for (int y = top; y < top + height; y++) {
      for (int x = left; x < left + width; x++) {
        px[y * w + x] = blend(px[y * w + x], 0, 150);
      }
    }
  }

  private static void drawText(int[] px, int w, String text, int left, int top, int scale) {
    for (int i = 0; i < text.length(); i++) {
      long glyph = FONT[text.charAt(i) - ' '];
      for (int col = 0; col < GLYPH_W; col++) {
        int bits = (int) (glyph >>> (8 * (GLYPH_W - 1 - col))) & 0xFF;
        for (int row = 0; row < GLYPH_H; row++) {
          if ((bits >> row & 1) != 0) {
            fill(px, w, left + (i * ADVANCE + col) * scale, top + row * scale, scale);
          }
        }
      }
    }
  }

  private static void fill(int[] px, int w, int left, int top, int size) {
    for (int y = top; y < top + size; y++) {
      for (int x = left; x < left + size; x++) {
        px[y * w + x] = TEXT_COLOR;
      }
    }
  }

  /**
   * Word-wraps text into at most maxLines lines of at most columns printable-ASCII characters; other characters
   * become '?', whitespace runs one space, over-long words are split, and cut-off text ends in "...".
   */
  static List<String> wrap(String text, int columns, int maxLines) {
    StringBuilder ascii = new StringBuilder();
    text.codePoints().forEach(c ->
        ascii.append(Character.isWhitespace(c) ? ' ' : c > ' ' && c <= '~' ? (char) c : '?'));
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : ascii.toString().trim().split(" +")) {
      if (!line.isEmpty() && line.length() + 1 + word.length() > columns) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (!line.isEmpty()) {
        line.append(' ');
      }
      line.append(word);
      while (line.length() > columns) {
        lines.add(line.substring(0, columns));
        line.delete(0, columns);
      }
    }
    if (!line.isEmpty()) {
      lines.add(line.toString());
    }
    if (lines.size() <= maxLines) {
      return lines;
    }
    List<String> kept = new ArrayList<>(lines.subList(0, maxLines));
    String last = kept.get(maxLines - 1);
    String cut = last.substring(0, Math.min(last.length(), columns - ELLIPSIS.length()));
    kept.set(maxLines - 1, cut.stripTrailing() + ELLIPSIS);
    return kept;
  }
}
