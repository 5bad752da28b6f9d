package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "priority", mixinStandardHelpOptions = true,
    description = "Change a running job's priority (0 to 100, higher first; jobs start at 50 unless they say): its "
        + "tiles not yet handed out go before those of lower priorities. Prints the job's PRIORITY event; prints "
        + "SCHEDULE_REFUSED with the reason and exits 1 at once if it changes nothing (the job has ended, or has that "
        + "priority already). A job WAITING for others starts with the new priority when released.")
final class PriorityCommand extends ScheduleCommand {
  @Parameters(index = "1", paramLabel = "PRIORITY", description = "the new priority, 0 to 100")
  int priority;

  @Override
  void check() throws Main.UsageException {
    if (priority < JobSchedule.MIN_PRIORITY || priority > JobSchedule.MAX_PRIORITY) {
      throw new Main.UsageException("PRIORITY must be from " + JobSchedule.MIN_PRIORITY + " to "
          + JobSchedule.MAX_PRIORITY + ", got " + priority);
    }
  }

  @Override
  JobSchedule request() {
    return new JobSchedule.Reprioritize(jobId, priority);
  }

  @Override
  boolean answers(JobEvent e) {
    return e instanceof JobEvent.Prioritized p && p.priority() == priority;
  }
}
