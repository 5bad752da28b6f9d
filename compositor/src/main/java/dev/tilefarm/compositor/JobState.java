package dev.tilefarm.compositor;

/**
 * What the compositor remembers of a job, keyed by job id in its state store: {@link JobProgress} while
 * tiles come in, then {@link JobEnded} for as long as duplicates of its results may still arrive.
 * Metadata only: pixels stay in object storage.
 */
sealed interface JobState permits JobProgress, JobEnded {}
