package io.imagegen.worker.providers.openai;

import java.util.Locale;

/** Media types of OpenAI's output formats (sniffing and file extensions: common ImageTypes). */
final class ImageTypes {
  static final String PNG = "image/png";

  private ImageTypes() {
  }

  /** The media type of an OpenAI {@code output_format}, or {@code null} for an unknown one. */
  static String ofOutputFormat(Object format) {
    if (!(format instanceof String name)) {
      return null;
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "png" -> PNG;
      case "jpeg", "jpg" -> "image/jpeg";
      case "webp" -> "image/webp";
      default -> null;
    };
  }
}
