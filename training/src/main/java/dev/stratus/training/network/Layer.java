package dev.stratus.training.network;

/**
 * One layer of a network, described once: the DJL trainer builds blocks from it and the ONNX
 * exporter writes nodes from it, so the two can never disagree.
 */
public sealed interface Layer {

    /** Square convolution, stride 1, the given zero padding on every side, with bias. */
    record Conv(int filters, int kernel, int padding) implements Layer {
        public Conv {
            if (filters <= 0 || kernel <= 0 || padding < 0) {
                throw new IllegalArgumentException("bad convolution " + filters + "@" + kernel + "x" + kernel);
            }
        }

        @Override
        public String describe() {
            return "Conv2D " + filters + " " + kernel + "x" + kernel + (padding > 0 ? " pad " + padding : "");
        }
    }

    /** Batch normalisation over channels; folded into the preceding convolution on export. */
    record BatchNorm() implements Layer {
        @Override
        public String describe() {
            return "BatchNorm";
        }
    }

    record Relu() implements Layer {
        @Override
        public String describe() {
            return "ReLU";
        }
    }

    /** Square max pooling with stride equal to its size. */
    record MaxPool(int size) implements Layer {
        @Override
        public String describe() {
            return "MaxPool " + size + "x" + size;
        }
    }

    record Flatten() implements Layer {
        @Override
        public String describe() {
            return "Flatten";
        }
    }

    /** Fully connected layer with bias. */
    record Dense(int units) implements Layer {
        @Override
        public String describe() {
            return "Dense " + units;
        }
    }

    /** Dropout while training; nothing at inference. */
    record Dropout(float rate) implements Layer {
        @Override
        public String describe() {
            return "Dropout " + rate;
        }
    }

    String describe();
}
