package dev.tilefarm.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code --timeout SECONDS} as picocli reads it ({@link WaitTimeout}, {@link RunTimeout}): whole seconds, 0 for no
 * limit; anything else is refused with the command line, before the command does anything (exit 2).
 */
final class TimeoutSeconds implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    long seconds;
    try {
      seconds = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a whole number of seconds");
    }
    if (seconds < 0) {
      throw new TypeConversionException("must be 0 (never) or more, got " + seconds);
    }
    return Duration.ofSeconds(seconds);
  }
}
