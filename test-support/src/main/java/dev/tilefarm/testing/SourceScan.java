package dev.tilefarm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Layering checks over a module's sources: which files name a text (a package) they should not. */
public final class SourceScan {
  private SourceScan() {}

  /**
   * The Java files under {@code sources} (subpackages included), relative to it, that contain {@code text}, less
   * those in {@code allowed} (relative paths such as {@code RenderWorker.java}). Fails if the folder holds no more
   * files than {@code allowed} names, so a wrong path cannot pass for a clean one.
   */
  public static List<String> naming(Path sources, String text, Set<String> allowed) {
    List<Path> files;
    try (Stream<Path> s = Files.walk(sources)) {
      files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (files.size() <= allowed.size()) {
      throw new AssertionError("no sources to check in " + sources.toAbsolutePath());
    }
    return files.stream()
        .map(p -> sources.relativize(p).toString())
        .filter(rel -> !allowed.contains(rel))
        .filter(rel -> read(sources.resolve(rel)).contains(text))
        .toList();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
