package dev.stratus.core.image;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Grey images as 8-bit grey PNG files: what the number generator writes and evaluation reads. */
public final class GreyPng {

    static {
        System.setProperty("java.awt.headless", "true");
        ImageIO.setUseCache(false);
    }

    private GreyPng() {
    }

    public static void write(GreyImage image, Path file) throws IOException {
        BufferedImage png = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] bytes = new byte[image.width() * image.height()];
        float[] pixels = image.pixels();
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Math.round(pixels[i] * 255f);
        }
        png.getRaster().setDataElements(0, 0, image.width(), image.height(), bytes);
        if (!ImageIO.write(png, "png", file.toFile())) {
            throw new IOException(file + ": no PNG writer in this Java runtime");
        }
    }

    /** Any PNG, colours to grey (transparent pixels over black); the error names the file. */
    public static GreyImage read(Path file) throws IOException {
        BufferedImage png;
        try {
            png = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a readable PNG (" + e.getMessage() + ")", e);
        }
        if (png == null) {
            throw new IOException(file + ": not a PNG or other image that Java can read");
        }
        BufferedImage grey = png;
        if (png.getType() != BufferedImage.TYPE_BYTE_GRAY) {
            grey = new BufferedImage(png.getWidth(), png.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
            Graphics2D g = grey.createGraphics();
            g.drawImage(png, 0, 0, null);
            g.dispose();
        }
        byte[] bytes = (byte[]) grey.getRaster().getDataElements(0, 0, grey.getWidth(), grey.getHeight(), null);
        return GreyImage.fromUnsignedBytes(grey.getWidth(), grey.getHeight(), bytes, 0);
    }
}
