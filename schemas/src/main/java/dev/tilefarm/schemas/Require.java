package dev.tilefarm.schemas;

import java.util.Objects;

/**
 * The null checks of a record's (or a constructor's) required components, written once: each check names its
 * component, as {@link Objects#requireNonNull(Object, String)} does, so a missing one fails with a
 * {@link NullPointerException} whose message is the component's name.
 */
public final class Require {
  private Require() {}

  /**
   * Checks each value of {@code namesAndValues} (a component's name, then its value, and so on), in order: the
   * first null one is a {@link NullPointerException} with its name as the message.
   */
  public static void nonNull(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values come in pairs, got " + namesAndValues.length
          + " arguments");
    }
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (!(namesAndValues[i] instanceof String name)) {
        throw new IllegalArgumentException("argument " + i + " must be a component's name, got " + namesAndValues[i]);
      }
      Objects.requireNonNull(namesAndValues[i + 1], name);
    }
  }
}
