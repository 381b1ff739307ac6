package dev.stratus.cli;

import dev.stratus.core.config.EnvironmentCommandLine;

/** A command of this CLI: runs with the environment {@link StratusCli} read once and checked before it. */
interface CliCommand extends EnvironmentCommandLine.EnvCommand<CliEnvironment> {
}
