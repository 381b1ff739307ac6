package dev.stratus.training.network;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.model.ModelContract;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a trained DJL network as an ONNX model that follows {@link ModelContract}. Layer by
 * layer from the {@link Architecture}: convolutions become Conv (with any following batch norm
 * folded into their weights), dense layers Gemm, dropout disappears, and a Softmax ends the graph
 * so that the output is probabilities. DJL's weight layouts are ONNX's, so nothing is transposed.
 */
public final class OnnxExporter {
    static final int OPSET = 13;
    static final int IR_VERSION = 8;

    private OnnxExporter() {
    }

    /** The ONNX bytes of a network built by {@link DjlNetwork#build} and trained. */
    public static byte[] export(Architecture architecture, SequentialBlock network, String version) {
        List<Layer> layers = architecture.layers();
        List<Block> blocks = network.getChildren().values();
        if (layers.size() != blocks.size()) {
            throw new IllegalArgumentException("the network has " + blocks.size() + " blocks but "
                    + architecture.name() + " has " + layers.size() + " layers");
        }
        GraphWriter graph = new GraphWriter(architecture.name());
        String current = ModelContract.INPUT;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Block block = blocks.get(i);
            String name = "l" + i;
            if (layer instanceof Layer.Conv c) {
                float[] weight = values(block, "weight");
                float[] bias = values(block, "bias");
                if (i + 1 < layers.size() && layers.get(i + 1) instanceof Layer.BatchNorm) {
                    foldBatchNorm(blocks.get(i + 1), c.filters(), weight, bias);
                    i++;
                }
                int inChannels = weight.length / (c.filters() * c.kernel() * c.kernel());
                graph.initializer(name + ".weight", weight, c.filters(), inChannels, c.kernel(), c.kernel());
                graph.initializer(name + ".bias", bias, c.filters());
                current = graph.node("Conv", name, List.of(current, name + ".weight", name + ".bias"),
                        ints("kernel_shape", c.kernel(), c.kernel()),
                        ints("pads", c.padding(), c.padding(), c.padding(), c.padding()),
                        ints("strides", 1, 1));
            } else if (layer instanceof Layer.Relu) {
                current = graph.node("Relu", name, List.of(current));
            } else if (layer instanceof Layer.MaxPool p) {
                current = graph.node("MaxPool", name, List.of(current),
                        ints("kernel_shape", p.size(), p.size()), ints("strides", p.size(), p.size()));
            } else if (layer instanceof Layer.Flatten) {
                current = graph.node("Flatten", name, List.of(current), integer("axis", 1));
            } else if (layer instanceof Layer.Dense d) {
                float[] weight = values(block, "weight");
                graph.initializer(name + ".weight", weight, d.units(), weight.length / d.units());
                graph.initializer(name + ".bias", values(block, "bias"), d.units());
                current = graph.node("Gemm", name, List.of(current, name + ".weight", name + ".bias"),
                        integer("transB", 1));
            } else if (layer instanceof Layer.BatchNorm) {
                throw new IllegalArgumentException(architecture.name() + ": batch norm is exported only after a Conv");
            }
            // Dropout is the identity at inference: no node.
        }
        graph.output(current, architecture.classes());
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("stratus")
                .setModelVersion(1)
                .setDocString("Stratus digit classifier " + version + " (" + architecture.name() + ")")
                .addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey("version").setValue(version))
                .addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder()
                        .setKey("architecture").setValue(architecture.name()))
                .setGraph(graph.build())
                .build()
                .toByteArray();
    }

    public static void write(Architecture architecture, SequentialBlock network, String version, Path file)
            throws IOException {
        Files.write(file, export(architecture, network, version));
    }

    private static void foldBatchNorm(Block batchNorm, int channels, float[] weight, float[] bias) {
        float[] gamma = values(batchNorm, "gamma");
        float[] beta = values(batchNorm, "beta");
        float[] mean = values(batchNorm, "runningMean");
        float[] var = values(batchNorm, "runningVar");
        int perChannel = weight.length / channels;
        for (int f = 0; f < channels; f++) {
            double scale = gamma[f] / Math.sqrt(var[f] + DjlNetwork.BATCH_NORM_EPSILON);
            for (int j = 0; j < perChannel; j++) {
                weight[f * perChannel + j] = (float) (weight[f * perChannel + j] * scale);
            }
            bias[f] = (float) ((bias[f] - mean[f]) * scale + beta[f]);
        }
    }

    private static float[] values(Block block, String parameter) {
        return block.getParameters().get(parameter).getArray().toFloatArray();
    }

    private static OnnxMl.AttributeProto ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder attribute = OnnxMl.AttributeProto.newBuilder()
                .setName(name).setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            attribute.addInts(v);
        }
        return attribute.build();
    }

    private static OnnxMl.AttributeProto integer(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder()
                .setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** Accumulates nodes and weights, and declares the contract's input and output. */
    private static final class GraphWriter {
        private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();

        GraphWriter(String name) {
            graph.setName(name);
            graph.addInput(valueInfo(ModelContract.INPUT, 1, Mnist.SIDE, Mnist.SIDE));
        }

        void initializer(String name, float[] values, long... dims) {
            ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(values);
            OnnxMl.TensorProto.Builder tensor = OnnxMl.TensorProto.newBuilder()
                    .setName(name)
                    .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                    .setRawData(ByteString.copyFrom(raw.array()));
            for (long d : dims) {
                tensor.addDims(d);
            }
            graph.addInitializer(tensor);
        }

        String node(String op, String name, List<String> inputs, OnnxMl.AttributeProto... attributes) {
            String output = name + "." + op.toLowerCase();
            OnnxMl.NodeProto.Builder node = OnnxMl.NodeProto.newBuilder()
                    .setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
            for (OnnxMl.AttributeProto a : attributes) {
                node.addAttribute(a);
            }
            graph.addNode(node);
            return output;
        }

        void output(String logits, int classes) {
            graph.addNode(OnnxMl.NodeProto.newBuilder()
                    .setOpType("Softmax").setName("softmax").addInput(logits).addOutput(ModelContract.OUTPUT)
                    .addAttribute(integer("axis", 1)));
            graph.addOutput(valueInfo(ModelContract.OUTPUT, classes));
        }

        OnnxMl.GraphProto build() {
            return graph.build();
        }

        private static OnnxMl.ValueInfoProto valueInfo(String name, long... dims) {
            OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                    .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
            for (long d : dims) {
                shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            return OnnxMl.ValueInfoProto.newBuilder()
                    .setName(name)
                    .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                            .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                            .setShape(shape)))
                    .build();
        }
    }
}
