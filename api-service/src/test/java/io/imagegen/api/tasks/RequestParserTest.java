package io.imagegen.api.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.models.ModelCatalog;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {
  private static final ModelCatalog CATALOG = ModelCatalog.load(ModelCatalog.WITH_DEMO);

  private final RequestParser parser = new RequestParser(CATALOG);

  private static JsonObject body(String json) {
    return new JsonObject(json);
  }

  private static JsonObject minimal() {
    return new JsonObject().put("model", "demo-async").put("prompt", "a red fox in the snow");
  }

  private InvalidRequestException invalid(JsonObject body) {
    InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> parser.parse(body));
    assertThat(e).as("expected an InvalidRequestException for %s", body.encode()).isNotNull();
    assertThat(e.code()).isEqualTo("invalid_image_request");
    return e;
  }

  @Test
  void aMinimalBodyGetsTheDefaults() {
    GenerationRequest request = parser.parse(minimal());

    assertThat(request.model().id()).isEqualTo("demo-async");
    assertThat(request.prompt()).isEqualTo("a red fox in the snow");
    assertThat(request.n()).isEqualTo(1);
    assertThat(request.size()).isEqualTo("1024x1024");
    assertThat(request.quality()).isEqualTo("auto");
    assertThat(request.responseFormat()).isEqualTo("url");
    assertThat(request.mode()).isEqualTo("generation");
    assertThat(request.params()).isEmpty();
  }

  @Test
  void aCallbackUrlIsKeptApartFromTheModelParameters() {
    GenerationRequest request = parser.parse(minimal().put("callback_url", "https://hooks.example.com/a"));

    assertThat(request.callbackUrl()).isEqualTo("https://hooks.example.com/a");
    assertThat(request.params()).isEmpty();
    assertThat(parser.parse(minimal()).callbackUrl()).isNull();
  }

  @Test
  void aCallbackUrlThatIsNotAStringIsRefusedByName() {
    InvalidRequestException e = invalid(minimal().put("callback_url", new JsonObject().put("url", "https://a.b")));

    assertThat(e.param()).isEqualTo("callback_url");
    assertThat(e).hasMessage("callback_url must be a string");
  }

  @Test
  void everySupportedFieldIsTakenFromTheBody() {
    GenerationRequest request = parser.parse(body("""
        {"model": "demo-async", "prompt": "a lighthouse", "n": 4, "size": "512x768", "quality": "high",
         "response_format": "b64_json", "user": "user-7", "stream": false, "seed": 42}
        """));

    assertThat(request.n()).isEqualTo(4);
    assertThat(request.size()).isEqualTo("512x768");
    assertThat(request.quality()).isEqualTo("high");
    assertThat(request.responseFormat()).isEqualTo("b64_json");
    assertThat(request.params()).containsEntry("user", "user-7").containsEntry("seed", 42L).hasSize(2);
  }

  @Test
  void aMissingModelIsReportedOnTheModelField() {
    InvalidRequestException e = invalid(new JsonObject().put("prompt", "p"));

    assertThat(e.param()).isEqualTo("model");
    assertThat(e.getMessage()).isEqualTo("model is required");
  }

  @Test
  void anUnknownModelIsNotFound() {
    NotFoundException e = catchThrowableOfType(NotFoundException.class,
        () -> parser.parse(new JsonObject().put("model", "dall-e-9").put("prompt", "p")));

    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo("model_not_found");
    assertThat(e.param()).isEqualTo("model");
    assertThat(e.getMessage()).contains("'dall-e-9'");
  }

  @Test
  void aMissingPromptIsRequired() {
    InvalidRequestException e = invalid(new JsonObject().put("model", "demo-async"));

    assertThat(e.param()).isEqualTo("prompt");
    assertThat(e.getMessage()).isEqualTo("prompt is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\n\t "})
  void aBlankPromptIsRejected(String prompt) {
    InvalidRequestException e = invalid(minimal().put("prompt", prompt));

    assertThat(e.param()).isEqualTo("prompt");
    assertThat(e.getMessage()).isEqualTo("prompt must not be empty");
  }

  @Test
  void aPromptAtTheModelsLimitIsAcceptedAndOneCharacterMoreIsNot() {
    assertThat(parser.parse(minimal().put("prompt", "a".repeat(4000))).prompt()).hasSize(4000);

    InvalidRequestException e = invalid(minimal().put("prompt", "a".repeat(4001)));

    assertThat(e.param()).isEqualTo("prompt");
    assertThat(e.getMessage()).contains("4001", "demo-async", "at most 4000");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4})
  void nWithinTheModelsRangeIsAccepted(int n) {
    assertThat(parser.parse(minimal().put("n", n)).n()).isEqualTo(n);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 5})
  void nOutsideTheModelsRangeIsRejectedWithTheRange(int n) {
    InvalidRequestException e = invalid(minimal().put("n", n));

    assertThat(e.param()).isEqualTo("n");
    assertThat(e.getMessage()).isEqualTo("n must be between 1 and 4 for demo-async");
  }

  @Test
  void aHugeNIsRejectedRatherThanTruncated() {
    InvalidRequestException e = invalid(minimal().put("n", 4_294_967_297L));

    assertThat(e.param()).isEqualTo("n");
  }

  @Test
  void nAsAStringIsNotAnInteger() {
    InvalidRequestException e = invalid(body("{\"model\":\"demo-async\",\"prompt\":\"p\",\"n\":\"2\"}"));

    assertThat(e.param()).isEqualTo("n");
    assertThat(e.getMessage()).isEqualTo("n must be an integer");
  }

  @Test
  void aFractionalNIsNotAnInteger() {
    InvalidRequestException e = invalid(body("{\"model\":\"demo-async\",\"prompt\":\"p\",\"n\":1.5}"));

    assertThat(e.param()).isEqualTo("n");
    assertThat(e.getMessage()).isEqualTo("n must be an integer");
  }

  @Test
  void theUnicodeMultiplicationSignInSizeGetsAHelpfulMessage() {
    InvalidRequestException e = invalid(minimal().put("size", "1024\u00d71024"));

    assertThat(e.param()).isEqualTo("size");
    assertThat(e.getMessage()).contains("lowercase x").contains("1024\u00d71024");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1024X1024", "1024*1024"})
  void otherSeparatorsInSizeAskForALowercaseX(String size) {
    InvalidRequestException e = invalid(minimal().put("size", size));

    assertThat(e.param()).isEqualTo("size");
    assertThat(e.getMessage()).contains("lowercase x");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "1024", "1024x", "x1024", "1024x1024x3", " 1024x1024", "-64x64", "123456x64", "auto"})
  void aSizeThatIsNotWidthByHeightIsRejected(String size) {
    InvalidRequestException e = invalid(minimal().put("size", size));

    assertThat(e.param()).isEqualTo("size");
    assertThat(e.getMessage()).isEqualTo("size must look like 1024x1024 (width x height in pixels)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"32x32", "63x1024", "1024x63", "4096x4096", "2049x2048", "2048x2049"})
  void aSizeOutsideTheModelsSideRangeIsRejectedWithTheRange(String size) {
    InvalidRequestException e = invalid(minimal().put("size", size));

    assertThat(e.param()).isEqualTo("size");
    assertThat(e.getMessage()).isEqualTo("width and height must each be between 64 and 2048 for demo-async");
  }

  @ParameterizedTest
  @ValueSource(strings = {"64x64", "2048x2048", "64x2048", "1536x1024"})
  void sizesWithinTheSideRangeAreAccepted(String size) {
    assertThat(parser.parse(minimal().put("size", size)).size()).isEqualTo(size);
  }

  @Test
  void leadingZerosInASizeAreNormalisedAway() {
    assertThat(parser.parse(minimal().put("size", "0512x00512")).size()).isEqualTo("512x512");
  }

  @Test
  void anUnknownResponseFormatIsRejectedWithTheExactAllowedList() {
    InvalidRequestException e = invalid(minimal().put("response_format", "png"));

    assertThat(e.param()).isEqualTo("response_format");
    assertThat(e.getMessage()).isEqualTo("response_format must be one of: b64_json, url");
  }

  @Test
  void streamingIsRejected() {
    InvalidRequestException e = invalid(minimal().put("stream", true));

    assertThat(e.param()).isEqualTo("stream");
    assertThat(e.getMessage()).contains("stream");
  }

  @Test
  void streamFalseIsAccepted() {
    GenerationRequest request = parser.parse(minimal().put("stream", false));

    assertThat(request.params()).doesNotContainKey("stream");
  }

  @Test
  void streamAsAStringIsNotABoolean() {
    InvalidRequestException e = invalid(minimal().put("stream", "true"));

    assertThat(e.param()).isEqualTo("stream");
    assertThat(e.getMessage()).isEqualTo("stream must be a boolean");
  }

  @Test
  void aQualityTheModelDoesNotOfferIsRejectedListingTheAllowedValues() {
    InvalidRequestException e = invalid(minimal().put("quality", "ultra"));

    assertThat(e.param()).isEqualTo("quality");
    assertThat(e.getMessage()).isEqualTo("quality must be one of: auto, low, medium, high");
  }

  @ParameterizedTest
  @ValueSource(strings = {"style", "output_format", "background", "moderation", "ratio"})
  void aKnownStringFieldTheModelDoesNotSupportIsNamed(String field) {
    InvalidRequestException e = invalid(minimal().put(field, "vivid"));

    assertThat(e.param()).isEqualTo(field);
    assertThat(e.getMessage()).isEqualTo("demo-async does not support '" + field + "'");
  }

  @Test
  void editInputsAreRefusedForAModelThatDoesNotDeclareThem() {
    InvalidRequestException e = invalid(new JsonObject().put("model", "dall-e-3").put("prompt", "a fox")
        .put("image", "http://x"));

    assertThat(e.param()).isEqualTo("image");
    assertThat(e.getMessage()).isEqualTo("dall-e-3 does not support image input (edits)");
  }

  @Test
  void anImageInputTurnsTheRequestIntoAnEditForAModelThatAcceptsThem() {
    GenerationRequest request = parser.parse(minimal().put("image", "https://example.com/in.png"));

    assertThat(request.mode()).isEqualTo("edit");
  }

  @Test
  void otherKnownFieldsTheModelDoesNotSupportAreNamedToo() {
    assertThat(invalid(minimal().put("watermark", true)).getMessage())
        .isEqualTo("demo-async does not support 'watermark'");
    assertThat(invalid(minimal().put("output_compression", 50)).getMessage())
        .isEqualTo("demo-async does not support 'output_compression'");
  }

  @Test
  void anUnknownFieldIsRejectedAsAnUnknownParameter() {
    InvalidRequestException e = invalid(minimal().put("foo", "bar"));

    assertThat(e.param()).isEqualTo("foo");
    assertThat(e.getMessage()).isEqualTo("unknown parameter 'foo'");
  }

  @Test
  void nullValuedOptionalFieldsAreIgnored() {
    GenerationRequest request = parser.parse(body("""
        {"model": "demo-async", "prompt": "p", "n": null, "size": null, "quality": null, "response_format": null,
         "user": null, "stream": null, "seed": null, "style": null, "image": null, "foo": null}
        """));

    assertThat(request.n()).isEqualTo(1);
    assertThat(request.size()).isEqualTo("1024x1024");
    assertThat(request.quality()).isEqualTo("auto");
    assertThat(request.responseFormat()).isEqualTo("url");
    assertThat(request.mode()).isEqualTo("generation");
    assertThat(request.params()).isEmpty();
  }

  @Test
  void aSeedIsAcceptedAndKeptInTheParams() {
    GenerationRequest request = parser.parse(minimal().put("seed", 42));

    assertThat(request.params()).containsExactlyEntriesOf(Map.of("seed", 42L));
  }

  @Test
  void aSeedMustBeAnInteger() {
    InvalidRequestException e = invalid(minimal().put("seed", "42"));

    assertThat(e.param()).isEqualTo("seed");
    assertThat(e.getMessage()).isEqualTo("seed must be an integer");
  }

  @Test
  void aUserOfAtMost256CharactersIsKeptAndALongerOneIsRejected() {
    assertThat(parser.parse(minimal().put("user", "u".repeat(256))).params()).containsEntry("user", "u".repeat(256));

    InvalidRequestException e = invalid(minimal().put("user", "u".repeat(257)));

    assertThat(e.param()).isEqualTo("user");
    assertThat(e.getMessage()).isEqualTo("user must be at most 256 characters");
  }

  @Test
  void aPromptOfTheWrongTypeNamesTheField() {
    InvalidRequestException e = invalid(body("{\"model\":\"demo-async\",\"prompt\":5}"));

    assertThat(e.param()).isEqualTo("prompt");
    assertThat(e.getMessage()).isEqualTo("prompt must be a string");
  }

  @Test
  void aModelOfTheWrongTypeNamesTheField() {
    InvalidRequestException e = invalid(body("{\"model\":true,\"prompt\":\"p\"}"));

    assertThat(e.param()).isEqualTo("model");
    assertThat(e.getMessage()).isEqualTo("model must be a string");
  }

  @Test
  void otherFieldsOfTheWrongTypeNameTheField() {
    assertThat(invalid(minimal().put("size", 1024)).param()).isEqualTo("size");
    assertThat(invalid(minimal().put("quality", 1)).param()).isEqualTo("quality");
    assertThat(invalid(minimal().put("response_format", false)).param()).isEqualTo("response_format");
    assertThat(invalid(minimal().put("user", 7)).param()).isEqualTo("user");
  }

  @Test
  void aMaskIsKeptBesideTheImageForAModelThatTakesOne() {
    GenerationRequest request = parser.parse(minimal().put("image", "data:image/png;base64,AAAA")
        .put("mask", "data:image/png;base64,BBBB"));

    assertThat(request.mode()).isEqualTo("edit");
    assertThat(request.params()).containsEntry("mask", "data:image/png;base64,BBBB");
  }

  @Test
  void aMaskWithoutAnImageIsRefusedByName() {
    InvalidRequestException e = invalid(minimal().put("mask", "data:image/png;base64,BBBB"));

    assertThat(e.param()).isEqualTo("mask");
  }

  @Test
  void aMaskForAModelThatTakesNoneIsRefusedByName() {
    InvalidRequestException e = invalid(new JsonObject().put("model", "dall-e-3").put("prompt", "a fox")
        .put("mask", "data:image/png;base64,BBBB"));

    assertThat(e.param()).isEqualTo("mask");
    assertThat(e.getMessage()).contains("dall-e-3 does not support 'mask'");
  }

  @Test
  void aVariationHasNoPromptAndOneImage() {
    GenerationRequest request = parser.parseVariation(new JsonObject().put("model", "dall-e-2")
        .put("image", new io.vertx.core.json.JsonArray().add("data:image/png;base64,AAAA")).put("n", 3)
        .put("size", "512x512"));

    assertThat(request.mode()).isEqualTo("variation");
    assertThat(request.prompt()).isNull();
    assertThat(request.n()).isEqualTo(3);
    assertThat(request.size()).isEqualTo("512x512");
  }

  @Test
  void aVariationRefusesAPromptAModelWithoutVariationsAndASecondImage() {
    InvalidRequestException prompt = catchThrowableOfType(InvalidRequestException.class, () -> parser.parseVariation(
        new JsonObject().put("model", "dall-e-2").put("image", "data:image/png;base64,AAAA").put("prompt", "x")));
    InvalidRequestException model = catchThrowableOfType(InvalidRequestException.class, () -> parser.parseVariation(
        new JsonObject().put("model", "gpt-image-1").put("image", "data:image/png;base64,AAAA")));
    InvalidRequestException two = catchThrowableOfType(InvalidRequestException.class, () -> parser.parseVariation(
        new JsonObject().put("model", "demo").put("image", new io.vertx.core.json.JsonArray().add("a").add("b"))));

    assertThat(prompt.param()).isEqualTo("prompt");
    assertThat(model.param()).isEqualTo("model");
    assertThat(model.getMessage()).contains("does not support image variations");
    assertThat(two.param()).isEqualTo("image");
  }
}
