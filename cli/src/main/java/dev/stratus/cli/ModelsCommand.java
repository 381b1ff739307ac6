package dev.stratus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stratus.core.config.EnvVar;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.model.ModelCard;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.core.model.registry.RegistryState;
import dev.stratus.core.model.registry.SmokeTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code stratus models}: the model registry from the command line. Gateways and workers started
 * with the same registry follow what these commands change (docs/models.md).
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Show.class, ModelsCommand.Add.class,
                ModelsCommand.Promote.class, ModelsCommand.Rollback.class, ModelsCommand.Retire.class,
                ModelsCommand.Canary.class, ModelsCommand.Shadow.class},
        description = "Versioned models: list, show, add, promote, rollback, retire, canary, shadow.")
final class ModelsCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this),
                "name a sub-command: models list|show|add|promote|rollback|retire|canary|shadow");
    }

    /** The registry flag every sub-command takes. */
    static final class RegistryOption {
        @Option(names = "--registry", description = "Registry directory (else $STRATUS_MODELS, else ~/.local/share/stratus/models).")
        Path registry;

        ModelRegistry open(CliEnvironment env) throws IOException {
            return ModelRegistry.open(ModelRegistry.directory(registry, env.registry()));
        }
    }

    /** A sub-command over the registry; prints to the command's own stream. */
    abstract static class RegistryCommand implements CliCommand {
        @Mixin
        RegistryOption registry;

        @Spec
        CommandSpec spec;

        @Override
        public List<EnvVar> environment() {
            return CliEnvironment.MODELS;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        static void requireVersionOrOff(String version, boolean off) {
            if (off == (version != null)) {
                throw new IllegalArgumentException("name a VERSION or give --off, not both or neither");
            }
        }

        void printState(RegistryState state) {
            out().printf("active %s%s%s%s%n", state.active(),
                    state.previous() == null ? "" : ", rollback to " + state.previous(),
                    state.canary() == null ? "" : String.format(Locale.ROOT, ", canary %s at %.1f %%",
                            state.canary().version(), 100 * state.canary().share()),
                    state.shadow() == null ? "" : ", shadow " + state.shadow());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every version, oldest first, with its role.")
    static final class ListVersions extends RegistryCommand {
        @Override
        public int call(CliEnvironment env) throws IOException {
            ModelRegistry models = registry.open(env);
            out().printf("%-34s %-9s %-20s %9s %11s%n", "VERSION", "ROLE", "CREATED", "TEST ACC", "PARAMETERS");
            for (ModelRegistry.Entry e : models.list()) {
                ModelCard card = e.card();
                out().printf(Locale.ROOT, "%-34s %-9s %-20s %9s %11s%n", e.version(), e.role().name().toLowerCase(Locale.ROOT),
                        card.createdAt() == null ? "-" : card.createdAt().replace('T', ' ').substring(0, Math.min(19, card.createdAt().length())),
                        card.test() == null ? "-" : String.format(Locale.ROOT, "%.2f %%", 100 * card.test().accuracy()),
                        card.architecture() == null ? "-" : String.format(Locale.ROOT, "%,d", card.architecture().parameters()));
            }
            printState(models.state());
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One version: its card, role and history.")
    static final class Show extends RegistryCommand {
        @Parameters(paramLabel = "VERSION")
        String version;

        @Override
        public int call(CliEnvironment env) throws Exception {
            ModelRegistry models = registry.open(env);
            ModelRegistry.Entry e = models.entry(version);
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("version", e.version());
            view.put("role", e.role().name().toLowerCase(Locale.ROOT));
            view.put("directory", e.directory().toString());
            view.put("card", e.card());
            view.put("events", models.state().events().stream().filter(ev -> version.equals(ev.version())).toList());
            out().println(JSON.writeValueAsString(view));
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Adds the model in DIR (model.onnx + model-card.json) under its card's version, if it",
                    "loads as the contract says and passes the smoke test. It serves once promoted."})
    static final class Add extends RegistryCommand {
        @Parameters(paramLabel = "DIR")
        Path source;

        @Option(names = "--data", description = "MNIST directory for the smoke test's first run (else $STRATUS_DATA, else ~/.cache/stratus/mnist).")
        Path data;

        @Override
        public int call(CliEnvironment env) throws Exception {
            ModelRegistry models = registry.open(env);
            SmokeTest smoke = models.smokeTest().orElse(null);
            if (smoke == null) {
                MnistFiles files = env.mnist().files(data).ensurePresent(env.mnist().mirrors(), System.err);
                smoke = models.keepSmokeSample(SmokeTest.of(files.test()));
            }
            SmokeTest.Result result = models.add(source, smoke);
            out().println("added " + result.message());
            printState(models.state());
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Makes VERSION the one that answers; the active one becomes the rollback target.")
    static final class Promote extends RegistryCommand {
        @Parameters(paramLabel = "VERSION")
        String version;

        @Override
        public int call(CliEnvironment env) throws Exception {
            printState(registry.open(env).promote(version));
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Makes the version active before this one active again.")
    static final class Rollback extends RegistryCommand {
        @Override
        public int call(CliEnvironment env) throws Exception {
            printState(registry.open(env).rollback());
            return 0;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true, description = "Takes VERSION out of service for good (not the active one).")
    static final class Retire extends RegistryCommand {
        @Parameters(paramLabel = "VERSION")
        String version;

        @Override
        public int call(CliEnvironment env) throws Exception {
            printState(registry.open(env).retire(version));
            return 0;
        }
    }

    @Command(name = "canary", mixinStandardHelpOptions = true,
            description = "Has VERSION answer a share of the requests, or stops the canary with --off.")
    static final class Canary extends RegistryCommand {
        @Parameters(paramLabel = "VERSION", arity = "0..1")
        String version;

        @Option(names = "--share", defaultValue = "0.1", description = "Share of requests, 0-1 exclusive (default ${DEFAULT-VALUE}).")
        double share;

        @Option(names = "--off", description = "Stop the canary.")
        boolean off;

        @Override
        public int call(CliEnvironment env) throws Exception {
            requireVersionOrOff(version, off);
            printState(registry.open(env).canary(off ? null : version, share));
            return 0;
        }
    }

    @Command(name = "shadow", mixinStandardHelpOptions = true,
            description = "Has VERSION classify a copy of every request (users get the active answer), or stops it with --off.")
    static final class Shadow extends RegistryCommand {
        @Parameters(paramLabel = "VERSION", arity = "0..1")
        String version;

        @Option(names = "--off", description = "Stop the shadow.")
        boolean off;

        @Override
        public int call(CliEnvironment env) throws Exception {
            requireVersionOrOff(version, off);
            printState(registry.open(env).shadow(off ? null : version));
            return 0;
        }
    }
}
