package io.imagegen.worker.providers.openai;

import java.util.Locale;

/** Media types by vendor names: output formats and upload file extensions (sniffing: common ImageTypes). */
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

  /** A file extension for {@code contentType}, for multipart file names. */
  static String extension(String contentType) {
    return switch (contentType) {
      case "image/jpeg" -> "jpg";
      case "image/webp" -> "webp";
      case "image/gif" -> "gif";
      default -> "png";
    };
  }

}
