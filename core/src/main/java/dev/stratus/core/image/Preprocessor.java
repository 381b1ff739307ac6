package dev.stratus.core.image;

/**
 * Turns a grey image of any size into what the network sees, the way the MNIST images were made:
 * crop to the ink's bounding box, scale the longer side to 20 px keeping the aspect ratio
 * (anti-aliased), paste into 28x28 with the centre of mass at the centre, stretch to [0, 1].
 *
 * <p>Polarity: the background is whatever the image border shows. The median of the outermost
 * ring of pixels is taken as the background level; when it is brighter than mid-grey the image
 * is inverted (dark ink on paper), and the background level is subtracted so that a grey
 * photograph's paper becomes black. A canvas drawn white on black and MNIST itself pass
 * unchanged.
 *
 * <p>One instance is shared by training, evaluation and serving; it holds no state.
 */
public final class Preprocessor {

    /** Below this intensity (after background removal), relative to the brightest ink, a pixel is not ink. */
    public static final float INK_THRESHOLD = 0.2f;
    /** An image whose brightest ink is fainter than this is blank. */
    public static final float MIN_INK = 0.05f;
    /**
     * Where the centre of mass lands, in pixel-centre coordinates. Measured on the 60,000 MNIST
     * training images (mean 14.2 columns, 14.6 rows is what LeCun's data show before rounding to
     * whole pixels); 14 - 0.5 puts it on the geometric centre of the 28x28 field.
     */
    static final float CENTRE = (Mnist.SIDE - 1) / 2f;
    /** Half of one grey level out of 255. */
    static final float FAINTEST = 0.5f / 255;

    public DigitImage apply(GreyImage image) {
        float[] ink = inkOnBlack(image);
        int w = image.width();
        int h = image.height();

        float max = 0f;
        for (float v : ink) {
            max = Math.max(max, v);
        }
        if (max < MIN_INK) {
            throw new BlankImageException("the image has no ink: it is blank or has no contrast");
        }

        float threshold = INK_THRESHOLD * max;
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (ink[y * w + x] >= threshold) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        int cw = x1 - x0 + 1;
        int ch = y1 - y0 + 1;
        float scale = (float) Mnist.INK_BOX / Math.max(cw, ch);
        int tw = Math.max(1, Math.round(cw * scale));
        int th = Math.max(1, Math.round(ch * scale));
        float[] boxed = Resampling.resize(ink, w, x0, y0, cw, ch, tw, th);

        return centreByMass(boxed, tw, th);
    }

    /**
     * Intensities with the background at 0 and ink towards 1, whatever the input's polarity; read
     * only (it may be the image's own array). Segmentation reads the ink the same way.
     */
    public static float[] inkOnBlack(GreyImage image) {
        float background = borderMedian(image);
        boolean darkInk = background > 0.5f;
        float level = darkInk ? 1f - background : background;
        float range = 1f - level;
        float[] src = image.pixels();
        if (!darkInk && level == 0f) {
            // Already bright ink on black (a canvas, MNIST): the intensities are the ink as they
            // are, and nothing here writes to them, so they are not copied.
            return src;
        }
        float[] ink = new float[src.length];
        if (range <= 0f) {
            return ink;
        }
        for (int i = 0; i < src.length; i++) {
            float v = darkInk ? 1f - src[i] : src[i];
            ink[i] = Math.max(0f, (v - level) / range);
        }
        return ink;
    }

    static float borderMedian(GreyImage image) {
        int w = image.width();
        int h = image.height();
        if (w <= 2 || h <= 2) {
            return 0f;
        }
        float[] ring = new float[2 * w + 2 * (h - 2)];
        int n = 0;
        for (int x = 0; x < w; x++) {
            ring[n++] = image.at(x, 0);
            ring[n++] = image.at(x, h - 1);
        }
        for (int y = 1; y < h - 1; y++) {
            ring[n++] = image.at(0, y);
            ring[n++] = image.at(w - 1, y);
        }
        java.util.Arrays.sort(ring);
        return ring[n / 2];
    }

    private static DigitImage centreByMass(float[] boxed, int tw, int th) {
        double mass = 0, mx = 0, my = 0;
        float max = 0f;
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                float v = boxed[y * tw + x];
                mass += v;
                mx += v * x;
                my += v * y;
                max = Math.max(max, v);
            }
        }
        int dx = Math.round(CENTRE - (float) (mx / mass));
        int dy = Math.round(CENTRE - (float) (my / mass));
        float[] out = new float[Mnist.PIXELS];
        for (int y = 0; y < th; y++) {
            int ty = y + dy;
            if (ty < 0 || ty >= Mnist.SIDE) {
                continue;
            }
            for (int x = 0; x < tw; x++) {
                int tx = x + dx;
                if (tx >= 0 && tx < Mnist.SIDE) {
                    float v = boxed[y * tw + x] / max;
                    // Below half a grey level is background; dropping it also keeps denormal
                    // floats, which make CPU arithmetic crawl, out of the network.
                    out[ty * Mnist.SIDE + tx] = v < FAINTEST ? 0f : Math.min(1f, v);
                }
            }
        }
        return new DigitImage(out);
    }
}
