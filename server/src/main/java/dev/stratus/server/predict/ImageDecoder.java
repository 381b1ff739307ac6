package dev.stratus.server.predict;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.StrokeRenderer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.concurrent.Semaphore;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns a request body into a grey image: {@code {"pixels": [784 numbers]}}, {@code {"image":
 * "data:image/png;base64,..."}} or raw PNG bytes. Every way it can be wrong is a
 * {@link BadInputException} that says what was wrong.
 */
public final class ImageDecoder {
    private static final String DATA_URL_PREFIX = "data:image/png;base64,";
    private static final byte[] PIXELS_KEY = "\"pixels\"".getBytes(StandardCharsets.US_ASCII);
    /** Grey level n / 255 as {@link GreyImage#fromIntensities} computes it, for n = 0-255. */
    private static final float[] INTENSITIES = new float[256];

    static {
        for (int n = 0; n < INTENSITIES.length; n++) {
            INTENSITIES[n] = (float) (n / 255.0);
        }
    }
    /** Larger images are refused before decoding: a canvas is a few hundred pixels across. */
    public static final int MAX_SIDE = 2048;
    /**
     * At most 2 megapixels in all (2048x1024): the page's canvas is 280x280 (784 kpx at a
     * device pixel ratio of 3), and a wide canvas for a drawn number (issue 16) fits 2048x1024.
     * Decoding costs CPU and memory in proportion: a 16-bit RGBA raster of this size is 16 MB.
     */
    public static final int MAX_PIXELS = 2048 * 1024;
    /** Images above this (512x512) take one of the decode permits; smaller ones decode at once. */
    static final int LARGE_PIXELS = 512 * 512;
    /** Large images decoded at the same time, at most; beyond it a request is answered 503 at once. */
    static final int LARGE_DECODES = 2;

    static {
        System.setProperty("java.awt.headless", "true");
        ImageIO.setUseCache(false);
    }

    /** The body's reader: NaN and Infinity read as numbers, so that they are refused by name, not as bad JSON. */
    private final JsonFactory streaming;
    private final StrokeRenderer renderer = new StrokeRenderer();
    private final Semaphore largeDecodes;

    public ImageDecoder(ObjectMapper json) {
        this(json, new Semaphore(LARGE_DECODES));
    }

    /** With the permits for large decodes given: a test holds them to see the bound. */
    ImageDecoder(ObjectMapper json, Semaphore largeDecodes) {
        this.streaming = json.getFactory().rebuild().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
        this.largeDecodes = largeDecodes;
    }

    /**
     * Reads {@code {"pixels": [...]}} or {@code {"image": "data:..."}}: the common body by
     * {@link #plainPixels}, any other in one streaming pass, the numbers straight into an array
     * with no tree of 784 nodes in between (this is the hot path of the API). The whole body is
     * read before any problem with its content is reported, so a body that is not valid JSON is
     * always {@code malformed_json}, whatever else is wrong with it.
     */
    public GreyImage fromJson(byte[] body) {
        return drawingFromJson(body).image();
    }

    /**
     * As {@link #fromJson}, and also {@code {"strokes": [[[x, y], ...], ...]}}, rendered by the
     * {@link StrokeRenderer} (limits and error codes: {@link StrokesReader}).
     */
    public Drawing drawingFromJson(byte[] body) {
        float[] plain = plainPixels(body);
        if (plain != null) {
            return Drawing.of(new GreyImage(Mnist.SIDE, Mnist.SIDE, plain));
        }
        JsonBody parsed;
        try (JsonParser parser = streaming.createParser(body)) {
            parsed = JsonBody.read(parser);
        } catch (IOException e) {
            throw new BadInputException("malformed_json", "the body is not valid JSON: " + firstLine(e.getMessage()));
        }
        int inputs = (parsed.hasPixels() ? 1 : 0) + (parsed.hasImage() ? 1 : 0) + (parsed.strokes() != null ? 1 : 0);
        if (inputs > 1) {
            throw new BadInputException("ambiguous_input", "send one of \"pixels\", \"image\" and \"strokes\"");
        }
        if (parsed.strokes() != null) {
            parsed.strokes().check();
            return new Drawing(renderer.render(parsed.strokes().strokes()), parsed.strokes().strokes());
        }
        return Drawing.of(imageFrom(parsed));
    }

