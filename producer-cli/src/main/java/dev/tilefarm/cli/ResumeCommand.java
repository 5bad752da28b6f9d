package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobSchedule;
import picocli.CommandLine.Command;

@Command(name = "resume", mixinStandardHelpOptions = true,
    description = "Resume a paused job: its tiles go to the workers again, and its time limit is moved on by the "
        + "time it was paused. Prints the job's RESUMED event; prints SCHEDULE_REFUSED with the reason and "
        + "exits 1 at once if it changes nothing (the job is not paused, or has ended).")
final class ResumeCommand extends ScheduleCommand.JobOnly {
  ResumeCommand() {
    super(JobSchedule.Resume::new, JobEvent.Resumed.class);
  }
}
