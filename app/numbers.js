// How MLE Explorer writes a number, in the browser: the rules of numbers.py (read its docstring), for what
// BokehJS writes itself (axis ticks, hover tooltips, slider titles). tests/browser/test_numbers.py checks that
// this file and numbers.py write the same text for the same values.
//
// Function declarations only: the app puts this file at the start of the body of Bokeh's CustomJSTickFormatter
// and CustomJSHover functions. toFixed and toExponential round the float's exact value, halves away from zero,
// as numbers.py does with Decimal's ROUND_HALF_UP.

const MLE_FIGURES = 4;
const MLE_SMALLEST_PLAIN = -3;
const MLE_LARGEST_PLAIN = 5;
const MLE_MOST_FIGURES = 17;
const MLE_MOST_TICK_DECIMALS = 5;
const MLE_MINUS = "\u2212";
const MLE_APPROXIMATELY_ZERO = "\u2248 0";
const MLE_SUPERSCRIPTS = {"-": "\u207b", "0": "\u2070", "1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "4": "\u2074",
                          "5": "\u2075", "6": "\u2076", "7": "\u2077", "8": "\u2078", "9": "\u2079"};

function mleSpecial(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "\u2014";
  if (value === Infinity) return "\u221e";
  if (value === -Infinity) return MLE_MINUS + "\u221e";
  return null;
}

function mleSign(value) {
  return value < 0 ? MLE_MINUS : "";
}

// The power of ten of |value| > 0 once rounded to `figures` significant figures (9.9996 -> 1).
function mleExponent(magnitude, figures) {
  return Number(magnitude.toExponential(figures - 1).split("e")[1]);
}

function mleWithoutTrailingZeros(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

function mleTimesTen(mantissa, power) {
  const superscript = String(power).split("").map((c) => MLE_SUPERSCRIPTS[c]).join("");
  return `${mantissa} \u00d7 10${superscript}`;
}

function mleResolutionDecimals(resolution) {
  return Math.ceil(-Math.log10(resolution) - 1e-9);
}

// numbers.number: `figures` significant figures, more if `resolution` needs them; "≈ 0" if |value| <= noise.
function formatNumber(value, figures = MLE_FIGURES, resolution = null, noise = 0) {
  const special = mleSpecial(value);
  if (special !== null) return special;
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude <= noise) return MLE_APPROXIMATELY_ZERO;
  let power = mleExponent(magnitude, figures);
  if (resolution !== null && Number.isFinite(resolution) && resolution > 0) {
    figures = Math.min(Math.max(figures, power + mleResolutionDecimals(resolution) + 1), MLE_MOST_FIGURES);
    power = mleExponent(magnitude, figures);
  }
  const plain = (MLE_SMALLEST_PLAIN <= power && power <= MLE_LARGEST_PLAIN) ||
    (MLE_LARGEST_PLAIN < power && power <= 15 && figures > power);
  let text;
  if (plain) {
    text = mleWithoutTrailingZeros(magnitude.toFixed(Math.max(figures - 1 - power, 0)));
  } else {
    const mantissa = magnitude.toExponential(figures - 1).split("e")[0];
    text = mleTimesTen(mleWithoutTrailingZeros(mantissa), power);
  }
  return mleSign(value) + text;
}

// numbers.fixed: exactly `decimals` decimals (ℓ: −17.535), "0.000" rather than "−0.000".
function formatFixed(value, decimals = 3) {
  const special = mleSpecial(value);
  if (special !== null) return special;
  if (Math.abs(value) >= 1e15) return formatNumber(value);
  const text = Math.abs(value).toFixed(decimals);
  return (Number(text) === 0 ? "" : mleSign(value)) + text;
}

// numbers.tick_decimals: the decimals that write ticks `spacing` apart exactly (0.25 -> 2).
function mleTickDecimals(spacing) {
  let decimals = Math.max(0, -mleExponent(spacing, 2));
  while (decimals < MLE_MOST_FIGURES && Math.abs(Number(spacing.toFixed(decimals)) - spacing) > 1e-9 * spacing) {
    decimals += 1;
  }
  return decimals;
}

// numbers.ticks: the labels of an axis's ticks, all written alike.
function formatTicks(values) {
  const finite = [...new Set(values.filter((v) => Number.isFinite(v)))].sort((a, b) => a - b);
  const gaps = [];
  for (let i = 1; i < finite.length; i++) if (finite[i] > finite[i - 1]) gaps.push(finite[i] - finite[i - 1]);
  if (gaps.length === 0) return values.map((v) => formatNumber(v));
  const spacing = Math.min(...gaps);
  const top = Math.max(...finite.map((v) => Math.abs(v)));
  const decimals = mleTickDecimals(spacing);
  const zero = (v) => Number.isFinite(v) && Math.abs(v) <= 1e-9 * spacing;
  if (top < 10 ** (MLE_LARGEST_PLAIN + 1) && decimals <= MLE_MOST_TICK_DECIMALS) {
    return values.map((v) => (zero(v) ? "0" : Number.isFinite(v) ? formatFixed(v, decimals) : formatNumber(v)));
  }
  return values.map((v) => (zero(v) ? "0" : formatNumber(v, MLE_FIGURES, spacing, 0)));
}
