package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobSchedule;
import picocli.CommandLine.Command;

@Command(name = "pause", mixinStandardHelpOptions = true,
    description = "Pause a running job: none of its pending tiles goes to the workers until it is resumed (tiles "
        + "already handed out finish), and its stall timeout and time limit stop. Prints the job's PAUSED event; "
        + "prints SCHEDULE_REFUSED with the reason and exits 1 at once if it changes nothing (the job has ended, "
        + "or is paused already). A job WAITING for others is paused at once and starts paused when released.")
final class PauseCommand extends ScheduleCommand.JobOnly {
  PauseCommand() {
    super(JobSchedule.Pause::new, JobEvent.Paused.class);
  }
}
