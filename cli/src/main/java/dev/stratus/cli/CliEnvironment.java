package dev.stratus.cli;

import dev.stratus.core.config.EnvVar;
import dev.stratus.core.mnist.MnistSource;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code evaluate} and {@code bench} take from the environment, read once in {@link StratusCli}
 * and validated here. Flags win over these.
 *
 * @param model     a model directory, or null for the shipped model
 * @param mnist     where the MNIST files are and where they come from
 * @param accessLog the access log level of the server {@code bench serve} starts
 * @param registry  the model registry directory, or null for the default
 */
record CliEnvironment(Path model, MnistSource mnist, String accessLog, Path registry) {
    static final EnvVar ACCESS_LOG = new EnvVar("STRATUS_ACCESS_LOG",
            "Access log level of the server 'bench serve' starts (a log line per request measures the logger).",
            "OFF");

    static final List<EnvVar> EVALUATE = List.of(Model.VARIABLE);
    static final List<EnvVar> BENCH_MODEL = List.of(Model.VARIABLE, MnistSource.DATA, MnistSource.MIRROR);
    static final List<EnvVar> NUMBERS = List.of(MnistSource.DATA, MnistSource.MIRROR);
    static final List<EnvVar> BENCH_SERVE = List.of(MnistSource.DATA, ACCESS_LOG);
    static final List<EnvVar> MODELS = List.of(ModelRegistry.VARIABLE, MnistSource.DATA, MnistSource.MIRROR);

    CliEnvironment {
        if (mnist == null || accessLog == null) {
            throw new IllegalArgumentException("the MNIST source and the access log level must be set");
        }
    }

    static CliEnvironment from(Map<String, String> env) {
        return new CliEnvironment(Model.VARIABLE.path(env), MnistSource.from(env),
                ACCESS_LOG.text(env, ACCESS_LOG.byDefault()), ModelRegistry.VARIABLE.path(env));
    }
}
