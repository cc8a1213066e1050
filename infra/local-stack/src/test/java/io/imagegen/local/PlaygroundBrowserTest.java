package io.imagegen.local;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground page (docs/api.md#playground) in a real headless Chromium (Debian's, driven by Playwright) against
 * the embedded stack. Each scenario has its own key, so histories do not mix.
 */
@ExtendWith(ScreenshotOnFailure.class)
class PlaygroundBrowserTest implements ScreenshotOnFailure.HasPage {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final String SUBMIT_KEY = "sk-pg-submit";
  private static final String SIZE_KEY = "sk-pg-size";
  private static final String CANCEL_KEY = "sk-pg-cancel";
  private static final String HISTORY_KEY = "sk-pg-history";
  /** A first task also waits for the worker to join its group. */
  private static final LocatorAssertions.HasAttributeOptions TASK_END =
      new LocatorAssertions.HasAttributeOptions().setTimeout(60_000);
  /** The README's picture, refreshed by every run of the submit scenario (docs/api.md#playground). */
  static final Path SCREENSHOT = Path.of("target", "playwright", "playground.png");

  @TempDir
  static Path data;
  static LocalStack stack;
  static Playwright playwright;
  static Browser browser;
  private BrowserContext context;
  private Page page;

  @BeforeAll
  static void startStackAndBrowser() throws Exception {
    // Missing Chromium fails the suite rather than skipping it: .ci/run installs Debian's package.
    Assertions.assertThat(Files.isExecutable(CHROMIUM)).as("%s is missing: apt-get install chromium", CHROMIUM)
        .isTrue();
    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM)
        .setHeadless(true));
    PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
    String unique = UUID.randomUUID().toString().substring(0, 8);
    stack = LocalStack.start(LocalStack.Options.defaults(data).withEnv(Map.of(
        "IMAGEGEN_API_KEYS", "submit=" + SUBMIT_KEY + ",size=" + SIZE_KEY + ",cancel=" + CANCEL_KEY
            + ",history=" + HISTORY_KEY,
        "IMAGEGEN_KAFKA_JOBS_TOPIC", "pg-jobs-" + unique,
        "IMAGEGEN_S3_BUCKET", "pg-" + unique,
        // Long enough to see RUNNING, short enough to keep the class fast.
        "IMAGEGEN_DEMO_LATENCY", "500ms")));
  }

  @AfterAll
  static void stopStackAndBrowser() {
    if (playwright != null) {
      playwright.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @BeforeEach
  void openContext() {
    context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1200, 820));
    page = context.newPage();
  }

  @AfterEach
  void closeContext() {
    context.close();
  }

  @Override
  public Page page() {
    return page;
  }

  @Test
  void aDemoAsyncSubmissionShowsTheLoadedImageAndSucceeded() throws Exception {
    List<String> refusedByPolicy = new ArrayList<>();
    page.onConsoleMessage(message -> {
      if (message.text().contains("Content Security Policy")) {
        refusedByPolicy.add(message.text());
      }
    });
    openWithKey(SUBMIT_KEY);
    chooseDemoAsync();
    page.fill("#p-size", "768x512");
    page.fill("#prompt", "a lighthouse at dusk, oil on canvas");
    Request submitted = page.waitForRequest(request -> request.method().equals("POST")
        && request.url().endsWith("/v1/images/generations"), () -> page.press("#prompt", "Enter"));

    Assertions.assertThat(submitted.headerValue("Idempotency-Key")).startsWith("pg-");
    Assertions.assertThat(submitted.headerValue("Authorization")).isEqualTo("Bearer " + SUBMIT_KEY);
    assertThat(page.locator("#task")).hasAttribute("data-status", "SUCCEEDED", TASK_END);
    page.waitForFunction("() => { const img = document.querySelector('#task .images img');"
        + " return img !== null && img.complete && img.naturalWidth > 0; }");
    Assertions.assertThat(page.evalOnSelector("#task .images img", "img => img.naturalWidth")).isEqualTo(768);
    assertThat(page.locator("#task .facts")).containsText("Cost");
    assertThat(page.locator("#task-status")).hasText("SUCCEEDED");
    assertThat(page.locator("#image-list li")).hasCount(1);
    // History thumbnails load lazily: bring the first into view so the picture shows it.
    page.locator("#image-list img").first().scrollIntoViewIfNeeded();
    page.waitForFunction("() => document.querySelector('#image-list img').naturalWidth > 0");
    page.locator("#prompt").blur();
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOT).setFullPage(true));
    Assertions.assertThat(refusedByPolicy).isEmpty();
  }

  @Test
  void aBadSizeShowsTheApisOwnMessageNextToTheSizeField() throws Exception {
    String expected = new ApiClient(stack.apiBase()).post("/v1/images/generations", SIZE_KEY,
            "{\"model\":\"demo-async\",\"prompt\":\"a fox\",\"size\":\"1024×1024\"}")
        .json().getJsonObject("error").getString("message");
    openWithKey(SIZE_KEY);
    chooseDemoAsync();
    page.fill("#p-size", "1024×1024");
    page.fill("#prompt", "a fox");
    page.click("#submit");

    Locator sizeError = page.locator(".field[data-param=size] .field-error");
    assertThat(sizeError).isVisible();
    assertThat(sizeError).hasText(expected);
    assertThat(page.locator("#p-size")).hasAttribute("aria-invalid", "");
    assertThat(page.locator("#form-error")).isHidden();
  }

  @Test
  void cancellingASlowTaskShowsCancelledWithTheApisMessage() throws Exception {
    openWithKey(CANCEL_KEY);
    chooseDemoAsync();
    page.fill("#prompt", "#slow a patient fox");
    page.click("#submit");
    assertThat(page.locator("#task")).hasAttribute("data-status", "RUNNING", TASK_END);
    assertThat(page.locator("#task-detail")).containsText("Running for");

    page.click("#cancel");

    assertThat(page.locator("#task")).hasAttribute("data-status", "CANCELLED");
    assertThat(page.locator("#cancel")).hasCount(0);
    String taskId = page.locator("#task").getAttribute("data-task-id");
    String message = new ApiClient(stack.apiBase()).get("/v1/images/generations/" + taskId, CANCEL_KEY)
        .json().getJsonObject("error").getString("message");
    assertThat(page.locator("#task .task-error").first()).containsText(message);
  }

  @Test
  void aWrongKeyShowsIncorrectApiKeyAtTheKeyField() {
    openWithKey("sk-not-a-key");

    assertThat(page.locator(".field[data-param=api-key] .field-error")).containsText("Incorrect API key");
  }

  @Test
  void aDoubleClickMakesOneTaskAndAReloadKeepsTheHistory() throws Exception {
    openWithKey(HISTORY_KEY);
    chooseDemoAsync();
    page.fill("#p-size", "256x256");
    page.fill("#prompt", "a keepsake");
    page.dblclick("#submit");
    assertThat(page.locator("#task")).hasAttribute("data-status", "SUCCEEDED", TASK_END);
    Locator items = page.locator("#image-list li");
    assertThat(items).hasCount(1);
    // A second task from the second click would finish within a demo latency or two: none may appear.
    ApiClient api = new ApiClient(stack.apiBase());
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
        api.get("/v1/images", HISTORY_KEY).json().getJsonArray("data").size() == 1);
    String imageId = items.first().getAttribute("data-image-id");

    page.reload();

    assertThat(page.locator("#api-key")).hasValue(HISTORY_KEY);
    Locator kept = page.locator("#image-list li[data-image-id='" + imageId + "']");
    assertThat(kept).isVisible();
    kept.locator("button.danger").click();
    assertThat(items).hasCount(0);
    page.reload();
    assertThat(page.locator("#history-empty")).isVisible();
    assertThat(items).hasCount(0);
  }

  @Test
  void onAPhoneSizedScreenNothingScrollsSideways() {
    page.setViewportSize(375, 740);
    openWithKey(SUBMIT_KEY);
    chooseDemoAsync();

    Assertions.assertThat(page.evaluate("() => document.documentElement.scrollWidth")).isEqualTo(375);
  }

  @Test
  void thePageIsServedWithoutAKeyWithStrictSecurityHeaders() throws Exception {
    ApiClient api = new ApiClient(stack.apiBase());
    ApiClient.Response root = api.get("/", null);
    HttpResponse<String> playground = api.get("/playground", null).raw();

    Assertions.assertThat(root.status()).isEqualTo(200);
    Assertions.assertThat(root.body()).contains("<script type=\"module\" src=\"/playground/app.js\">");
    Assertions.assertThat(root.raw().headers().firstValue("Content-Security-Policy")).get().asString()
        .contains("script-src 'self'").contains("connect-src 'self'").doesNotContain("unsafe-inline");
    Assertions.assertThat(root.raw().headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    Assertions.assertThat(root.raw().headers().firstValue("Referrer-Policy")).contains("no-referrer");
    Assertions.assertThat(playground.statusCode()).isEqualTo(302);
    Assertions.assertThat(playground.headers().firstValue("Location")).contains("/");
    Assertions.assertThat(api.get("/playground/app.js", null).raw().headers().firstValue("Content-Type")).get()
        .asString().contains("javascript");
  }

  private void openWithKey(String key) {
    page.navigate(stack.apiBase().resolve("/").toString());
    page.fill("#api-key", key);
    page.press("#api-key", "Enter");
  }

  private void chooseDemoAsync() {
    page.selectOption("#model", "demo-async");
    assertThat(page.locator("#params[data-model='demo-async'] #p-size")).isVisible();
  }
}
