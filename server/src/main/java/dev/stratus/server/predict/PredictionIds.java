package dev.stratus.server.predict;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

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
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(PredictionIds::drbg);

    private PredictionIds() {
    }

    public static String next() {
        return next(System.currentTimeMillis()).toString();
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
