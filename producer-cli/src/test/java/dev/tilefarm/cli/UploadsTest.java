package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.S3Settings;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadsTest {
  @Test
  void anUnreachableStoreIsAMessageNamingTheEndpointAndExit3(@TempDir Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Path file = Files.writeString(dir.resolve("photo.png"), "not really a png");
    S3Settings settings = new S3Settings(URI.create("http://127.0.0.1:" + port), "us-east-1", "k", "s", true, "tilefarm");
    try (BlobStore blobs = BlobStore.connect(settings)) {
      Uploads.UploadFailedException e = assertThrows(Uploads.UploadFailedException.class, () -> Uploads.put(blobs,
          new S3Uri("tilefarm", "uploads/x.png"), file, "image/png",
          new Progress(new PrintStream(java.io.OutputStream.nullOutputStream()), false, true)));
      assertEquals(Main.ExitCodes.CONFIG, e.exitCode());
      assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("photo.png"), e.getMessage());
    }
  }

  @Test
  void aPackSaysHowManyFilesAndBytes(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.pov"), "x".repeat(100));
    Files.createDirectories(dir.resolve("inc"));
    Files.writeString(dir.resolve("inc/b.inc"), "y".repeat(20));
    Uploads.Pack pack = Uploads.wholeFolder(dir);
    assertEquals("2 files, 120 bytes (a.pov, inc/b.inc)", pack.describe().replace('\\', '/'));
  }
}
