package dev.stratus.training;

import dev.stratus.core.config.EnvVar;
import dev.stratus.core.mnist.MnistSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code train} takes from the environment, read once in {@link TrainCommand} and validated
 * here. Flags win over these.
 *
 * @param mnist       where the MNIST files are and where they come from
 * @param djlCache    where DJL unpacks PyTorch, passed on to Spark executors
 * @param sparkSecret the shared secret of a Spark cluster that authenticates, if any
 */
public record TrainingEnvironment(MnistSource mnist, Path djlCache, Optional<String> sparkSecret) {
    public static final EnvVar DJL_CACHE = new EnvVar("DJL_CACHE_DIR",
            "Where DJL unpacks PyTorch (DJL reads it in this JVM; Spark executors are given the same).",
            "~/.cache/stratus/djl");
    public static final EnvVar SPARK_LOCAL_IP = new EnvVar("SPARK_LOCAL_IP",
            "Address the Spark driver binds (read by Spark itself).", "127.0.0.1 under ./stratus, else Spark's choice");
    public static final EnvVar SPARK_SECRET = new EnvVar("STRATUS_SPARK_SECRET",
            "With --spark: the cluster's shared secret; turns spark.authenticate on. Kept off the command line, where "
                    + "every user of the machine could read it.", "none (no authentication)");
    public static final List<EnvVar> VARIABLES = List.of(MnistSource.DATA, MnistSource.MIRROR, DJL_CACHE, SPARK_LOCAL_IP,
            SPARK_SECRET);

    public TrainingEnvironment {
        if (mnist == null || djlCache == null || sparkSecret == null) {
            throw new IllegalArgumentException("the MNIST source and the DJL cache must be set");
        }
    }

    public static TrainingEnvironment from(Map<String, String> env) {
        Path djlCache = DJL_CACHE.path(env);
        return new TrainingEnvironment(MnistSource.from(env), djlCache != null ? djlCache
                : Path.of(System.getProperty("user.home"), ".cache", "stratus", "djl"),
                SPARK_SECRET.read(env).filter(secret -> !secret.isBlank()));
    }

    /** Never the secret itself. */
    @Override
    public String toString() {
        return "TrainingEnvironment[" + mnist + ", " + djlCache + ", spark secret " + (sparkSecret.isPresent() ? "set" : "unset")
                + "]";
    }
}
