package io.imagegen.fake;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Vendor size notations mapped to pixel sizes; every side is capped to keep a fake cheap. */
final class Sizes {

    /** Width and height in pixels. */
    record Size(int width, int height) {
        String wxh() {
            return width + "x" + height;
        }
    }

    static final int MAX_SIDE = 4096;
    static final Size DEFAULT = new Size(1024, 1024);

    /** "1024x1024" (OpenAI, Ark) and "1024*1024" (DashScope). */
    private static final Pattern PIXELS = Pattern.compile("\\s*(\\d{1,5})\\s*[x*×]\\s*(\\d{1,5})\\s*");
    /** Gemini 2.5 Flash Image sizes at "1K" per aspect ratio; 2K/4K double and quadruple them. */
    private static final Map<String, Size> GEMINI_1K = Map.ofEntries(
            Map.entry("1:1", new Size(1024, 1024)), Map.entry("2:3", new Size(832, 1248)),
            Map.entry("3:2", new Size(1248, 832)), Map.entry("3:4", new Size(864, 1184)),
            Map.entry("4:3", new Size(1184, 864)), Map.entry("4:5", new Size(896, 1152)),
            Map.entry("5:4", new Size(1152, 896)), Map.entry("9:16", new Size(768, 1344)),
            Map.entry("16:9", new Size(1344, 768)), Map.entry("21:9", new Size(1536, 672)));

    private Sizes() {
    }

    /**
     * Parses "WxH", "W*H" or a "1K"/"2K"/"4K" preset (square); null or "auto" gives {@code fallback};
     * anything else gives null so the vendor can answer with its invalid-parameter error.
     */
    static Size parse(String text, Size fallback) {
        if (text == null || text.isBlank() || text.equalsIgnoreCase("auto")) {
            return fallback;
        }
        Matcher m = PIXELS.matcher(text);
        if (m.matches()) {
            int w = Integer.parseInt(m.group(1));
            int h = Integer.parseInt(m.group(2));
            return w > 0 && h > 0 ? cap(w, h) : null;
        }
        int k = preset(text);
        return k > 0 ? cap(1024 * k, 1024 * k) : null;
    }

    /** Gemini's {@code aspectRatio} plus {@code imageSize}; unknown ratios fall back to 1:1. */
    static Size gemini(String aspectRatio, String imageSize) {
        Size base = GEMINI_1K.getOrDefault(aspectRatio == null ? "1:1" : aspectRatio.trim(), DEFAULT);
        int k = Math.max(1, preset(imageSize));
        return cap(base.width() * k, base.height() * k);
    }

    /** "1K" → 1, "2K" → 2, "4K" → 4, otherwise 0. */
    private static int preset(String text) {
        if (text == null) {
            return 0;
        }
        return switch (text.trim().toUpperCase(Locale.ROOT)) {
            case "1K" -> 1;
            case "2K" -> 2;
            case "4K" -> 4;
            default -> 0;
        };
    }

    /** Scales down proportionally so neither side exceeds {@link #MAX_SIDE}. */
    static Size cap(int w, int h) {
        int longest = Math.max(w, h);
        if (longest <= MAX_SIDE) {
            return new Size(w, h);
        }
        double f = (double) MAX_SIDE / longest;
        return new Size(Math.max(1, (int) Math.round(w * f)), Math.max(1, (int) Math.round(h * f)));
    }
}
