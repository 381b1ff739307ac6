package dev.stratus.server.web;

import java.util.List;

/**
 * An offline, axe-style contrast check run in the page: every visible text against the colour
 * behind it (>= 4.5:1), and the graphics that carry meaning (each chart bar, the number boxes
 * over the black canvas, the focus ring of the focused control) against theirs (>= 3:1), with
 * WCAG 2's relative luminance. Colours are the computed ones, backgrounds composited from the
 * ancestors up to the first opaque one; disabled, stale (faded) and visually hidden elements are
 * left out, as WCAG leaves them out.
 */
final class ContrastAudit {
    static final double TEXT = 4.5;
    static final double GRAPHIC = 3.0;

    private static final String SCRIPT = """
            const [TEXT, GRAPHIC] = [arguments[0], arguments[1]];
            const parse = (c) => {
              const m = /rgba?\\(([^)]+)\\)/.exec(c);
              if (!m) return null;
              const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
              return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
            };
            const over = (top, bottom) => ({
              r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
              b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
            const background = (node) => {
              if (node.closest('.boxes')) return { r: 0, g: 0, b: 0, a: 1 };
              const layers = [];
              for (let n = node; n; n = n.parentElement) {
                const c = parse(getComputedStyle(n).backgroundColor);
                if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
              }
              return layers.reverse().reduce((below, c) => over(c, below), { r: 255, g: 255, b: 255, a: 1 });
            };
            const lum = (c) => {
              const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
              return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
            };
            const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
            const faded = (node) => {
              for (let n = node; n; n = n.parentElement) if (Number(getComputedStyle(n).opacity) < 1) return true;
              return false;
            };
            const visible = (node) => {
              const r = node.getBoundingClientRect();
              return r.width > 1 && r.height > 1 && getComputedStyle(node).visibility !== 'hidden';
            };
            const name = (n) => n.tagName.toLowerCase() + (n.id ? '#' + n.id : '')
              + (n.className && typeof n.className === 'string' ? '.' + n.className.trim().split(/\\s+/).join('.') : '');
            const failures = [];
            let checked = 0;
            for (const node of document.body.querySelectorAll('*')) {
              const ownText = Array.from(node.childNodes).some((c) => c.nodeType === 3 && c.textContent.trim());
              if (!ownText || !visible(node) || faded(node) || node.closest(':disabled, .visually-hidden')) continue;
              const bg = background(node);
              const r = ratio(over(parse(getComputedStyle(node).color), bg), bg);
              checked++;
              if (r < TEXT) failures.push(`text ${name(node)} "${node.textContent.trim().slice(0, 30)}" ${r.toFixed(2)}:1`);
            }
            const graphic = (what, node, colour) => {
              const bg = background(node.parentElement || node);
              const r = ratio(over(parse(colour), bg), bg);
              checked++;
              if (r < GRAPHIC) failures.push(`${what} ${name(node)} ${r.toFixed(2)}:1`);
            };
            document.querySelectorAll('#chart .bar-fill').forEach((fill) => {
              if (visible(fill.parentElement)) graphic('bar', fill, getComputedStyle(fill).backgroundColor);
            });
            document.querySelectorAll('.digit-box').forEach((box) => graphic('box', box, getComputedStyle(box).borderTopColor));
            const focused = document.activeElement;
            if (focused && focused !== document.body && getComputedStyle(focused).outlineStyle !== 'none') {
              graphic('focus ring', focused, getComputedStyle(focused).outlineColor);
            }
            return { checked, failures };""";

    /** What was checked, and what fell short. */
    record Result(long checked, List<String> failures) {
    }

    private ContrastAudit() {
    }

    static Result run(BrowserPage page) {
        java.util.Map<?, ?> result = (java.util.Map<?, ?>) page.js(SCRIPT, TEXT, GRAPHIC);
        List<String> failures = ((List<?>) result.get("failures")).stream().map(String::valueOf).toList();
        return new Result(((Number) result.get("checked")).longValue(), failures);
    }
}
