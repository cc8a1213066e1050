package io.imagegen.worker.providers.openai;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.multipart.MultipartForm;
import java.util.List;
import java.util.Map;

/** The multipart body of {@code POST /v1/images/edits}. */
final class EditForm {
  private EditForm() {
  }

  /**
   * {@code fields} as attributes, then the input images and the optional mask as file parts. gpt-image takes
   * several images as {@code image[]}; dall-e-2 takes exactly one, as {@code image}.
   */
  static MultipartForm of(Map<String, Object> fields, ModelFamily family, List<Buffer> images, Buffer mask) {
    MultipartForm form = MultipartForm.create();
    fields.forEach((name, value) -> form.attribute(name, RequestFields.asText(value)));
    String part = switch (family) {
      case GPT_IMAGE -> "image[]";
      case DALL_E_2, DALL_E_3 -> "image";
      // Relays accept both spellings, but the plain one for a single image is the most widely understood.
      case OTHER -> images.size() == 1 ? "image" : "image[]";
    };
    for (int i = 0; i < images.size(); i++) {
      addFile(form, part, "image-" + (i + 1), images.get(i));
    }
    if (mask != null) {
      addFile(form, "mask", "mask", mask);
    }
    return form;
  }

  private static void addFile(MultipartForm form, String part, String baseName, Buffer bytes) {
    String type = io.imagegen.common.images.ImageTypes.sniff(bytes);
    String mediaType = type == null ? ImageTypes.PNG : type;
    form.binaryFileUpload(part, baseName + "." + ImageTypes.extension(mediaType), bytes, mediaType);
  }
}
