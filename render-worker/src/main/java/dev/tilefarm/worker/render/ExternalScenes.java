package dev.tilefarm.worker.render;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.render.path.SceneAssetException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The scene folders of external renderers' jobs: a job's scene file, or its archive unpacked (through
 * {@link SceneArchive}, which refuses entries that climb out of the archive, links, too many files and too
 * many bytes), in a scratch folder of its own, made once per job and kept for its later tiles. The last
 * {@code capacity} jobs' folders are kept; older ones are deleted.
 */
final class ExternalScenes implements AutoCloseable {
  /** A job's unpacked scene: its folder and the file to render. */
  record Unpacked(Path dir, Path main) {}

  private final Path root;
  private final int capacity;
  private final Function<S3Uri, byte[]> fetch;
  private final Map<String, CompletableFuture<Unpacked>> jobs = new LinkedHashMap<>(16, 0.75f, true);

  ExternalScenes(Path root, int capacity, Function<S3Uri, byte[]> fetch) {
    this.root = root;
    this.capacity = capacity;
    this.fetch = fetch;
  }

  /** The scratch root of tiles' work folders. */
  Path root() {
    return root;
  }

  /** The job's scene folder, unpacked by this call if no other has. */
  Unpacked get(String jobId, S3Uri file, String main, String extension) throws TileFailedException {
    CompletableFuture<Unpacked> mine = new CompletableFuture<>();
    CompletableFuture<Unpacked> existing;
    List<CompletableFuture<Unpacked>> evicted = new ArrayList<>();
    synchronized (jobs) {
      existing = jobs.putIfAbsent(jobId, mine);
      Iterator<Map.Entry<String, CompletableFuture<Unpacked>>> it = jobs.entrySet().iterator();
      while (jobs.size() > capacity && it.hasNext()) {
        Map.Entry<String, CompletableFuture<Unpacked>> e = it.next();
        if (!e.getKey().equals(jobId)) {
          evicted.add(e.getValue());
          it.remove();
        }
      }
    }
    for (CompletableFuture<Unpacked> f : evicted) {
      // Tiles still rendering from an evicted folder keep their open files; new ones unpack it again.
      f.thenAccept(u -> delete(u.dir().getParent()));
    }
    if (existing != null) {
      try {
        return existing.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TileFailedException t) {
          throw new TileFailedException(t.getMessage(), t);
        }
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the scene of job " + jobId, e);
      }
    }
    try {
      Unpacked u = unpack(jobId, file, main, extension);
      mine.complete(u);
      return u;
    } catch (TileFailedException | RuntimeException e) {
      synchronized (jobs) {
        jobs.remove(jobId, mine);
      }
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private Unpacked unpack(String jobId, S3Uri file, String main, String extension) throws TileFailedException {
    byte[] bytes;
    try {
      bytes = fetch.apply(file);
    } catch (BlobNotFoundException e) {
      throw new TileFailedException("scene " + file + " does not exist", e);
    } catch (SceneAssetException e) {
      throw new TileFailedException("scene " + e.getMessage(), e);
    }
    String ext = file.extension().toLowerCase(Locale.ROOT);
    try {
      Files.createDirectories(root);
      Path jobDir = Files.createTempDirectory(root, safe(jobId) + "-");
      Path dir = Files.createDirectory(jobDir.resolve("scene"));
      if (!ext.equals("zip") && !ext.equals("tar")) {
        String name = file.key().substring(file.key().lastIndexOf('/') + 1);
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return new Unpacked(dir, p);
      }
      SceneArchive archive;
      try {
        archive = SceneArchive.read(file.toString(), bytes, ext.equals("tar"));
      } catch (SceneAssetException e) {
        throw new TileFailedException("scene archive " + e.getMessage(), e);
      }
      for (Map.Entry<String, byte[]> e : archive.files().entrySet()) {
        Path p = dir.resolve(e.getKey()).normalize();
        if (!p.startsWith(dir)) {
          throw new TileFailedException("scene archive " + file + " entry '" + e.getKey() + "' lies outside it");
        }
        Files.createDirectories(p.getParent());
        Files.write(p, e.getValue());
      }
      return new Unpacked(dir, main(file, archive, dir, main, extension));
    } catch (IOException e) {
      throw new UncheckedIOException("unpacking the scene of job " + jobId + " into " + root, e);
    }
  }

  private static Path main(S3Uri file, SceneArchive archive, Path dir, String main, String extension)
      throws TileFailedException {
    if (main != null) {
      if (!archive.files().containsKey(main)) {
        throw new TileFailedException("scene archive " + file + " has no '" + main + "' (scene.main)");
      }
      return dir.resolve(main);
    }
    List<String> candidates = archive.files().keySet().stream()
        .filter(p -> !p.contains("/") && p.toLowerCase(Locale.ROOT).endsWith("." + extension)).toList();
    if (candidates.size() != 1) {
      throw new TileFailedException("scene archive " + file + " must hold exactly one ." + extension
          + " file at its root, or the job must name one in scene.main; it holds "
          + (candidates.isEmpty() ? "none" : String.join(", ", candidates)));
    }
    return dir.resolve(candidates.get(0));
  }

  private static String safe(String jobId) {
    return jobId.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Scratch space: what cannot be deleted now goes with the worker's temporary folder.
    }
  }

  @Override
  public void close() {
    synchronized (jobs) {
      jobs.values().forEach(f -> f.thenAccept(u -> delete(u.dir().getParent())));
      jobs.clear();
    }
  }
}
