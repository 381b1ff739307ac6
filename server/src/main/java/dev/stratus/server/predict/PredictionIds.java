package dev.stratus.server.predict;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Prediction ids: version-7 UUIDs (RFC 9562), a millisecond timestamp followed by 74 random bits.
 * Ids made one after another sort one after another, so the store's primary-key index grows at
 * its end instead of touching a random page on every insert (what random version-4 ids cost the
 * embedded store); the random part, from a {@link SecureRandom}, keeps an id unguessable, which
 * matters because knowing an id is what lets a client read a prediction back.
 *
 * <p>The generator is the JDK's DRBG (NIST SP 800-90A, seeded from the operating system once per
 * thread), not the default {@code NativePRNG}: that one mixes bytes read from {@code /dev/urandom}
 * through a 32-byte buffer shared by every thread behind one lock, a system call every request or
 * two on the serving path.
 */
public final class PredictionIds {
    /**
     * What {@link #next()} makes: a UUID in its canonical lower-case text form, version 7 (the
     * ids made now) or 4 (what Stratus issued before, still in older stores), RFC 9562 variant.
     */
    private static final Pattern ISSUED = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(PredictionIds::drbg);

    private PredictionIds() {
    }

    public static String next() {
        return next(System.currentTimeMillis()).toString();
    }

    /**
     * Whether {@code id} has the form of an id this app issues. Anything else (CouchDB's own
     * {@code _all_docs} or {@code _changes}, a path trick, a 10 kB string) is unknown without
     * asking the store.
     */
    public static boolean isIssued(String id) {
        return id != null && id.length() == 36 && ISSUED.matcher(id).matches();
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no DRBG SecureRandom", e);
        }
    }

    static UUID next(long epochMillis) {
        byte[] random = new byte[10];
        RANDOM.get().nextBytes(random);
        long high = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
        long low = 0x8000_0000_0000_0000L | ((random[2] & 0x3FL) << 56);
        for (int i = 3; i < 10; i++) {
            low |= (random[i] & 0xFFL) << (8 * (9 - i));
        }
        return new UUID(high, low);
    }
}
