package io.imagegen.worker.providers;

import io.imagegen.common.tasks.Usage;
import java.nio.file.Path;
import java.util.List;

/** A provider's successful answer. */
public record Generation(List<Image> images, Usage usage) {
  /**
   * One result image, held either in memory ({@code bytes}) or in a spool file on local disk ({@code file}): exactly
   * one of the two is set. Big vendor answers are spooled so that hundreds in flight do not have to fit in the heap;
   * whoever publishes a spooled image deletes its file afterwards. {@code revisedPrompt} is {@code null} when the
   * vendor does not report one.
   */
  public record Image(byte[] bytes, Path file, long size, String contentType, String revisedPrompt) {
    public Image {
      if ((bytes == null) == (file == null)) {
        throw new IllegalArgumentException("an image has either bytes or a file, not " + (bytes == null ? "neither"
            : "both"));
      }
      if (bytes != null && size != bytes.length) {
        throw new IllegalArgumentException("size " + size + " does not match " + bytes.length + " bytes");
      }
      if (size < 0) {
        throw new IllegalArgumentException("negative size " + size);
      }
    }

    /** An image held in memory. */
    public Image(byte[] bytes, String contentType, String revisedPrompt) {
      this(bytes, null, bytes == null ? 0 : bytes.length, contentType, revisedPrompt);
    }

    /** An image spooled to {@code file} ({@code size} bytes); the publisher deletes the file once it is stored. */
    public static Image ofFile(Path file, long size, String contentType, String revisedPrompt) {
      return new Image(null, file, size, contentType, revisedPrompt);
    }

    /** Whether the image lives in a spool file rather than in memory. */
    public boolean spooled() {
      return file != null;
    }
  }

  public Generation {
    images = List.copyOf(images);
  }

  /** The spool files behind this answer's images, which somebody must delete once they are no longer needed. */
  public List<Path> spoolFiles() {
    return images.stream().filter(Image::spooled).map(Image::file).toList();
  }
}
