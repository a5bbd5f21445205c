// WCAG 2 contrast between two colours, as CSS writes them (`#rrggbb`, `#rgb`) or as a browser computes them (`rgb(r, g, b)`).

function channels(color: string): [number, number, number] {
  const full = color.replace(/^#([0-9a-f])([0-9a-f])([0-9a-f])$/i, '#$1$1$2$2$3$3');
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(full);
  const rgb = /^rgba?\((\d+), (\d+), (\d+)/.exec(color);
  const parts = hex ? hex.slice(1).map((part) => parseInt(part, 16)) : rgb?.slice(1).map(Number);
  if (parts?.length !== 3) throw new Error(`not a colour this helper reads: ${color}`);
  return parts as [number, number, number];
}

/** Relative luminance, 0 (black) to 1 (white). */
function luminance(color: string): number {
  const [r, g, b] = channels(color).map((value) => {
    const c = value / 255;
    return c <= 0.039_28 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio, 1 to 21; WCAG asks 3 or more of a focus indicator against what is next to it. */
export function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
