package dev.stratus.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The local stack's generated secrets: the CouchDB-API server's admin, the Kafka user of the
 * clients and brokers (SCRAM-SHA-256) and the controllers' own login (PLAIN). Made once per work
 * directory with {@link SecureRandom} and kept in {@code secrets/credentials.properties} (0600, in
 * a 0700 directory), so a restart of the same work directory reuses them. Never printed: no
 * {@code toString} here shows a password, and the gateways and workers get them through their
 * environment ({@link #clientEnvironment}), never their command line, which every user can read.
 *
 * @param couchDb          the CouchDB-API server's admin, the one user the gateways and workers log in as
 * @param kafka            the SCRAM user of the Kafka clients and of the brokers among themselves
 * @param kafkaController  the PLAIN login on the controllers' listener (KRaft controllers take no SCRAM)
 */
public record StackCredentials(Login couchDb, Login kafka, Login kafkaController) {
    /** Where under a work directory the secrets live. */
    public static final String DIRECTORY = "secrets";
    /** The credentials themselves, read back on the next start. */
    public static final String FILE = "credentials.properties";
    /** The same as the client environment, in shell syntax ({@code set -a; . client.env}) for scripts. */
    public static final String CLIENT_ENV_FILE = "client.env";

    /** The variables the server module reads (CouchDbSettings, KafkaEnvironment): one name each, here. */
    public static final String COUCHDB_USER_VARIABLE = "STRATUS_COUCHDB_USER";
    public static final String COUCHDB_PASSWORD_VARIABLE = "STRATUS_COUCHDB_PASSWORD";
    static final String KAFKA_VARIABLE_PREFIX = "STRATUS_KAFKA_";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int PASSWORD_BYTES = 24;
    // URL-safe base64 needs no quoting in JAAS strings, properties, --add-scram or a shell file.
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-]+");

    /** A user and password; the password never appears in {@link #toString()}. */
    public record Login(String user, String password) {
        public Login {
            if (user == null || !SAFE.matcher(user).matches()) {
                throw new IllegalArgumentException("a user name is made of A-Z, a-z, 0-9, '_' and '-', got " + user);
            }
            if (password == null || password.length() < 16 || !SAFE.matcher(password).matches()) {
                // Not the value: it may be most of a real password.
                throw new IllegalArgumentException("the password of " + user
                        + " must be at least 16 characters of A-Z, a-z, 0-9, '_' and '-'");
            }
        }

        /** {@code user} with a fresh password of 24 random bytes. */
        public static Login generate(String user) {
            byte[] bytes = new byte[PASSWORD_BYTES];
            RANDOM.nextBytes(bytes);
            return new Login(user, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }

        /** The value of an HTTP {@code Authorization} header with this login (Basic). */
        public String basicAuthorization() {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Login[user=" + user + ", password=***]";
        }
    }

    public StackCredentials {
        Objects.requireNonNull(couchDb, "couchDb");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(kafkaController, "kafkaController");
    }

    /** Fresh credentials, kept nowhere (tests, a throwaway cluster). */
    public static StackCredentials generate() {
        return new StackCredentials(Login.generate("stratus"), Login.generate("stratus"), Login.generate("controller"));
    }

    /**
     * The credentials of {@code workDir}: read from {@code secrets/credentials.properties}, or
     * generated and written there (0600) when it is absent. The client environment file is
     * written again either way.
     */
    public static StackCredentials forWorkDir(Path workDir) {
        Path dir = workDir.toAbsolutePath().resolve(DIRECTORY);
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            StackCredentials credentials;
            if (Files.exists(file)) {
                credentials = read(file);
            } else {
                credentials = generate();
                writePrivate(file, credentials.asProperties());
            }
            writePrivate(dir.resolve(CLIENT_ENV_FILE), credentials.shellEnvironment());
            return credentials;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the stack's credentials in " + dir, e);
        }
    }

    /**
     * What a Kafka client of the stack sets: SASL over plain TCP (loopback only), SCRAM-SHA-256,
     * the stack's user.
     */
    public Map<String, String> kafkaClientProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("security.protocol", "SASL_PLAINTEXT");
        properties.put("sasl.mechanism", "SCRAM-SHA-256");
        properties.put("sasl.jaas.config", scramJaas(kafka));
        return properties;
    }

    /**
     * The environment of a gateway or worker: the CouchDB login and the Kafka client settings as
     * the server reads them ({@code STRATUS_KAFKA_SASL_JAAS_CONFIG} is {@code sasl.jaas.config}).
     */
    public Map<String, String> clientEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put(COUCHDB_USER_VARIABLE, couchDb.user());
        environment.put(COUCHDB_PASSWORD_VARIABLE, couchDb.password());
        kafkaClientProperties().forEach((key, value) ->
                environment.put(KAFKA_VARIABLE_PREFIX + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), value));
        return environment;
    }

    static String scramJaas(Login login) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + login.user()
                + "\" password=\"" + login.password() + "\";";
    }

    @Override
    public String toString() {
        return "StackCredentials[couchDb=" + couchDb + ", kafka=" + kafka + ", kafkaController=" + kafkaController + "]";
    }

    private Properties asProperties() {
        Properties properties = new Properties();
        put(properties, "couchdb", couchDb);
        put(properties, "kafka", kafka);
        put(properties, "kafka.controller", kafkaController);
        return properties;
    }

    private static void put(Properties properties, String prefix, Login login) {
        properties.setProperty(prefix + ".user", login.user());
        properties.setProperty(prefix + ".password", login.password());
    }

    private String shellEnvironment() {
        StringBuilder text = new StringBuilder("# The local stack's client settings; for scripts: set -a; . THIS_FILE; set +a\n");
        // Single quotes: the JAAS line holds spaces and double quotes, never a single quote.
        clientEnvironment().forEach((name, value) -> text.append(name).append("='").append(value).append("'\n"));
        return text.toString();
    }

    private static StackCredentials read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        try {
            return new StackCredentials(login(properties, "couchdb"), login(properties, "kafka"),
                    login(properties, "kafka.controller"));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + " is damaged (" + e.getMessage() + "); delete it to generate new"
                    + " credentials", e);
        }
    }

    private static Login login(Properties properties, String prefix) {
        return new Login(properties.getProperty(prefix + ".user"), properties.getProperty(prefix + ".password"));
    }

    private static void writePrivate(Path file, Properties properties) throws IOException {
        StringBuilder text = new StringBuilder("# Generated by stratus up --distributed for this work directory\n");
        properties.stringPropertyNames().stream().sorted()
                .forEach(key -> text.append(key).append('=').append(properties.getProperty(key)).append('\n'));
        writePrivate(file, text.toString());
    }

    /** Writes {@code text} to a file that only its owner may read, created so before any byte is in it. */
    static void writePrivate(Path file, String text) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(text);
        }
        Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
