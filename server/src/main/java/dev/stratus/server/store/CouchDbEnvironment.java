package dev.stratus.server.store;

import dev.stratus.core.config.EnvVar;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What the environment says about CouchDB: its URL when no flag gives one, and the credentials,
 * which come only from here, never from flags or files in the repository.
 *
 * @param url      the URL, or null when the environment names none
 * @param user     the user for Basic authentication, or null for none
 * @param password that user's password, or null for none
 */
public record CouchDbEnvironment(String url, String user, String password) {
    public static final EnvVar URL = new EnvVar("STRATUS_COUCHDB_URL",
            "CouchDB URL, e.g. http://127.0.0.1:5984, when --couchdb is not given; no credentials in it.", "none");
    public static final EnvVar USER = new EnvVar(CouchDbSettings.USER_VARIABLE,
            "CouchDB user for Basic authentication; set with " + CouchDbSettings.PASSWORD_VARIABLE + ".",
            "no authentication");
    public static final EnvVar PASSWORD = new EnvVar(CouchDbSettings.PASSWORD_VARIABLE,
            "That user's password.", "no authentication");
    public static final List<EnvVar> VARIABLES = List.of(URL, USER, PASSWORD);

    public CouchDbEnvironment {
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("set both " + USER.name() + " and " + PASSWORD.name() + ", or neither");
        }
    }

    public static CouchDbEnvironment from(Map<String, String> env) {
        CouchDbEnvironment read = new CouchDbEnvironment(URL.read(env).orElse(null), USER.read(env).orElse(null),
                PASSWORD.read(env).orElse(null));
        if (read.url != null) {
            try {
                read.settings(null);
            } catch (IllegalArgumentException e) {
                // Not the value itself: a URL with credentials in it must not reach the console.
                throw new IllegalArgumentException(URL.name() + ": " + e.getMessage(), e);
            }
        }
        return read;
    }

    /** The default database, timeout and retries at {@code urlFlag}, else at this environment's URL. */
    public CouchDbSettings settings(String urlFlag) {
        String chosen = urlFlag != null && !urlFlag.isBlank() ? urlFlag : url;
        if (chosen == null) {
            throw new IllegalArgumentException("Kafka mode needs --couchdb URL (or " + URL.name() + ")");
        }
        return new CouchDbSettings(URI.create(chosen), CouchDbSettings.DEFAULT_DATABASE, user, password,
                CouchDbSettings.DEFAULT_TIMEOUT, CouchDbSettings.DEFAULT_MAX_RETRIES);
    }

    @Override
    public String toString() {
        return "CouchDbEnvironment[url=" + url + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                + "]";
    }
}
