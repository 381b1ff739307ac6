package dev.stratus.training.network;

import dev.stratus.core.image.Mnist;
import dev.stratus.training.network.Layer.BatchNorm;
import dev.stratus.training.network.Layer.Conv;
import dev.stratus.training.network.Layer.Dense;
import dev.stratus.training.network.Layer.Dropout;
import dev.stratus.training.network.Layer.Flatten;
import dev.stratus.training.network.Layer.MaxPool;
import dev.stratus.training.network.Layer.Relu;
import java.util.Arrays;
import java.util.List;

/**
 * A named network over 1x28x28 inputs ending in logits, 10 for a digit model (softmax is added on
 * export). Sizes and cost are computed from the layers, so the model card reports what was really
 * built.
 */
public record Architecture(String name, String summary, List<Layer> layers) {

    /**
     * The original project's network: Conv2D(32, 3x3, ReLU), MaxPool 2x2, Flatten, Dense(100, ReLU),
     * Dense(10, softmax).
     */
    public static final Architecture PAPER = new Architecture("paper",
            "the original Stratus network (Keras, 2021)",
            List.of(new Conv(32, 3, 0), new Relu(), new MaxPool(2), new Flatten(),
                    new Dense(100), new Relu(), new Dense(Mnist.CLASSES)));

    /**
     * The default: two small convolutions with batch normalisation (folded away at export, so
     * it costs nothing to serve), a 128-unit dense layer and dropout. About a million
     * multiply-adds per image, within the single-image latency budget of serving.
     */
    public static final Architecture STRATUS = new Architecture("stratus",
            "two conv blocks with batch norm, dense 128, dropout",
            List.of(new Conv(32, 5, 0), new BatchNorm(), new Relu(), new MaxPool(2),
                    new Conv(48, 3, 0), new BatchNorm(), new Relu(), new MaxPool(2),
                    new Flatten(), new Dense(128), new Relu(), new Dropout(0.3f), new Dense(Mnist.CLASSES)));

    public static final List<Architecture> ALL = List.of(STRATUS, PAPER);

    /**
     * The segmentation verifier ({@code dev.stratus.core.segment.PieceVerifier}): the default's
     * layers with 11 logits, the ten digits and "not one digit". Not in {@link #ALL}: it is
     * trained on lattice pieces by {@code train-verifier}, not on MNIST by {@code train}.
     */
    public static final Architecture VERIFIER = new Architecture("verifier",
            "two conv blocks with batch norm, dense 128, dropout; 11 classes",
            List.of(new Conv(32, 5, 0), new BatchNorm(), new Relu(), new MaxPool(2),
                    new Conv(48, 3, 0), new BatchNorm(), new Relu(), new MaxPool(2),
                    new Flatten(), new Dense(128), new Relu(), new Dropout(0.3f), new Dense(Mnist.CLASSES + 1)));

    /** How many logits the network ends in: the units of its last dense layer. */
    public int classes() {
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (layers.get(i) instanceof Dense d) {
                return d.units();
            }
        }
        throw new IllegalStateException(name + " has no dense layer");
    }

    public static Architecture byName(String name) {
        return ALL.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown architecture '" + name + "'; choose one of "
                        + ALL.stream().map(Architecture::name).toList()));
    }

    public List<String> describe() {
        return layers.stream().map(Layer::describe).toList();
    }

    /** The parameters training learns (batch-norm running statistics not counted). */
    public long parameters() {
        return walk().parameters;
    }

    /** Multiply-adds for one image, the serving cost that matters. */
    public long multiplyAdds() {
        return walk().multiplyAdds;
    }

    private record Cost(long parameters, long multiplyAdds) {
    }

    private Cost walk() {
        int[] shape = {1, Mnist.SIDE, Mnist.SIDE};
        long params = 0;
        long macs = 0;
        for (Layer layer : layers) {
            if (layer instanceof Conv c) {
                int h = shape[1] + 2 * c.padding() - c.kernel() + 1;
                int w = shape[2] + 2 * c.padding() - c.kernel() + 1;
                long perFilter = (long) shape[0] * c.kernel() * c.kernel();
                params += c.filters() * (perFilter + 1);
                macs += (long) c.filters() * h * w * perFilter;
                shape = new int[] {c.filters(), h, w};
            } else if (layer instanceof BatchNorm) {
                params += 2L * shape[0];
            } else if (layer instanceof MaxPool p) {
                shape = new int[] {shape[0], shape[1] / p.size(), shape[2] / p.size()};
            } else if (layer instanceof Flatten) {
                shape = new int[] {Arrays.stream(shape).reduce(1, (a, b) -> a * b)};
            } else if (layer instanceof Dense d) {
                params += (long) d.units() * (shape[0] + 1);
                macs += (long) d.units() * shape[0];
                shape = new int[] {d.units()};
            }
        }
        return new Cost(params, macs);
    }
}
