/**
 * Chart geometry in percentages of the plot, so that no inline style needs a pixel unit (Taro converts px to rpx or
 * rem only in stylesheets). A line's angle depends on the plot's shape, so the plot has a fixed aspect ratio: its
 * width is the container's and its height a fraction of that width.
 */

/** A value in [0, 100], for bar widths and positions. */
export function clampPercent(value: number): number {
  if (!Number.isFinite(value)) return 0
  return Math.min(100, Math.max(0, value))
}

export interface PlotShape {
  /** Plot height as a fraction of its width. */
  aspect: number
}

export interface PlotPoint {
  /** Percent of the plot's width, from the left. */
  x: number
  /** Percent of the plot's height, from the bottom. */
  y: number
}

export interface PlotSegment {
  /** Where it starts, in percent of the plot (left, bottom). */
  from: PlotPoint
  /** Its length in percent of the plot's width. */
  length: number
  /** Degrees, clockwise as CSS rotate() turns: rising lines are negative. */
  angle: number
}

/** The value range drawn: the data's, widened to at least `minSpan` and padded a little so no point sits on an edge. */
export function valueRange(values: readonly number[], minSpan = 20): { min: number; max: number } {
  if (values.length === 0) return { min: 0, max: minSpan }
  let min = Math.min(...values)
  let max = Math.max(...values)
  if (max - min < minSpan) {
    const middle = (min + max) / 2
    min = middle - minSpan / 2
    max = middle + minSpan / 2
  }
  const pad = (max - min) * 0.1
  return { min: min - pad, max: max + pad }
}

/** Evenly spaced points; a single point sits in the middle. */
export function plotPoints(values: readonly number[], range: { min: number; max: number }): PlotPoint[] {
  const span = range.max - range.min || 1
  return values.map((value, i) => ({
    x: values.length === 1 ? 50 : (i / (values.length - 1)) * 100,
    y: clampPercent(((value - range.min) / span) * 100),
  }))
}

/** The segments joining consecutive points, measured in the plot's real proportions. */
export function plotSegments(points: readonly PlotPoint[], shape: PlotShape): PlotSegment[] {
  const segments: PlotSegment[] = []
  for (let i = 1; i < points.length; i += 1) {
    const from = points[i - 1]
    const to = points[i]
    // In units of the plot's width on both axes.
    const dx = (to.x - from.x) / 100
    const dy = ((to.y - from.y) / 100) * shape.aspect
    segments.push({
      from,
      length: Math.hypot(dx, dy) * 100,
      angle: (-Math.atan2(dy, dx) * 180) / Math.PI,
    })
  }
  return segments
}

/** Rounded for style strings: enough for a screen, short in the rendered markup. */
export const pct = (value: number) => `${Math.round(value * 100) / 100}%`
