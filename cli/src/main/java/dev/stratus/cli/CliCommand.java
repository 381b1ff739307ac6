package dev.stratus.cli;

import dev.stratus.core.config.EnvVar;
import java.util.List;

/** A command of this CLI: runs with the environment {@link StratusCli} read once and checked before it. */
interface CliCommand {

    /** The variables this command honours, for its {@code --help}. */
    List<EnvVar> environment();

    int call(CliEnvironment env) throws Exception;
}
