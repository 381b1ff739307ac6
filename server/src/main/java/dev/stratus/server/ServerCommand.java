package dev.stratus.server;

import dev.stratus.core.config.EnvironmentCommandLine;

/** A server command: runs with the environment {@link ServerCli} read once and checked before it. */
interface ServerCommand extends EnvironmentCommandLine.EnvCommand<ServerEnvironment> {
}
