package io.imagegen.local;

import com.microsoft.playwright.Page;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Saves the browser page as {@code target/playwright/<Class>.<method>.png} when a test fails, before any
 * {@code @AfterEach} closes it.
 */
final class ScreenshotOnFailure implements AfterTestExecutionCallback {
  /** A test instance with a page to photograph. */
  interface HasPage {
    Page page();
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    if (context.getExecutionException().isEmpty()
        || !(context.getRequiredTestInstance() instanceof HasPage test) || test.page() == null) {
      return;
    }
    Path file = Path.of("target", "playwright",
        context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName() + ".png");
    try {
      test.page().screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
      System.err.println("screenshot of the failed page: " + file.toAbsolutePath());
    } catch (RuntimeException e) {
      // The failure itself is what matters; a page that cannot be photographed must not hide it.
      context.getExecutionException().get().addSuppressed(e);
    }
  }
}
