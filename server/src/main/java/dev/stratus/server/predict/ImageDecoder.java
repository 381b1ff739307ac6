package dev.stratus.server.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Mnist;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns a request body into a grey image: {@code {"pixels": [784 numbers]}}, {@code {"image":
 * "data:image/png;base64,..."}} or raw PNG bytes. Every way it can be wrong is a
 * {@link BadInputException} that says what was wrong.
 */
public final class ImageDecoder {
    private static final String DATA_URL_PREFIX = "data:image/png;base64,";
    /** Larger images are refused before decoding: a canvas is a few hundred pixels across. */
    static final int MAX_SIDE = 2048;

    static {
        System.setProperty("java.awt.headless", "true");
        ImageIO.setUseCache(false);
    }

    private final ObjectMapper json;

    public ImageDecoder(ObjectMapper json) {
        this.json = json;
    }

    public GreyImage fromJson(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new BadInputException("malformed_json", "the body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException("malformed_json", "expected a JSON object with \"pixels\" or \"image\"");
        }
        JsonNode pixels = root.get("pixels");
        JsonNode image = root.get("image");
        if (pixels != null && image != null) {
            throw new BadInputException("ambiguous_input", "send either \"pixels\" or \"image\", not both");
        }
        if (pixels != null) {
            return fromPixels(pixels);
        }
        if (image != null) {
            if (!image.isTextual() || !image.asText().startsWith(DATA_URL_PREFIX)) {
                throw new BadInputException("invalid_image",
                        "\"image\" must be a string starting with " + DATA_URL_PREFIX);
            }
            byte[] png;
            try {
                png = Base64.getDecoder().decode(image.asText().substring(DATA_URL_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("invalid_image", "\"image\" is not valid base64: " + e.getMessage());
            }
            return fromPng(png);
        }
        throw new BadInputException("missing_input", "expected a \"pixels\" array of 784 numbers or an \"image\" data URL");
    }

    private static GreyImage fromPixels(JsonNode pixels) {
        if (!pixels.isArray()) {
            throw new BadInputException("invalid_pixels", "\"pixels\" must be an array of 784 numbers");
        }
        if (pixels.size() != Mnist.PIXELS) {
            throw new BadInputException("invalid_pixels", "\"pixels\" must hold 784 numbers (28x28, row-major), got "
                    + pixels.size());
        }
        double[] values = new double[Mnist.PIXELS];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = pixels.get(i);
            if (!v.isNumber()) {
                throw new BadInputException("invalid_pixels", "pixel " + i + " is " + v + ", expected a number 0-255");
            }
            double d = v.asDouble();
            if (!(d >= 0 && d <= 255)) {
                throw new BadInputException("invalid_pixels", "pixel " + i + " is " + v + ", expected a number 0-255");
            }
            values[i] = d;
        }
        return GreyImage.fromIntensities(Mnist.SIDE, Mnist.SIDE, values);
    }

    /** A PNG of any size; colour is turned to grey by luminance and transparency composited over black. */
    public GreyImage fromPng(byte[] png) {
        BufferedImage image;
        int w;
        int h;
        // Read the header first: a small file may announce an enormous image.
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadInputException("invalid_image", "the body is not a PNG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                if (!"png".equalsIgnoreCase(reader.getFormatName())) {
                    throw new BadInputException("invalid_image", "expected a PNG image, got " + reader.getFormatName());
                }
                w = reader.getWidth(0);
                h = reader.getHeight(0);
                if (w > MAX_SIDE || h > MAX_SIDE) {
                    throw new BadInputException("invalid_image", "the image is " + w + "x" + h + "; at most "
                            + MAX_SIDE + " pixels a side");
                }
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException bad) {
                throw bad;
            }
            throw new BadInputException("invalid_image", "the PNG cannot be decoded: " + firstLine(e.getMessage()));
        }
        float[] grey = new float[w * h];
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            float alpha = ((p >>> 24) & 0xff) / 255f;
            float luminance = (0.299f * ((p >> 16) & 0xff) + 0.587f * ((p >> 8) & 0xff) + 0.114f * (p & 0xff)) / 255f;
            grey[i] = Math.min(1f, Math.max(0f, luminance * alpha));
        }
        return new GreyImage(w, h, grey);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
