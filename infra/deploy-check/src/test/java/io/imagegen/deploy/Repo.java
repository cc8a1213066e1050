package io.imagegen.deploy;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository this module checks, its files and the external tools (kubectl, promtool) the checks run. */
final class Repo {
  /** Shipped with the machine image (kubectl 1.32 with kustomize 5.5); Debian's kubernetes-client conflicts. */
  static final Path KUBECTL = Path.of("/usr/bin/kubectl");

  private static final Path ROOT = findRoot();

  private Repo() {
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static String read(String relative) {
    try {
      return Files.readString(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The concatenated Java sources under {@code module}/src/main/java. */
  static String mainSources(String module) {
    try (Stream<Path> files = Files.walk(path(module + "/src/main/java"))) {
      StringBuilder all = new StringBuilder();
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        all.append(Files.readString(file)).append('\n');
      }
      return all.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first group of {@code regex} in {@code text}, failing with {@code what} when it does not occur. */
  static String find(String text, String regex, String what) {
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      fail("cannot find " + what + " (pattern " + regex + ")");
    }
    return m.group(1);
  }

  /** Runs kubectl; fails (never skips) when it is missing, because CI must check the manifests. */
  static String kubectl(String... args) {
    if (!Files.isExecutable(KUBECTL)) {
      fail(KUBECTL + " is missing: these checks render deploy/k8s with kubectl's kustomize. The machine image "
          + "ships it and .ci/run verifies it; do not install Debian's kubernetes-client, which conflicts.");
    }
    List<String> command = new ArrayList<>(List.of(KUBECTL.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  /** Runs promtool; fails (never skips) when it is missing. */
  static String promtool(String... args) {
    Path promtool = onPath("promtool");
    if (promtool == null) {
      fail("promtool is not on the PATH: install Debian's prometheus package (apt-get install -y prometheus); "
          + ".ci/run does this before the build.");
    }
    List<String> command = new ArrayList<>(List.of(promtool.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  private static Path onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static String run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not finish in 2 minutes");
      }
      if (process.exitValue() != 0) {
        fail(String.join(" ", command) + " exited " + process.exitValue() + ":\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path findRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("deploy/k8s")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no repository root with deploy/k8s above " + Path.of("").toAbsolutePath());
  }
}
