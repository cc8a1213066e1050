package io.imagegen.worker.providers.dashscope;

import java.util.Locale;

/** The media type of a downloaded result; the bytes decide, since signed storage URLs rarely say honestly. */
final class ImageTypes {
  private static final String PNG = "image/png";

  private ImageTypes() {
  }

  /** {@code image/png}, {@code image/jpeg} or {@code image/webp} from the magic bytes, else the URL, else PNG. */
  static String of(byte[] bytes, String url) {
    String sniffed = bytes == null ? null : io.imagegen.common.images.ImageTypes.sniff(bytes);
    return sniffed != null ? sniffed : fromUrl(url);
  }

  private static String fromUrl(String url) {
    if (url == null) {
      return PNG;
    }
    // Vendor URLs are pre-signed: the extension sits before the query string.
    int end = url.indexOf('?');
    String path = (end < 0 ? url : url.substring(0, end)).toLowerCase(Locale.ROOT);
    if (path.endsWith(".jpg") || path.endsWith(".jpeg")) {
      return "image/jpeg";
    }
    return path.endsWith(".webp") ? "image/webp" : PNG;
  }
}
