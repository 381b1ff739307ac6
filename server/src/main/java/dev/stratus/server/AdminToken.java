package dev.stratus.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The secret that opens the admin routes (the model changes of {@code /api/v1/models/...}), from
 * {@code STRATUS_ADMIN_TOKEN} only. No token: the routes are off. Its text never appears in a
 * {@code toString}, a log line or an error.
 */
public final class AdminToken {
    /** No token: the admin routes are off. */
    public static final AdminToken NONE = new AdminToken(null);
    /** Shorter tokens are refused: guessable. */
    static final int MIN_LENGTH = 16;

    private final byte[] secret;

    private AdminToken(byte[] secret) {
        this.secret = secret;
    }

    /** The token in {@code text}, NONE when null or blank; a short one is refused. */
    public static AdminToken of(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        if (text.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("STRATUS_ADMIN_TOKEN must be at least " + MIN_LENGTH
                    + " characters (e.g. openssl rand -hex 16)");
        }
        return new AdminToken(text.getBytes(StandardCharsets.UTF_8));
    }

    public boolean enabled() {
        return secret != null;
    }

    /** Whether an {@code Authorization} header carries this token as a Bearer credential; constant time. */
    public boolean accepts(String authorization) {
        if (secret == null || authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, secret);
    }

    /** The token as it was given, for a child process's environment only. */
    public Optional<String> reveal() {
        return Optional.ofNullable(secret).map(s -> new String(s, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return enabled() ? "AdminToken[set]" : "AdminToken[none]";
    }
}
