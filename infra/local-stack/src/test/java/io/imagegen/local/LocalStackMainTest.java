package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackMainTest {

  @Test
  void vendorKeysNamedByTheBundledCatalogReachTheServices() {
    Map<String, String> passed = LocalStackMain.passThrough(Map.of(
        "OPENAI_API_KEY", "sk-openai", "DASHSCOPE_API_KEY", "sk-dash", "ARK_API_KEY", "ark",
        "GEMINI_API_KEY", "gem", "IMAGEGEN_RELAY_API_KEY", "relay"));

    assertThat(passed).containsOnlyKeys("OPENAI_API_KEY", "DASHSCOPE_API_KEY", "ARK_API_KEY", "GEMINI_API_KEY",
        "IMAGEGEN_RELAY_API_KEY");
  }

  @Test
  void imagegenSettingsPassButTheStacksOwnAndUnrelatedVariablesDoNot() {
    Map<String, String> passed = LocalStackMain.passThrough(Map.of(
        "IMAGEGEN_DEMO_LATENCY", "0", "IMAGEGEN_LOCAL_WORKERS", "3", "HOME", "/root", "AWS_SECRET_ACCESS_KEY", "x"));

    assertThat(passed).containsOnlyKeys("IMAGEGEN_DEMO_LATENCY");
  }

  @Test
  void aCustomCatalogDecidesWhichVendorKeysPass(@TempDir Path dir) throws Exception {
    Path catalog = dir.resolve("models.json");
    Files.writeString(catalog, """
        {"models": [{"id": "mine", "name": "Mine", "author": "me", "slug": "mine", "provider": "openai",
          "upstream_model": "gpt-image-1", "api_key_env": "MY_VENDOR_KEY", "async_only": true,
          "limits": {"max_n": 1, "max_prompt_length": 100, "min_side": 64, "max_side": 1024, "max_input_images": 0},
          "defaults": {"size": "1024x1024", "quality": "auto"}}]}
        """);

    Map<String, String> passed = LocalStackMain.passThrough(Map.of(
        "IMAGEGEN_MODEL_CATALOG", catalog.toString(), "MY_VENDOR_KEY", "k", "OPENAI_API_KEY", "sk"));

    assertThat(passed).containsOnlyKeys("IMAGEGEN_MODEL_CATALOG", "MY_VENDOR_KEY");
  }
}
