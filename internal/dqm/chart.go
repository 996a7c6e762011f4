package dqm

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	imagedraw "image/draw"
	"image/png"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The size of a chart PNG in pixels (the <img> width and height) and the resolution it is drawn at.
const (
	chartWidthPx  = 640
	chartHeightPx = 280
	chartDPI      = 96
	// chartFontVariant is the Liberation font of every chart text (the plot default is serif).
	chartFontVariant = "Sans"
)

// Chart colours: bars, the alert threshold and the auto-exit threshold.
var (
	chartBarColor   = color.RGBA{R: 0x4a, G: 0x78, B: 0xa8, A: 0xff}
	chartAlertColor = color.RGBA{R: 0xd9, G: 0x8a, B: 0x00, A: 0xff}
	chartExitColor  = color.RGBA{R: 0xc0, G: 0x1c, B: 0x28, A: 0xff}
)

// chartBucketLow and chartBucketHigh are the first and last day of each bucket of BucketLabels
// (the last bucket is open-ended).
var (
	chartBucketLow  = [6]int{0, 31, 61, 91, 181, 366}
	chartBucketHigh = [6]int{30, 60, 90, 180, 365, 0}
)

// bucketChart draws open enrollments by days since last activity as a bar chart PNG of
// chartWidthPx×chartHeightPx, with the alert and auto-exit thresholds (when not nil) marked by
// vertical lines in the bucket where the threshold day falls.
func bucketChart(title string, buckets [6]int, alertDays, exitDays *int) ([]byte, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "days since last activity"
	p.Y.Label.Text = "open enrollments"
	p.NominalX(BucketLabels[:]...)
	p.Y.Tick.Marker = plot.TickerFunc(chartIntTicks)
	for _, st := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label} {
		st.Font.Variant = chartFontVariant
	}

	vals := make(plotter.Values, len(buckets))
	top := 0
	for i, n := range buckets {
		vals[i] = float64(n)
		top = max(top, n)
	}
	yMax := math.Max(1, float64(top)*1.2)
	p.Y.Min, p.Y.Max = 0, yMax

	bars, err := plotter.NewBarChart(vals, vg.Points(48))
	if err != nil {
		return nil, fmt.Errorf("dqm: bar chart: %w", err)
	}
	bars.Color = chartBarColor
	bars.LineStyle.Width = 0
	p.Add(bars)
	if err := chartAddCounts(p, buckets); err != nil {
		return nil, err
	}
	if alertDays != nil {
		// the alert label goes on the side away from the exit line, so the two never cross
		left := exitDays != nil && *alertDays <= *exitDays
		if err := chartAddThreshold(p, *alertDays, yMax*0.98, "alert", chartAlertColor, left); err != nil {
			return nil, err
		}
	}
	if exitDays != nil {
		left := alertDays != nil && *alertDays > *exitDays
		if err := chartAddThreshold(p, *exitDays, yMax*0.98, "exit", chartExitColor, left); err != nil {
			return nil, err
		}
	}
	return chartPNG(p)
}

// chartPNG renders p at exactly chartWidthPx×chartHeightPx pixels.
func chartPNG(p *plot.Plot) ([]byte, error) {
	w := vg.Length(chartWidthPx) * vg.Inch / chartDPI
	h := vg.Length(chartHeightPx) * vg.Inch / chartDPI
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(chartDPI))
	p.Draw(draw.New(c))
	// A paletted PNG is a third the size of an RGBA one, and the page is mailed.
	src := c.Image()
	img := image.NewPaletted(src.Bounds(), chartPalette())
	imagedraw.Draw(img, img.Bounds(), src, src.Bounds().Min, imagedraw.Src)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("dqm: chart png: %w", err)
	}
	return buf.Bytes(), nil
}

// chartPalette is every colour a chart has: each of black and the chart colours blended with the
// white background in 64 steps (what antialiasing draws), 256 in all.
func chartPalette() color.Palette {
	const steps = 64
	var pal color.Palette
	for _, base := range []color.RGBA{{A: 0xff}, chartBarColor, chartAlertColor, chartExitColor} {
		for i := range steps {
			t := float64(i) / (steps - 1)
			mix := func(v uint8) uint8 { return uint8(math.Round(float64(v)*t + 255*(1-t))) }
			pal = append(pal, color.RGBA{R: mix(base.R), G: mix(base.G), B: mix(base.B), A: 0xff})
		}
	}
	return pal
}

// chartAddCounts writes each bucket's count above its bar.
func chartAddCounts(p *plot.Plot, buckets [6]int) error {
	xys := plotter.XYLabels{XYs: make(plotter.XYs, len(buckets)), Labels: make([]string, len(buckets))}
	for i, n := range buckets {
		xys.XYs[i] = plotter.XY{X: float64(i), Y: float64(n)}
		xys.Labels[i] = groupThousands(int64(n))
	}
	labels, err := plotter.NewLabels(xys)
	if err != nil {
		return fmt.Errorf("dqm: chart counts: %w", err)
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].Font.Variant = chartFontVariant
		labels.TextStyle[i].XAlign = draw.XCenter
		labels.TextStyle[i].YAlign = draw.YBottom
	}
	labels.Offset = vg.Point{Y: vg.Points(2)}
	p.Add(labels)
	return nil
}

// chartAddThreshold marks a threshold of days with a dashed vertical line labelled
// "<name> <days> d" at height labelY, on the line's left (leftOfLine) or right.
func chartAddThreshold(p *plot.Plot, days int, labelY float64, name string, c color.Color, leftOfLine bool) error {
	x := chartThresholdX(days)
	line, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: p.Y.Max}})
	if err != nil {
		return fmt.Errorf("dqm: chart %s line: %w", name, err)
	}
	line.Color = c
	line.Width = vg.Points(1.5)
	line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	labels, err := plotter.NewLabels(plotter.XYLabels{
		XYs:    plotter.XYs{{X: x, Y: labelY}},
		Labels: []string{fmt.Sprintf("%s %d d", name, days)},
	})
	if err != nil {
		return fmt.Errorf("dqm: chart %s label: %w", name, err)
	}
	labels.TextStyle[0].Color = c
	labels.TextStyle[0].Font.Variant = chartFontVariant
	labels.TextStyle[0].XAlign = draw.XLeft
	labels.TextStyle[0].YAlign = draw.YTop
	labels.Offset = vg.Point{X: vg.Points(3)}
	if leftOfLine {
		labels.TextStyle[0].XAlign = draw.XRight
		labels.Offset.X = -labels.Offset.X
	}
	p.Add(line, labels)
	return nil
}

// chartThresholdX places a threshold day on the nominal X axis, where bucket i spans i-0.5 to
// i+0.5: inside the bucket the day falls in, in proportion to its place in that bucket (the
// last day of a bucket is its right edge); the open-ended last bucket gets its middle.
func chartThresholdX(days int) float64 {
	days = max(days, 0)
	i := BucketOf(days)
	if i == len(chartBucketLow)-1 {
		return float64(i)
	}
	lo, hi := chartBucketLow[i], chartBucketHigh[i]
	return float64(i) - 0.5 + float64(days-lo+1)/float64(hi-lo+1)
}

// chartIntTicks are the default ticks of the Y axis kept to whole numbers (counts), labelled with
// thousands separators.
func chartIntTicks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value != math.Trunc(t.Value) {
			continue
		}
		if t.Label != "" {
			t.Label = groupThousands(int64(t.Value))
		}
		ticks = append(ticks, t)
	}
	return ticks
}
