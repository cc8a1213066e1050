package io.imagegen.worker.providers.openai;

import java.util.Locale;

/**
 * Which OpenAI request dialect an upstream model speaks. Relays serve OpenAI's own models under the same names
 * (sometimes with an {@code openai/} prefix), so the family follows the upstream model name, not the provider.
 */
enum ModelFamily {
  /** gpt-image-*: always answers b64_json and rejects {@code response_format}; reports token usage. */
  GPT_IMAGE,
  /** dall-e-3: {@code style}, quality standard|hd, one image per call. */
  DALL_E_3,
  /** dall-e-2: the only dall-e that edits, one input image. */
  DALL_E_2,
  /** Anything else behind an OpenAI-compatible relay: only the common fields plus what the catalog declares. */
  OTHER;

  static ModelFamily of(String upstreamModel) {
    String name = upstreamModel == null ? "" : upstreamModel.toLowerCase(Locale.ROOT);
    name = name.substring(name.lastIndexOf('/') + 1);
    if (name.startsWith("gpt-image") || name.startsWith("chatgpt-image")) {
      return GPT_IMAGE;
    }
    if (name.startsWith("dall-e-3")) {
      return DALL_E_3;
    }
    if (name.startsWith("dall-e-2")) {
      return DALL_E_2;
    }
    return OTHER;
  }

  boolean isDallE() {
    return this == DALL_E_3 || this == DALL_E_2;
  }
}
