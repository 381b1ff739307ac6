package dev.stratus.server;

import dev.stratus.core.config.EnvVar;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.registry.ModelRegistry;
import dev.stratus.server.kafka.KafkaEnvironment;
import dev.stratus.server.store.CouchDbEnvironment;
import dev.stratus.server.store.NumberDigits;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Everything the server commands take from the environment, read once in {@link ServerCli} and
 * validated here. Flags, where a command has one, win over these.
 *
 * @param host      the address {@code up} binds
 * @param port      the port {@code up} listens on
 * @param model     a model directory, or null for the shipped model
 * @param accessLog the access log's level (logback reads the variable itself; it is checked here)
 * @param hostName  this host's name, the first part of default gateway and worker ids
 * @param kafka     Kafka's bootstrap servers, session timeout and client settings
 * @param couchDb   CouchDB's URL and credentials
 * @param maxDigits the longest number {@code up} reads from an image
 * @param admin     the token of the admin routes, or none
 * @param registry  the model registry directory, or null
 */
public record ServerEnvironment(String host, int port, Path model, String accessLog, String hostName,
                                KafkaEnvironment kafka, CouchDbEnvironment couchDb, int maxDigits, AdminToken admin,
                                Path registry) {
    public static final EnvVar HOST = new EnvVar("STRATUS_HOST",
            "Address 'up' binds when --host is not given (0.0.0.0 opens it to the network).", "127.0.0.1");
    public static final EnvVar PORT = new EnvVar("STRATUS_PORT",
            "TCP port of 'up' when --port is not given (0 picks a free one).", "8080");
    public static final EnvVar ACCESS_LOG = new EnvVar("STRATUS_ACCESS_LOG",
            "Level of the access log, one line per request: OFF silences it.", "INFO");
    public static final EnvVar ADMIN_TOKEN = new EnvVar("STRATUS_ADMIN_TOKEN",
            "Bearer token of the admin routes (model changes under /api/v1/models/); 16 characters or more.",
            "none: the admin routes are off");
    public static final EnvVar MAX_DIGITS = new EnvVar("STRATUS_MAX_DIGITS",
            "Longest number 'up' reads from an image (POST /api/v1/numbers) when --max-digits is not given; "
                    + "longer ones are 400 number_too_long.", Integer.toString(ServerConfig.Numbers.DEFAULT_MAX_DIGITS));
    public static final EnvVar HOSTNAME = new EnvVar("HOSTNAME",
            "This host's name, the first part of the default gateway and worker ids.", "host");

    /** What {@code up} honours. */
    public static final List<EnvVar> UP = concat(List.of(HOST, PORT, Model.VARIABLE, ModelRegistry.VARIABLE, ACCESS_LOG, HOSTNAME,
                    MAX_DIGITS, ADMIN_TOKEN),
            KafkaEnvironment.VARIABLES, CouchDbEnvironment.VARIABLES);
    /** What {@code worker} honours. */
    public static final List<EnvVar> WORKER = concat(List.of(Model.VARIABLE, HOSTNAME),
            KafkaEnvironment.VARIABLES, CouchDbEnvironment.VARIABLES);
    /** What {@code bench-hops} honours. */
    public static final List<EnvVar> HOPS = concat(KafkaEnvironment.VARIABLES, CouchDbEnvironment.VARIABLES);

    private static final Set<String> LEVELS = Set.of("OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL");

    public ServerEnvironment {
        if (host == null || host.isBlank() || hostName == null || accessLog == null) {
            throw new IllegalArgumentException("the host, host name and access log level must be set");
        }
        if (kafka == null || couchDb == null || admin == null) {
            throw new IllegalArgumentException("the Kafka and CouchDB environments must be set");
        }
    }

    /** Reads and checks every variable; a bad value fails here, naming the variable. */
    public static ServerEnvironment from(Map<String, String> env) {
        return new ServerEnvironment(
                HOST.text(env, HOST.byDefault()),
                (int) PORT.wholeNumber(env, 8080, 0, 65_535, ""),
                Model.VARIABLE.path(env),
                ACCESS_LOG.parsed(env, ACCESS_LOG.byDefault(), "a log level (" + String.join(", ", LEVELS.stream()
                        .sorted().toList()) + ")", ServerEnvironment::level),
                HOSTNAME.text(env, HOSTNAME.byDefault()),
                KafkaEnvironment.from(env),
                CouchDbEnvironment.from(env),
                (int) MAX_DIGITS.wholeNumber(env, ServerConfig.Numbers.DEFAULT_MAX_DIGITS, 1, NumberDigits.MAX_DIGITS, ""),
                AdminToken.of(env.get(ADMIN_TOKEN.name())),
                ModelRegistry.VARIABLE.path(env));
    }

    /** This process's name among gateways or workers: host-pid, safe for client ids and topic names. */
    public String instanceId() {
        return (hostName + "-" + ProcessHandle.current().pid()).replaceAll("[^A-Za-z0-9._-]", "-");
    }

    private static String level(String text) {
        String level = text.toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException(text);
        }
        return level;
    }

    @SafeVarargs
    private static List<EnvVar> concat(List<EnvVar>... lists) {
        return Stream.of(lists).flatMap(List::stream).toList();
    }
}
