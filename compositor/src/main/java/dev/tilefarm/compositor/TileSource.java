package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;

/**
 * Where the assembler reads stored tiles from. The production source is {@code BlobStore::get}.
 *
 * <p>Contract: returns the whole object (a {@code TileCodec} tile). A missing object is a
 * {@link dev.tilefarm.store.BlobNotFoundException}; any other storage failure is a
 * {@link dev.tilefarm.store.BlobStoreException} whose {@code transientFault()} tells whether a retry may help.
 * Implementations are called from several threads at once.
 */
@FunctionalInterface
interface TileSource {
  byte[] read(S3Uri tile);
}
