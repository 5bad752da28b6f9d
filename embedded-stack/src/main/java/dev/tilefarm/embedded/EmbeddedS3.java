package dev.tilefarm.embedded;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.reference.FilesystemConstants;
import org.jclouds.logging.slf4j.config.SLF4JLoggingModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, in-process S3-compatible server: S3Proxy on 127.0.0.1 over the jclouds {@code filesystem} blob store.
 *
 * <p>Each bucket is a directory under {@code dataDir} and each object a file in it, so objects survive a restart on
 * the same directory. Requests must be signed (AWS signature V2 or V4) with the given access and secret key; any
 * region is accepted, {@link #region()} is the one clients should use.
 *
 * <p>Note for AWS SDK v2 (2.30+) clients: set {@code requestChecksumCalculation(WHEN_REQUIRED)} and
 * {@code responseChecksumValidation(WHEN_REQUIRED)} and {@code forcePathStyle(true)}, otherwise S3Proxy refuses
 * the SDK's default CRC32 trailing-checksum uploads (400: the content sha256 does not match; it ignores the
 * checksum headers themselves, so that DeleteObjects, which must carry one, is taken).
 */
public final class EmbeddedS3 implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);

    static final String HOST = "127.0.0.1";
    static final String REGION = "us-east-1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dataDir;
    private final String accessKey;
    private final String secretKey;
    private final String bucket;
    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final URI endpoint;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Starts S3Proxy on 127.0.0.1 with the jclouds "filesystem" backend storing under {@code dataDir}.
     *
     * @param dataDir   directory holding the buckets (created if missing)
     * @param port      HTTP port; 0 picks a free port
     * @param accessKey access key clients must sign with
     * @param secretKey secret key clients must sign with
     * @param bucket    bucket created if missing
     */
    public static EmbeddedS3 start(Path dataDir, int port, String accessKey, String secretKey, String bucket)
            throws Exception {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(bucket, "bucket");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        long t0 = System.nanoTime();
        EmbeddedS3 s3 = new EmbeddedS3(dataDir.toAbsolutePath().normalize(), port, accessKey, secretKey, bucket);
        LOG.info("Embedded S3 started on {} (bucket {}, data {}) in {} ms", s3.endpoint, bucket, s3.dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return s3;
    }

    /** Opens the blob store under {@code dataDir} and serves it; releases the store again if serving fails. */
    private EmbeddedS3(Path dataDir, int port, String accessKey, String secretKey, String bucket) throws Exception {
        this.dataDir = dataDir;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.bucket = bucket;
        Files.createDirectories(dataDir);
        Properties overrides = new Properties();
        overrides.setProperty(FilesystemConstants.PROPERTY_BASEDIR, dataDir.toString());
        context = ContextBuilder.newBuilder("filesystem")
                .overrides(overrides)
                .modules(List.of(new SLF4JLoggingModule()))
                .buildView(BlobStoreContext.class);
        try {
            proxy = serve(context.getBlobStore(), port, accessKey, secretKey, bucket);
        } catch (Throwable t) {
            context.close();
            throw t;
        }
        endpoint = URI.create("http://" + HOST + ":" + proxy.getPort());
    }

    /**
     * S3Proxy serving {@code store} (with {@code bucket} in it) on {@code port}, started; stopped again if it does
     * not start within {@link #START_TIMEOUT}.
     */
    private static S3Proxy serve(BlobStore store, int port, String accessKey, String secretKey, String bucket)
            throws Exception {
        if (!store.containerExists(bucket)) {
            store.createContainerInLocation(null, bucket);
        }
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://" + HOST + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                // The checksum header the AWS SDK sends where S3 requires one (DeleteObjects): without this
                // S3Proxy answers 501 to it, and the compositor's janitor would delete tile by tile.
                .ignoreUnknownHeaders(true)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!"STARTED".equals(proxy.getState())) {
                if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start, state " + proxy.getState());
                }
                Thread.sleep(10);
            }
            return proxy;
        } catch (Throwable t) {
            try {
                proxy.stop();
            } catch (Exception e) {
                t.addSuppressed(e);
            }
            throw t;
        }
    }

    /** The HTTP endpoint, {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The bucket created (if missing) at start. */
    public String bucket() {
        return bucket;
    }

    /** The region clients should use: {@code us-east-1}. */
    public String region() {
        return REGION;
    }

    /** Stops the HTTP server and releases the blob store. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            LOG.warn("Error while stopping embedded S3 on {}", endpoint, e);
        } finally {
            context.close();
        }
        LOG.info("Embedded S3 on {} (data {}) stopped", endpoint, dataDir);
    }

    @Override
    public String toString() {
        return "EmbeddedS3[" + endpoint + ", bucket " + bucket + ", " + dataDir + "]";
    }
}
