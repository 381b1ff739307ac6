package dev.stratus.server.store;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the CouchDB prediction store lives and how hard it tries. Credentials come only from the
 * environment, never from flags or files in the repository; without them requests carry no
 * authentication (a local development server).
 *
 * @param url        the server's base URL, e.g. {@code http://127.0.0.1:5984}; no credentials in it
 * @param database   the database name, following CouchDB's rules
 * @param user       the user for Basic authentication, or null for none
 * @param password   that user's password, or null for none
 * @param timeout    connect and per-request timeout
 * @param maxRetries attempts after the first on connection errors, timeouts and 5xx answers
 */
public record CouchDbSettings(URI url, String database, String user, String password, Duration timeout,
                              int maxRetries) {
    public static final String USER_VARIABLE = "STRATUS_COUCHDB_USER";
    public static final String PASSWORD_VARIABLE = "STRATUS_COUCHDB_PASSWORD";
    public static final String DEFAULT_DATABASE = "predictions";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_RETRIES = 5;

    // CouchDB's own rule for database names; pouchdb-server is laxer, so check it here.
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_$()+/-]*");

    public CouchDbSettings {
        if (url == null || url.getHost() == null
                || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException("the CouchDB URL must be an absolute http(s) URL, got " + url);
        }
        if (url.getRawUserInfo() != null) {
            // A password in the URL would end up in logs and error messages.
            throw new IllegalArgumentException("put CouchDB credentials in " + USER_VARIABLE + " and "
                    + PASSWORD_VARIABLE + ", not in the URL");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("the CouchDB URL must not have a query or fragment: " + url);
        }
        if (database == null || !DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("a CouchDB database name starts with a-z and holds only"
                    + " a-z, 0-9 and _$()+-/, got " + database);
        }
        if ((user == null) != (password == null) || (user != null && (user.isBlank() || password.isEmpty()))) {
            throw new IllegalArgumentException("give both a CouchDB user and a password, or neither");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the CouchDB timeout must be positive, got " + timeout);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        }
    }

    /** The default database, timeout and retries at {@code url}; credentials from {@code env}. */
    public static CouchDbSettings fromEnvironment(Map<String, String> env, String url) {
        return CouchDbEnvironment.from(env).settings(url);
    }

    public CouchDbSettings withDatabase(String name) {
        return new CouchDbSettings(url, name, user, password, timeout, maxRetries);
    }

    /** The base URL without a trailing slash, for building request paths. */
    String base() {
        String text = url.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public String toString() {
        // Never print the password: settings end up in logs.
        return "CouchDbSettings[url=" + url + ", database=" + database + ", user=" + user
                + ", password=" + (password == null ? "none" : "***") + ", timeout=" + timeout
                + ", maxRetries=" + maxRetries + "]";
    }

    /**
     * How long to wait between attempts: {@code first}, doubling up to {@code max}.
     * Kept out of the settings above because only tests need anything but the default.
     */
    public record Backoff(Duration first, Duration max) {
        public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

        public Backoff {
            if (first == null || max == null || first.isNegative() || max.compareTo(first) < 0) {
                throw new IllegalArgumentException("backoff needs 0 <= first <= max, got " + first + ", " + max);
            }
        }

        Duration after(int attempt) {
            long millis = first.toMillis() << Math.min(attempt, 20);
            return Duration.ofMillis(Math.min(millis, max.toMillis()));
        }
    }
}
