import { scaleLossChart, type EpochPoint } from './lossCurve';

const BOX = { width: 320, height: 130, padLeft: 34, padBottom: 16 };

/** Training loss (solid) and validation loss (dashed) per epoch, drawn as the epochs arrive. */
export function LossChart({ points, maxEpochs }: { points: readonly EpochPoint[]; maxEpochs: number }) {
  const c = scaleLossChart(points, maxEpochs, BOX);
  const plotH = BOX.height - BOX.padBottom;
  return (
    <figure className="loss-chart">
      <svg
        width={BOX.width}
        height={BOX.height}
        role="img"
        aria-label="loss per epoch"
        className="chart"
        data-testid="loss-chart"
        data-points={points.length}
      >
        <rect className="frame" x={BOX.padLeft} y={0} width={BOX.width - BOX.padLeft} height={plotH} />
        <text x={BOX.padLeft - 3} y={9} textAnchor="end">
          {c.yMax.toFixed(2)}
        </text>
        <text x={BOX.padLeft - 3} y={plotH} textAnchor="end">
          {c.yMin.toFixed(2)}
        </text>
        <text x={BOX.padLeft} y={BOX.height - 3}>
          1
        </text>
        <text x={BOX.width} y={BOX.height - 3} textAnchor="end">
          epoch {c.xMax}
        </text>
        <polyline className="loss-line" points={c.loss} />
        <polyline className="val-line" points={c.valLoss} />
        {c.lossDots.map((d, i) => (
          <circle key={`l${i}`} className="loss-dot" cx={d.x} cy={d.y} r={2.5} />
        ))}
        {c.valDots.map((d, i) => (
          <circle key={`v${i}`} className="val-dot" cx={d.x} cy={d.y} r={2.5} />
        ))}
      </svg>
      <figcaption className="legend">
        <span className="swatch loss" /> training loss <span className="swatch val" /> validation loss
      </figcaption>
    </figure>
  );
}
