package dev.tilefarm.cli;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.BlobStoreException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Sending the user's files to the farm's bucket: a scene's files packed into one deterministic zip (or a
 * single file as it is), content-addressed, so the same scene is uploaded once; files of
 * {@value #MULTIPART_THRESHOLD} bytes or more go up by multipart upload with a progress bar. A failed upload
 * is an {@link UploadFailedException} naming the endpoint and the cause.
 */
final class Uploads {
  /** Largest scene the CLI uploads: a guard against pointing it at a home directory (workers expand 1 GiB at most). */
  static final long MAX_UPLOAD_BYTES = 512L << 20;
  /** Files from this size on go up in parts. */
  static final long MULTIPART_THRESHOLD = 16L << 20;
  static final int PART_SIZE = 8 << 20;

  private Uploads() {}

  /**
   * What goes to the farm for a scene.
   *
   * @param root the folder the files' paths in the archive are relative to
   * @param files the files, absolute, sorted
   * @param archive whether to pack them into a zip even when there is only one
   */
  record Pack(Path root, List<Path> files, boolean archive) {
    Pack {
      files = List.copyOf(files);
    }

    long bytes() throws IOException {
      long n = 0;
      for (Path f : files) {
        n += Files.size(f);
      }
      return n;
    }

    /** For the terminal: how many files, how many bytes, and which (the first few). */
    String describe() throws IOException {
      List<String> names = new ArrayList<>();
      for (Path f : files.subList(0, Math.min(files.size(), 8))) {
        names.add(root.relativize(f).toString());
      }
      return files.size() + (files.size() == 1 ? " file, " : " files, ") + size(bytes()) + " ("
          + String.join(", ", names) + (files.size() > 8 ? ", ..." : "") + ")";
    }
  }

  /** The files {@link SceneFiles} found. */
  static Pack of(SceneFiles scene, boolean archive) {
    return new Pack(scene.root(), new ArrayList<>(scene.files()), archive);
  }

  /** Every regular file under {@code dir} (links not followed). */
  static Pack wholeFolder(Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().forEach(files::add);
    }
    return new Pack(root, files, true);
  }

  /**
   * Uploads the pack, a single file as it is or else a zip, under scenes/SHA256.EXT in the farm's bucket, and
   * returns its URI; nothing is sent when the farm already has those bytes.
   */
  static S3Uri upload(BlobStore blobs, Pack pack, Progress progress) throws Main.UsageException, IOException,
      UploadFailedException {
    long bytes = pack.bytes();
    if (bytes > MAX_UPLOAD_BYTES) {
      throw new Main.UsageException("the scene's files add up to more than " + (MAX_UPLOAD_BYTES >> 20) + " MiB ("
          + pack.describe() + "); put the scene and its files in a folder of their own");
    }
    Path file;
    Path temp = null;
    String ext;
    if (pack.files().size() == 1 && !pack.archive()) {
      file = pack.files().get(0);
      ext = extension(file);
    } else {
      temp = Files.createTempFile("tilefarm-scene-", ".zip");
      zip(pack, temp);
      file = temp;
      ext = "zip";
    }
    try {
      S3Uri uri = new S3Uri(blobs.settings().bucket(), "scenes/" + Inputs.sha256(file) + "." + ext);
      progress.note("scene: " + pack.describe());
      put(blobs, uri, file, temp != null ? "the scene's zip" : file.getFileName().toString(),
          ext.equals("zip") ? "application/zip" : "application/octet-stream", progress);
      return uri;
    } finally {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Stores {@code file} at {@code uri} unless an object of its size is there (keys are content hashes). */
  static void put(BlobStore blobs, S3Uri uri, Path file, String contentType, Progress progress)
      throws IOException, UploadFailedException {
    put(blobs, uri, file, file.getFileName().toString(), contentType, progress);
  }

  /** As {@link #put(BlobStore, S3Uri, Path, String, Progress)}, naming the file {@code label} on the terminal. */
  static void put(BlobStore blobs, S3Uri uri, Path file, String label, String contentType, Progress progress)
      throws IOException, UploadFailedException {
    long size = Files.size(file);
    try {
      if (blobs.size(uri) == size) {
        progress.note("already in the farm: " + uri);
        return;
      }
      progress.note("uploading " + label + " (" + size(size) + ") to " + uri);
      if (size < MULTIPART_THRESHOLD) {
        blobs.putFile(uri, file, contentType);
      } else {
        blobs.putFileMultipart(uri, file, contentType, PART_SIZE, sent -> progress.bar(sent, size, "upload"));
        progress.clearBar();
      }
    } catch (BlobStoreException e) {
      progress.clearBar();
      throw UploadFailedException.of(blobs, uri, file, e);
    }
  }

  /** A deterministic zip of the pack (sorted entries, fixed times): the same files give the same bytes. */
  static void zip(Pack pack, Path out) throws IOException {
    try (OutputStream o = Files.newOutputStream(out); ZipOutputStream zip = new ZipOutputStream(o)) {
      for (Path f : pack.files()) {
        ZipEntry e = new ZipEntry(pack.root().relativize(f).toString().replace('\\', '/'));
        e.setTime(315532800000L); // 1980-01-01, the earliest zip time: entries must not carry the upload's clock
        zip.putNextEntry(e);
        Files.copy(f, zip);
        zip.closeEntry();
      }
    }
  }

  static String size(long bytes) {
    if (bytes < 10 << 10) {
      return bytes + " bytes";
    }
    if (bytes < 10 << 20) {
      return (bytes >> 10) + " KiB";
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  static String extension(Path p) {
    return SceneFiles.extension(p);
  }

  /**
   * An upload the object store refused or could not take: exit 3 when the store is unreachable or refuses the
   * credentials or the bucket (configuration), else 5; the message names the endpoint and the cause.
   */
  static final class UploadFailedException extends Main.CommandFailure {
    UploadFailedException(String message, int exitCode, Throwable cause) {
      super(message, exitCode, cause);
    }

    static UploadFailedException of(BlobStore blobs, S3Uri uri, Path file, BlobStoreException e) {
      String endpoint = blobs.settings().endpoint() == null ? "AWS S3" : blobs.settings().endpoint().toString();
      Throwable cause = e.getCause();
      boolean config = cause instanceof SdkClientException
          || cause instanceof S3Exception s
              && (s.statusCode() == 403 || s.statusCode() == 401 || s.statusCode() == 404);
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String why = root == e ? e.getMessage() : e.getMessage() + (e.getMessage().contains(String.valueOf(
          root.getMessage())) ? "" : " (" + root.getMessage() + ")");
      return new UploadFailedException("uploading " + file + " to " + uri + " at " + endpoint + " failed: " + why
          + (config ? " (check s3.endpoint, the credentials and s3.bucket)" : ""), config ? Main.ExitCodes.CONFIG
          : Main.ExitCodes.INTERNAL, e);
    }
  }
}
