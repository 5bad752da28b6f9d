package dev.tilefarm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * A command that works with the farm: it takes the options saying where the farm is ({@link FarmOptions}), as
 * jbang's commands take their shared options from one base. A subclass declares its own options and does its
 * work in {@link #call}, returning the exit code.
 */
abstract class FarmCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;
}
