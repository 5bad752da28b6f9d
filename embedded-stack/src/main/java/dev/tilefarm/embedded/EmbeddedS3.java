package dev.tilefarm.embedded;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

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
    private static final long START_TIMEOUT_MS = 30_000;

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final URI endpoint;
    private final Path dataDir;
    private final String accessKey;
    private final String secretKey;
    private final String bucket;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private EmbeddedS3(S3Proxy proxy, BlobStoreContext context, URI endpoint, Path dataDir,
                       String accessKey, String secretKey, String bucket) {
        this.proxy = proxy;
        this.context = context;
        this.endpoint = endpoint;
        this.dataDir = dataDir;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.bucket = bucket;
    }

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
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);

        Properties overrides = new Properties();
        overrides.setProperty(FilesystemConstants.PROPERTY_BASEDIR, dir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                .overrides(overrides)
                .modules(List.of(new SLF4JLoggingModule()))
                .buildView(BlobStoreContext.class);
        S3Proxy proxy = null;
        try {
            BlobStore blobStore = context.getBlobStore();
            if (!blobStore.containerExists(bucket)) {
                blobStore.createContainerInLocation(null, bucket);
            }
            proxy = S3Proxy.builder()
                    .blobStore(blobStore)
                    .endpoint(URI.create("http://" + HOST + ":" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                    // The checksum header the AWS SDK sends where S3 requires one (DeleteObjects): without this
                    // S3Proxy answers 501 to it, and the compositor's janitor would delete tile by tile.
                    .ignoreUnknownHeaders(true)
                    .build();
            proxy.start();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
            while (!"STARTED".equals(proxy.getState())) {
                if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start, state " + proxy.getState());
                }
                Thread.sleep(10);
            }
            URI endpoint = URI.create("http://" + HOST + ":" + proxy.getPort());
            LOG.info("Embedded S3 started on {} (bucket {}, data {}) in {} ms", endpoint, bucket, dir,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return new EmbeddedS3(proxy, context, endpoint, dir, accessKey, secretKey, bucket);
        } catch (Throwable t) {
            if (proxy != null) {
                try {
                    proxy.stop();
                } catch (Exception e) {
                    t.addSuppressed(e);
                }
            }
            context.close();
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