    private GreyImage imageFrom(JsonBody parsed) {
        if (parsed.hasPixels()) {
            if (parsed.pixelProblem() != null) {
                throw new BadInputException("invalid_pixels", parsed.pixelProblem());
            }
            return GreyImage.fromIntensities(Mnist.SIDE, Mnist.SIDE, parsed.pixels());
        }
        if (parsed.hasImage()) {
            String image = parsed.image();
            if (image == null || !image.startsWith(DATA_URL_PREFIX)) {
                throw new BadInputException("invalid_image",
                        "\"image\" must be a string starting with " + DATA_URL_PREFIX);
            }
            byte[] png;
            try {
                png = Base64.getDecoder().decode(image.substring(DATA_URL_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("invalid_image", "\"image\" is not valid base64: " + e.getMessage());
            }
            return fromPng(png);
        }
        throw new BadInputException("missing_input", "expected a \"pixels\" array of 784 numbers, an \"image\" data URL"
                + " or \"strokes\"");
    }

    /**
     * The body that nearly every client sends, {@code {"pixels":[784 whole numbers 0-255]}} with
     * any JSON whitespace, read by a plain loop over the bytes; null for anything else, which then
     * goes through the full JSON reader and its error messages. A tokenizer spends most of its time
     * on bookkeeping that 784 small numbers do not need: this is the API's hottest loop. The
     * numbers come back as intensities in [0, 1], exactly as {@link GreyImage#fromIntensities}
     * makes them, with no array of doubles in between.
     */
    static float[] plainPixels(byte[] b) {
        int i = skipSpace(b, 0);
        if (i >= b.length || b[i] != '{') {
            return null;
        }
        i = skipSpace(b, i + 1);
        if (!startsWith(b, i, PIXELS_KEY)) {
            return null;
        }
        i = skipSpace(b, i + PIXELS_KEY.length);
        if (i >= b.length || b[i] != ':') {
            return null;
        }
        i = skipSpace(b, i + 1);
        if (i >= b.length || b[i] != '[') {
            return null;
        }
        float[] values = new float[Mnist.PIXELS];
        for (int k = 0; k < values.length; k++) {
            i = skipSpace(b, i + 1);
            int start = i;
            int value = 0;
            while (i < b.length && b[i] >= '0' && b[i] <= '9' && i - start < 3) {
                value = value * 10 + (b[i++] - '0');
            }
            if (i == start || (b[start] == '0' && i - start > 1) || value > 255) {
                return null;
            }
            values[k] = INTENSITIES[value];
            i = skipSpace(b, i);
            if (i >= b.length || b[i] != (k < values.length - 1 ? ',' : ']')) {
                return null;
            }
        }
        i = skipSpace(b, i + 1);
        if (i >= b.length || b[i] != '}') {
            return null;
        }
        return skipSpace(b, i + 1) == b.length ? values : null;
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (at + prefix.length > b.length) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            if (b[at + j] != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    private static int skipSpace(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /**
     * What a JSON body said, read to its end. {@code pixelProblem} is the first thing wrong with
     * {@code pixels} (null when it is 784 numbers 0-255); {@code image} is null when it was not a string.
     */
    private record JsonBody(boolean hasPixels, double[] pixels, String pixelProblem, boolean hasImage, String image,
                            StrokesReader.Read strokes) {

        static JsonBody read(JsonParser parser) throws IOException {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new BadInputException("malformed_json", "expected a JSON object with \"pixels\" or \"image\"");
            }
            JsonBody body = new JsonBody(false, null, null, false, null, null);
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                parser.nextToken();
                if ("pixels".equals(name)) {
                    body = body.withPixels(parser);
                } else if ("image".equals(name)) {
                    body = new JsonBody(body.hasPixels, body.pixels, body.pixelProblem, true,
                            parser.currentToken() == JsonToken.VALUE_STRING ? parser.getText() : null, body.strokes);
                    parser.skipChildren();
                } else if ("strokes".equals(name)) {
                    body = new JsonBody(body.hasPixels, body.pixels, body.pixelProblem, body.hasImage, body.image,
                            StrokesReader.read(parser));
                } else {
                    parser.skipChildren();
                }
            }
            return body;
        }

        private JsonBody withPixels(JsonParser parser) throws IOException {
            if (parser.currentToken() != JsonToken.START_ARRAY) {
                parser.skipChildren();
                return new JsonBody(true, null, "\"pixels\" must be an array of 784 numbers", hasImage, image, strokes);
            }
            double[] values = new double[Mnist.PIXELS];
            String problem = null;
            int count = 0;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken(), count++) {
                if (token == null) {
                    throw new IOException("the body ends inside \"pixels\"");
                }
                if (problem != null || count >= values.length) {
                    parser.skipChildren();
                    continue;
                }
                double d = token.isNumeric() ? parser.getDoubleValue() : Double.NaN;
                if (!(d >= 0 && d <= 255)) {
                    problem = "pixel " + count + " is " + describe(parser) + ", expected a number 0-255";
                } else {
                    values[count] = d;
                }
            }
            if (count != Mnist.PIXELS) {
                problem = "\"pixels\" must hold 784 numbers (28x28, row-major), got " + count;
            }
            return new JsonBody(true, values, problem, hasImage, image, strokes);
        }

        /** The current value as the client wrote it, shortened; an array or object is skipped. */
        private static String describe(JsonParser parser) throws IOException {
            JsonToken token = parser.currentToken();
            if (token.isStructStart()) {
                parser.skipChildren();
                return token == JsonToken.START_ARRAY ? "an array" : "an object";
            }
            String text = parser.getText();
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            return token == JsonToken.VALUE_STRING ? "\"" + shown + "\"" : shown;
        }
    }

    /**
     * A PNG of up to {@link #MAX_PIXELS}; colour is turned to grey by luminance and transparency
     * composited over black. A large one waits for no one: without a free permit it is refused
     * with {@link DecoderBusyException}.
     */
    public GreyImage fromPng(byte[] png) {
        BufferedImage image;
        int w;
        int h;
        boolean permit = false;
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
                if ((long) w * h > MAX_PIXELS) {
                    throw new BadInputException("invalid_image", "the image is " + w + "x" + h + "; at most "
                            + MAX_PIXELS + " pixels in all (2048x1024, say)");
                }
                if ((long) w * h > LARGE_PIXELS) {
                    permit = largeDecodes.tryAcquire();
                    if (!permit) {
                        throw new DecoderBusyException("the server is decoding as many large images as it takes; "
                                + "retry shortly, or send a smaller image");
                    }
                }
                image = reader.read(0, smallestRaster(reader));
            } finally {
                reader.dispose();
                if (permit) {
                    largeDecodes.release();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException || e instanceof DecoderBusyException) {
                throw (RuntimeException) e;
            }
            throw new BadInputException("invalid_image", "the PNG cannot be decoded: " + firstLine(e.getMessage()));
        }
        return new GreyImage(w, h, toGrey(image, w, h));
    }

    /**
     * The destination the reader offers with the fewest bits a pixel: 8-bit grey for a grey PNG,
     * 3 bytes for RGB instead of an int. (A colour PNG cannot be read straight into grey.)
     */
    private static ImageReadParam smallestRaster(ImageReader reader) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        ImageTypeSpecifier smallest = null;
        for (Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0); types.hasNext(); ) {
            ImageTypeSpecifier type = types.next();
            if (smallest == null || bitsPerPixel(type) < bitsPerPixel(smallest)) {
                smallest = type;
            }
        }
        param.setDestinationType(smallest);
        return param;
    }

    private static int bitsPerPixel(ImageTypeSpecifier type) {
        int bits = 0;
        for (int size : type.getSampleModel().getSampleSize()) {
            bits += size;
        }
        return bits;
    }

    /** Row by row, so that no second copy of the whole image (an int a pixel) is made. */
    private static float[] toGrey(BufferedImage image, int w, int h) {
        float[] grey = new float[w * h];
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRaster().getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    grey[y * w + x] = row[x] / 255f;
                }
            }
            return grey;
        }
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                float alpha = ((p >>> 24) & 0xff) / 255f;
                float luminance = (0.299f * ((p >> 16) & 0xff) + 0.587f * ((p >> 8) & 0xff) + 0.114f * (p & 0xff))
                        / 255f;
                grey[y * w + x] = Math.min(1f, Math.max(0f, luminance * alpha));
            }
        }
        return grey;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
