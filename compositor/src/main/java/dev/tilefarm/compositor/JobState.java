package dev.tilefarm.compositor;

/**
 * What the compositor remembers of a job, keyed by job id in its state store: {@link JobPlanned} from the
 * splitter's word that the job was accepted until its first tile is in, {@link JobProgress} while tiles come
 * in, {@link JobEncoding} while an animation's video is encoded, then {@link JobEnded} for as long as
 * duplicates of its results may still arrive.
 * Metadata only: pixels stay in object storage.
 */
sealed interface JobState permits JobPlanned, JobProgress, JobEnded, JobEncoding {}
