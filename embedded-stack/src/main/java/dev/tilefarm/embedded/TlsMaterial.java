package dev.tilefarm.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway certificate authority and a broker certificate it signed, for the embedded broker's TLS
 * listeners: {@code broker.p12} (the broker's key and chain) and {@code truststore.p12} (the CA alone, what
 * clients trust). Made once per directory with the JDK's own {@code keytool}, so no external tool and no
 * extra library is needed. The broker certificate names {@code 127.0.0.1} and {@code localhost}, so clients
 * keep hostname verification on.
 */
final class TlsMaterial {
  static final String KEYSTORE = "broker.p12";
  static final String TRUSTSTORE = "truststore.p12";

  private TlsMaterial() {}

  /** Makes the stores in {@code dir} unless they are already there. */
  static void ensure(Path dir, String password) throws IOException, InterruptedException {
    if (Files.isRegularFile(dir.resolve(KEYSTORE)) && Files.isRegularFile(dir.resolve(TRUSTSTORE))) {
      return;
    }
    Files.createDirectories(dir);
    // Half-made material from an interrupted run would fail keytool's "alias exists" checks.
    for (String f : List.of("ca.p12", KEYSTORE, TRUSTSTORE, "broker.csr", "broker.crt", "ca.crt")) {
      Files.deleteIfExists(dir.resolve(f));
    }
    String days = "3650";
    keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=tilefarm embedded CA", "-ext", "bc:c", "-validity", days,
        "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", password);
    keytool(dir, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-validity", days,
        "-keystore", KEYSTORE, "-storetype", "PKCS12", "-storepass", password);
    keytool(dir, "-certreq", "-alias", "broker", "-keystore", KEYSTORE, "-storepass", password,
        "-file", "broker.csr");
    keytool(dir, "-gencert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", password,
        "-infile", "broker.csr", "-outfile", "broker.crt", "-validity", days,
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext", "EKU=serverAuth,clientAuth");
    keytool(dir, "-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", password,
        "-rfc", "-file", "ca.crt");
    // The CA goes into the broker's store first so that the signed reply installs as a full chain.
    keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt",
        "-keystore", KEYSTORE, "-storepass", password);
    keytool(dir, "-importcert", "-alias", "broker", "-file", "broker.crt",
        "-keystore", KEYSTORE, "-storepass", password);
    // The trust store last: its presence marks the material complete.
    keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt",
        "-keystore", TRUSTSTORE, "-storetype", "PKCS12", "-storepass", password);
  }

  private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    Path jdk = Path.of(System.getProperty("java.home"), "bin", "keytool");
    command.add(Files.isExecutable(jdk) ? jdk.toString() : "keytool");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IOException("keytool " + args[0] + " in " + dir + " failed (exit " + rc + "): " + output);
    }
  }
}
