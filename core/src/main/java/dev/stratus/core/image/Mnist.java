package dev.stratus.core.image;

/** The geometry of the model's input, defined once for training, serving and tests. */
public final class Mnist {
    /** Side of the square image the network sees. */
    public static final int SIDE = 28;
    /** Number of pixels of one network input, row-major. */
    public static final int PIXELS = SIDE * SIDE;
    /** Side of the box that the longer side of the ink is scaled to, as NIST did for MNIST. */
    public static final int INK_BOX = 20;
    /** Number of classes: the digits 0 to 9. */
    public static final int CLASSES = 10;

    private Mnist() {
    }
}
