package dev.stratus.core.segment;

import java.util.ArrayList;
import java.util.List;

/**
 * The 8-connected components of an image's ink mask. {@link #labels} gives each pixel its
 * component's index plus one (0: background), so that a piece can take exactly its own pixels
 * even where another digit's box overlaps it.
 */
final class InkComponents {

    /** One component: its index, inclusive corners and number of pixels. */
    record Component(int index, int x0, int y0, int x1, int y1, int area) {
        int width() {
            return x1 - x0 + 1;
        }

        int height() {
            return y1 - y0 + 1;
        }
    }

    private final int width;
    private final int[] labels;
    private final List<Component> components;

    private InkComponents(int width, int[] labels, List<Component> components) {
        this.width = width;
        this.labels = labels;
        this.components = components;
    }

    /** Labels the pixels of {@code mask} (a {@code width}-wide image, row-major) by component. */
    static InkComponents of(boolean[] mask, int width) {
        int height = mask.length / width;
        int[] labels = new int[mask.length];
        int[] stack = new int[mask.length];
        List<Component> components = new ArrayList<>();
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || labels[start] != 0) {
                continue;
            }
            int label = components.size() + 1;
            int top = 0;
            stack[top++] = start;
            labels[start] = label;
            int x0 = width, y0 = height, x1 = -1, y1 = -1, area = 0;
            while (top > 0) {
                int p = stack[--top];
                int px = p % width;
                int py = p / width;
                area++;
                x0 = Math.min(x0, px);
                x1 = Math.max(x1, px);
                y0 = Math.min(y0, py);
                y1 = Math.max(y1, py);
                for (int dy = -1; dy <= 1; dy++) {
                    int ny = py + dy;
                    if (ny < 0 || ny >= height) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = px + dx;
                        int q = ny * width + nx;
                        if (nx >= 0 && nx < width && mask[q] && labels[q] == 0) {
                            labels[q] = label;
                            stack[top++] = q;
                        }
                    }
                }
            }
            components.add(new Component(label - 1, x0, y0, x1, y1, area));
        }
        return new InkComponents(width, labels, List.copyOf(components));
    }

    List<Component> components() {
        return components;
    }

    /** The index of the component at (x, y), or -1 for background. */
    int at(int x, int y) {
        return labels[y * width + x] - 1;
    }
}
