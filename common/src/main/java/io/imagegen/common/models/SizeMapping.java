package io.imagegen.common.models;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The size a model produces for a requested size (docs/providers.md, "Size mapping"). Free-size models produce what
 * was asked when it lies within their side and pixel bounds, else the same shape scaled into the pixel bounds.
 * Fixed-size models produce the listed size closest in aspect ratio, then in area; a request whose aspect ratio is
 * more than {@link #MAX_ASPECT_CHANGE} away from every listed size has no honest mapping.
 */
public final class SizeMapping {
  /** A requested 1:1 may become 16:9 (1.78) but not 4:1: beyond a factor of two the picture would be another one. */
  public static final double MAX_ASPECT_CHANGE = 2.0;
  /** Scaled sides are multiples of this, which every vendor we serve accepts. */
  static final int SIDE_STEP = 16;
  private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

  private SizeMapping() {
  }

  /** {@code WxH} as width and height, or empty when it is not that shape or has a zero side. */
  public static Optional<int[]> parse(String size) {
    Matcher m = size == null ? null : SIZE.matcher(size);
    if (m == null || !m.matches()) {
      return Optional.empty();
    }
    int width = Integer.parseInt(m.group(1));
    int height = Integer.parseInt(m.group(2));
    return width > 0 && height > 0 ? Optional.of(new int[] {width, height}) : Optional.empty();
  }

  /**
   * The size {@code model} produces for {@code requested} (canonical {@code WxH}, or a listed keyword such as
   * {@code auto}), or empty when no mapping honours it.
   */
  public static Optional<String> fit(ModelSpec model, String requested) {
    ModelSpec.Limits limits = model.limits();
    if (limits.sizes().contains(requested)) {
      return Optional.of(requested);
    }
    Optional<int[]> parsed = parse(requested);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    int width = parsed.get()[0];
    int height = parsed.get()[1];
    if (limits.sizes().isEmpty()) {
      return freeSize(limits, width, height);
    }
    String best = null;
    double bestAspect = Double.MAX_VALUE;
    double bestArea = Double.MAX_VALUE;
    for (String listed : limits.sizes()) {
      Optional<int[]> candidate = parse(listed);
      if (candidate.isEmpty()) {
        continue; // a keyword such as "auto"
      }
      double aspect = Math.abs(Math.log((double) width / height * candidate.get()[1] / candidate.get()[0]));
      double area = Math.abs(Math.log((double) width * height / ((double) candidate.get()[0] * candidate.get()[1])));
      // Aspect ratio first, area breaks ties; rounding noise below 1e-9 counts as a tie.
      if (aspect < bestAspect - 1e-9 || Math.abs(aspect - bestAspect) <= 1e-9 && area < bestArea) {
        best = listed;
        bestAspect = aspect;
        bestArea = area;
      }
    }
    return best != null && bestAspect <= Math.log(MAX_ASPECT_CHANGE) + 1e-9 ? Optional.of(best) : Optional.empty();
  }

  /**
   * A free size within the pixel bounds as it is; outside them, scaled (same aspect ratio, sides rounded to
   * multiples of {@link #SIDE_STEP}) to the nearest bound. Then both sides must lie within the side bounds.
   */
  private static Optional<String> freeSize(ModelSpec.Limits limits, int width, int height) {
    long pixels = (long) width * height;
    int w = width;
    int h = height;
    if (limits.minPixels() > 0 && pixels < limits.minPixels()) {
      double scale = Math.sqrt((double) limits.minPixels() / pixels);
      w = roundUp(width * scale);
      h = roundUp(height * scale);
    } else if (limits.maxPixels() > 0 && pixels > limits.maxPixels()) {
      double scale = Math.sqrt((double) limits.maxPixels() / pixels);
      w = roundDown(width * scale);
      h = roundDown(height * scale);
    }
    boolean fits = w >= limits.minSide() && w <= limits.maxSide() && h >= limits.minSide() && h <= limits.maxSide();
    return fits ? Optional.of(w + "x" + h) : Optional.empty();
  }

  private static int roundUp(double side) {
    return (int) Math.ceil(side / SIDE_STEP - 1e-9) * SIDE_STEP;
  }

  private static int roundDown(double side) {
    return Math.max(SIDE_STEP, (int) Math.floor(side / SIDE_STEP + 1e-9) * SIDE_STEP);
  }
}
