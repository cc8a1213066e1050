package io.imagegen.api.tasks;

import io.imagegen.common.models.ModelSpec;
import java.util.Map;

/**
 * A validated {@code POST /v1/images/generations} body with the model's defaults applied; {@code callbackUrl} is
 * only known to be a string here, {@link CallbackUrls} judges it for its owner.
 */
record GenerationRequest(
    ModelSpec model,
    String prompt,
    int n,
    String size,
    String quality,
    String responseFormat,
    String mode,
    Map<String, Object> params,
    String callbackUrl) {
}
