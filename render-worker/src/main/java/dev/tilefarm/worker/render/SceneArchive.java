package dev.tilefarm.worker.render;

import dev.tilefarm.worker.render.path.AssetPaths;
import dev.tilefarm.worker.render.path.SceneAssetException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The files of a {@code .zip} or {@code .tar} archive a scene's assets came in, by normalised path. Archives
 * come from users, so reading them is guarded: entries that would land outside the archive's root
 * ({@code ../x}, absolute paths), links, more than {@value #MAX_ENTRIES} entries or more than
 * {@link #MAX_EXPANDED_BYTES} of expanded content (a zip bomb) refuse the whole archive, naming the fault.
 */
final class SceneArchive {
  static final int MAX_ENTRIES = 10_000;
  static final long MAX_EXPANDED_BYTES = 1L << 30;

  private final String name;
  private final Map<String, byte[]> files;

  private SceneArchive(String name, Map<String, byte[]> files) {
    this.name = name;
    this.files = Collections.unmodifiableMap(files);
  }

  /** @param name how the archive is referred to in errors (its URI) */
  static SceneArchive read(String name, byte[] bytes, boolean tar) {
    try {
      Set<String> folders = new HashSet<>();
      TreeMap<String, byte[]> files = tar ? untar(name, bytes, folders) : unzip(name, bytes, folders);
      noFileIsAFolder(name, files, folders);
      return new SceneArchive(name, files);
    } catch (IOException e) {
      throw new SceneAssetException(name, "is not a readable " + (tar ? "tar" : "zip") + " archive: "
          + e.getMessage(), e);
    }
  }

  /**
   * Refuses an archive in which a path is both a file and a folder (a file {@code a} beside {@code a/} or
   * {@code a/b}): it cannot be unpacked, and every worker would find that out alike.
   */
  private static void noFileIsAFolder(String name, TreeMap<String, byte[]> files, Set<String> folders) {
    for (String path : files.keySet()) {
      String below = files.ceilingKey(path + "/");
      if (folders.contains(path) || (below != null && below.startsWith(path + "/"))) {
        throw new SceneAssetException(name, "holds both a file '" + path + "' and a folder '" + path
            + "/'; a path can be only one of them");
      }
    }
  }

  /** The sorted paths of its files. */
  Map<String, byte[]> files() {
    return files;
  }

  byte[] read(String path) {
    byte[] b = files.get(path);
    if (b == null) {
      throw new SceneAssetException(path, "is not in the archive " + name);
    }
    return b;
  }

  long bytes() {
    long n = 0;
    for (byte[] b : files.values()) {
      n += b.length;
    }
    return n;
  }

  private static TreeMap<String, byte[]> unzip(String name, byte[] bytes, Set<String> folders) throws IOException {
    TreeMap<String, byte[]> out = new TreeMap<>();
    long total = 0;
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8)) {
      ZipEntry e;
      byte[] buf = new byte[64 * 1024];
      while ((e = zip.getNextEntry()) != null) {
        if (e.isDirectory()) {
          folders.add(folderPath(e.getName()));
          continue;
        }
        String path = entryPath(name, e.getName(), out.size());
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        int n;
        while ((n = zip.read(buf)) > 0) {
          total += n;
          if (total > MAX_EXPANDED_BYTES) {
            throw new SceneAssetException(name, "expands to more than " + (MAX_EXPANDED_BYTES >> 20) + " MiB");
          }
          content.write(buf, 0, n);
        }
        if (out.put(path, content.toByteArray()) != null) {
          throw new SceneAssetException(name, "holds '" + path + "' twice");
        }
      }
    }
    if (out.isEmpty()) {
      throw new SceneAssetException(name, "is empty or not a zip archive");
    }
    return out;
  }

  /** POSIX ustar (and GNU long names): regular files only; directories skipped; links refused. */
  private static TreeMap<String, byte[]> untar(String name, byte[] bytes, Set<String> folders) throws IOException {
    TreeMap<String, byte[]> out = new TreeMap<>();
    long total = 0;
    int p = 0;
    String longName = null;
    while (p + 512 <= bytes.length) {
      if (isZeroBlock(bytes, p)) {
        break;
      }
      if (!checksumOk(bytes, p)) {
        throw new IOException("bad header checksum at byte " + p);
      }
      String entry = text(bytes, p, 100);
      String prefix = text(bytes, p + 345, 155);
      if (!prefix.isEmpty() && "ustar".equals(text(bytes, p + 257, 5))) {
        entry = prefix + "/" + entry;
      }
      long size = octal(bytes, p + 124, 12);
      char type = (char) bytes[p + 156];
      int dataStart = p + 512;
      long padded = (size + 511) / 512 * 512;
      if (size < 0 || dataStart + size > bytes.length) {
        throw new IOException("entry '" + entry + "' runs past the end of the archive");
      }
      if (type == 'L') {
        longName = new String(bytes, dataStart, (int) Math.max(0, size - 1), StandardCharsets.UTF_8);
        p = (int) (dataStart + padded);
        continue;
      }
      if (longName != null) {
        entry = longName;
        longName = null;
      }
      if (type == '0' || type == 0 || type == '7') {
        total += size;
        if (total > MAX_EXPANDED_BYTES) {
          throw new SceneAssetException(name, "holds more than " + (MAX_EXPANDED_BYTES >> 20) + " MiB");
        }
        String path = entryPath(name, entry, out.size());
        byte[] content = java.util.Arrays.copyOfRange(bytes, dataStart, (int) (dataStart + size));
        if (out.put(path, content) != null) {
          throw new SceneAssetException(name, "holds '" + path + "' twice");
        }
      } else if (type == '5') {
        folders.add(folderPath(entry));
      } else if (type == '1' || type == '2') {
        throw new SceneAssetException(name, "holds a link ('" + entry + "'); links are not allowed in scene archives");
      } else if (type != '5' && type != 'x' && type != 'g') {
        throw new SceneAssetException(name, "holds '" + entry + "' of tar type '" + type
            + "'; only files and folders are allowed");
      }
      p = (int) (dataStart + padded);
    }
    if (out.isEmpty()) {
      throw new SceneAssetException(name, "is empty or not a tar archive");
    }
    return out;
  }

  /** A folder entry's path as its files' paths start ({@code ./a/} and {@code a/} are {@code a}). */
  private static String folderPath(String entry) {
    String p = entry;
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  private static String entryPath(String archive, String entry, int count) {
    if (count >= MAX_ENTRIES) {
      throw new SceneAssetException(archive, "holds more than " + MAX_ENTRIES + " files");
    }
    String e = entry.startsWith("./") ? entry.substring(2) : entry;
    if (e.startsWith("/") || e.contains("\\") || e.matches("^[A-Za-z]:.*")) {
      throw new SceneAssetException(archive, "entry '" + entry + "' is an absolute path");
    }
    try {
      return AssetPaths.normalize(e, entry);
    } catch (SceneAssetException x) {
      throw new SceneAssetException(archive, "entry '" + entry + "' is unsafe: it " + x.getMessage()
          .replaceFirst("^asset '.*?': ", ""));
    }
  }

  private static boolean isZeroBlock(byte[] b, int p) {
    for (int i = 0; i < 512; i++) {
      if (b[p + i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean checksumOk(byte[] b, int p) {
    long stored = octal(b, p + 148, 8);
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (b[p + i] & 0xff);
    }
    return stored == sum;
  }

  private static String text(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] b, int off, int len) {
    long v = 0;
    int i = off;
    while (i < off + len && (b[i] == ' ' || b[i] == 0)) {
      i++;
    }
    for (; i < off + len && b[i] >= '0' && b[i] <= '7'; i++) {
      v = v * 8 + (b[i] - '0');
    }
    return v;
  }
}
