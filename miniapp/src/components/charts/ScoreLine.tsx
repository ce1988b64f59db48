import { Text, View } from '@tarojs/components'
import { pct, plotPoints, plotSegments, valueRange } from './geometry'
import './index.css'

export interface LinePoint {
  key: string
  value: number
  /** Under the axis, shown for the first and the last point (dates). */
  label: string
  /** Over the point (a rating where it changed). */
  note?: string
}

interface Props {
  points: LinePoint[]
  /** The smallest value span drawn, so that a steady score does not look like a cliff. */
  minSpan?: number
}

/** The frame's height as a fraction of its width, and the plot's place in it (percent of the frame). */
const FRAME_ASPECT = 0.45
const INSET = { top: 18, bottom: 8, left: 6, right: 6 }
const PLOT_ASPECT = (FRAME_ASPECT * (100 - INSET.top - INSET.bottom)) / (100 - INSET.left - INSET.right)

/**
 * A line chart built from views: a dot per point, and a bar per segment rotated about its left end with a CSS
 * transform. Everything is placed in percentages of a frame of fixed proportions (its padding-bottom), which
 * renders the same in WeChat and H5 and needs no canvas or chart library.
 */
export default function ScoreLine({ points, minSpan = 20 }: Props) {
  const range = valueRange(
    points.map((p) => p.value),
    minSpan,
  )
  const placed = plotPoints(
    points.map((p) => p.value),
    range,
  )
  const segments = plotSegments(placed, { aspect: PLOT_ASPECT })
  const first = points[0]
  const last = points[points.length - 1]

  return (
    <View className='score-line' data-testid='score-line'>
      <View className='score-line__frame' style={{ paddingBottom: pct(FRAME_ASPECT * 100) }}>
        <View
          className='score-line__plot'
          style={{ top: pct(INSET.top), bottom: pct(INSET.bottom), left: pct(INSET.left), right: pct(INSET.right) }}
        >
          {segments.map((segment, i) => (
            <View
              key={`segment-${points[i].key}`}
              className='score-line__segment'
              data-testid='score-line-segment'
              style={{
                left: pct(segment.from.x),
                bottom: pct(segment.from.y),
                width: pct(segment.length),
                transform: `translateY(50%) rotate(${Math.round(segment.angle * 100) / 100}deg)`,
              }}
            />
          ))}
          {points.map((point, i) => (
            <View key={point.key}>
              <View
                className='score-line__point'
                data-testid='score-line-point'
                data-value={String(point.value)}
                style={{ left: pct(placed[i].x), bottom: pct(placed[i].y) }}
              />
              {point.note ? (
                <Text className='score-line__note' data-testid='score-line-note' style={{ left: pct(placed[i].x), bottom: pct(placed[i].y) }}>
                  {point.note}
                </Text>
              ) : null}
            </View>
          ))}
        </View>
      </View>
      {first ? (
        <View className='score-line__axis' style={{ paddingLeft: pct(INSET.left), paddingRight: pct(INSET.right) }}>
          <Text data-testid='score-line-from'>{first.label}</Text>
          {last !== first ? <Text data-testid='score-line-to'>{last.label}</Text> : null}
        </View>
      ) : null}
    </View>
  )
}
