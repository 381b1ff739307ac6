// Writes load/src/test/resources/mnist-digits.json, the Gatling simulations' request data: the first
// image of each digit 0-9 in the MNIST test set, pixels as the API takes them (784 ints 0-255).
// Run from the repository root: jshell --class-path core/target/classes load/mnist-digits.jsh
import dev.stratus.core.mnist.*;
var dir = MnistFiles.resolveDirectory(null, System.getenv());
var test = Idx.read(dir.resolve(MnistFiles.TEST_IMAGES), dir.resolve(MnistFiles.TEST_LABELS));
var json = new StringBuilder("[\n");
for (int digit = 0; digit < 10; digit++) {
    int index = 0;
    while (test.label(index) != digit) index++;
    var pixels = new StringJoiner(",");
    for (int p = 0; p < 784; p++) pixels.add(Integer.toString(test.pixels()[index * 784 + p] & 0xff));
    json.append(String.format("  {\"index\": %d, \"label\": %d, \"pixels\": \"%s\"}%s%n", index, digit, pixels, digit < 9 ? "," : ""));
}
java.nio.file.Files.writeString(java.nio.file.Path.of("load/src/test/resources/mnist-digits.json"), json.append("]\n"));
/exit
