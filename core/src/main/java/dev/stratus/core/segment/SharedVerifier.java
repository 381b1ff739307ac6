package dev.stratus.core.segment;

/**
 * The shipped verifier, loaded on first use and kept for the life of the process: every
 * {@link Segmenter} made without a verifier of its own shares it (it is thread-safe), so that
 * making a segmenter costs nothing and no native session is left unclosed per segmenter.
 */
final class SharedVerifier {
    private static volatile PieceVerifier verifier;

    private SharedVerifier() {
    }

    static PieceVerifier get() {
        PieceVerifier v = verifier;
        if (v == null) {
            synchronized (SharedVerifier.class) {
                v = verifier;
                if (v == null) {
                    v = PieceVerifier.loadDefault();
                    verifier = v;
                }
            }
        }
        return v;
    }
}
