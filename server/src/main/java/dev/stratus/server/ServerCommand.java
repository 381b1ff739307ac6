package dev.stratus.server;

import dev.stratus.core.config.EnvVar;
import java.util.List;

/** A server command: runs with the environment {@link ServerCli} read once and checked before it. */
interface ServerCommand {

    /** The variables this command honours, for its {@code --help}. */
    List<EnvVar> environment();

    int call(ServerEnvironment env) throws Exception;
}
