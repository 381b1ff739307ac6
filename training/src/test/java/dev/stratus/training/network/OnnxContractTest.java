package dev.stratus.training.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.ModelContract;
import dev.stratus.core.model.ModelLoadException;
import dev.stratus.core.model.OnnxClassifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model directory whose network breaks the contract is refused at load, naming the file and the
 * mismatch. The networks are real ONNX graphs (Flatten, Gemm, Softmax) that ONNX Runtime runs; only
 * their input name or shapes differ from {@link ModelContract}.
 */
class OnnxContractTest {
    @TempDir
    Path dir;

    @Test
    void a_network_that_runs_but_is_valid_loads() throws IOException {
        Path model = modelDirectory("valid", graph(ModelContract.INPUT, 28, 10));

        try (Model loaded = Model.load(model, OnnxClassifier.Threads.SINGLE)) {
            assertThat(loaded.classifier().probabilities(new float[784], 1)).hasSize(10);
        }
    }

    @Test
    void a_wrong_input_name_is_refused_naming_the_file_and_both_names() throws IOException {
        Path model = modelDirectory("renamed", graph("pixels", 28, 10));

        assertThatThrownBy(() -> Model.load(model, OnnxClassifier.Threads.SINGLE))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(model.resolve(ModelContract.MODEL_FILE).toString())
                .hasMessageContaining("inputs [pixels]")
                .hasMessageContaining("input 'image' [N,1,28,28]");
    }

    @Test
    void a_wrong_input_shape_is_refused_naming_the_shape() throws IOException {
        Path model = modelDirectory("wide", graph(ModelContract.INPUT, 32, 10));

        assertThatThrownBy(() -> Model.load(model, OnnxClassifier.Threads.SINGLE))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(model.resolve(ModelContract.MODEL_FILE).toString())
                .hasMessageContaining("input shape [-1, 1, 32, 32]")
                .hasMessageContaining("do not match the contract [N,1,28,28] -> [N,10]");
    }

    @Test
    void a_wrong_number_of_classes_is_refused_naming_the_output_shape() throws IOException {
        Path model = modelDirectory("twelve", graph(ModelContract.INPUT, 28, 12));

        assertThatThrownBy(() -> Model.load(model, OnnxClassifier.Threads.SINGLE))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(model.resolve(ModelContract.MODEL_FILE).toString())
                .hasMessageContaining("output shape [-1, 12]");
    }

    /** A directory with {@code onnx} and the shipped model's card. */
    private Path modelDirectory(String name, byte[] onnx) throws IOException {
        Path model = Files.createDirectories(dir.resolve(name));
        Files.write(model.resolve(ModelContract.MODEL_FILE), onnx);
        try (InputStream card = Model.class.getResourceAsStream(ModelContract.DEFAULT_RESOURCE + ModelContract.CARD_FILE)) {
            Files.copy(card, model.resolve(ModelContract.CARD_FILE));
        }
        return model;
    }

    /** {@code input} [N,1,side,side] -> Flatten -> Gemm (zero weights) -> Softmax -> "probabilities" [N,classes]. */
    private static byte[] graph(String input, int side, int classes) {
        int features = side * side;
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder()
                .setName("contract-test")
                .addInput(tensor(input, 1, side, side))
                .addInitializer(zeros("w", classes, features))
                .addInitializer(zeros("b", classes))
                .addNode(node("Flatten", input, "flat").addAttribute(integer("axis", 1)))
                .addNode(node("Gemm", "flat", "logits").addInput("w").addInput("b").addAttribute(integer("transB", 1)))
                .addNode(node("Softmax", "logits", ModelContract.OUTPUT).addAttribute(integer("axis", 1)))
                .addOutput(tensor(ModelContract.OUTPUT, classes))
                .build();
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(OnnxExporter.IR_VERSION)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxExporter.OPSET))
                .setGraph(graph)
                .build()
                .toByteArray();
    }

    private static OnnxMl.NodeProto.Builder node(String op, String input, String output) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output).addInput(input).addOutput(output);
    }

    private static OnnxMl.AttributeProto integer(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    private static OnnxMl.TensorProto zeros(String name, long... dims) {
        long count = 1;
        OnnxMl.TensorProto.Builder tensor = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
        for (long d : dims) {
            tensor.addDims(d);
            count *= d;
        }
        return tensor.setRawData(ByteString.copyFrom(new byte[(int) count * Float.BYTES])).build();
    }

    /** A float tensor of shape [batch, dims...]. */
    private static OnnxMl.ValueInfoProto tensor(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }
}
