use crate::{FONT, PlotError, SIZE, Segment};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// A labelled contour line drawn over a heatmap.
#[derive(Debug, Clone)]
pub struct Contour {
    /// Legend label.
    pub label: String,
    /// The line, as segments.
    pub segments: Vec<Segment>,
}

/// A heatmap over a rectangular grid. Colours run linearly over `scale`, and
/// the colour bar is labelled in the same units, so a colour reads as a value.
#[derive(Debug, Clone)]
pub struct Heatmap {
    /// Title above the plot.
    pub title: String,
    /// Horizontal axis label.
    pub x_label: String,
    /// Vertical axis label.
    pub y_label: String,
    /// Grid coordinates along x (increasing).
    pub xs: Vec<f64>,
    /// Grid coordinates along y (increasing).
    pub ys: Vec<f64>,
    /// `values[iy][ix]`.
    pub values: Vec<Vec<f64>>,
    /// Values mapped to the darkest and brightest colours (values outside are
    /// clamped); a range of zero width is widened to ±0.5 around it.
    pub scale: (f64, f64),
    /// What the colour shows.
    pub colour_label: String,
    /// Lines drawn on top.
    pub contours: Vec<Contour>,
}

impl Heatmap {
    /// Writes the heatmap as an SVG file.
    pub fn write_svg(&self, path: &Path) -> Result<(), PlotError> {
        crate::write_svg(self, path)
    }

    /// Writes the heatmap as a PNG file.
    pub fn write_png(&self, path: &Path) -> Result<(), PlotError> {
        crate::write_png(self, path)
    }

    pub(crate) fn draw<B: DrawingBackend>(&self, root: &DrawingArea<B, Shift>) -> Result<(), String>
    where
        B::ErrorType: 'static,
    {
        let text = |e: DrawingAreaErrorKind<B::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(text)?;
        let (main, legend) = root.split_horizontally(SIZE.0 - 150);
        let (x0, x1) = edges(&self.xs);
        let (y0, y1) = edges(&self.ys);
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(text)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw()
            .map_err(text)?;
        let cells = self.ys.iter().enumerate().flat_map(|(iy, &y)| {
            self.xs
                .iter()
                .enumerate()
                .map(move |(ix, &x)| (ix, iy, x, y))
        });
        chart
            .draw_series(cells.map(|(ix, iy, x, y)| {
                let (cx0, cx1) = cell(&self.xs, ix, x);
                let (cy0, cy1) = cell(&self.ys, iy, y);
                Rectangle::new(
                    [(cx0, cy0), (cx1, cy1)],
                    colour(self.position(self.values[iy][ix])).filled(),
                )
            }))
            .map_err(text)?;
        let palette = [
            BLACK,
            RGBColor(230, 0, 120),
            RGBColor(255, 140, 0),
            RGBColor(0, 160, 90),
        ];
        for (index, contour) in self.contours.iter().enumerate() {
            let style = palette[index % palette.len()].stroke_width(2);
            chart
                .draw_series(
                    contour
                        .segments
                        .iter()
                        .map(|&(a, b)| PathElement::new(vec![a, b], style)),
                )
                .map_err(text)?
                .label(&contour.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        }
        if !self.contours.is_empty() {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font((FONT, 13))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(text)?;
        }
        draw_colour_bar(&legend, &self.colour_label, self.range()).map_err(text)
    }

    /// The colour scale's range, never of zero width.
    fn range(&self) -> (f64, f64) {
        let (lo, hi) = self.scale;
        if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        }
    }

    /// Where `value` falls on the colour scale, from 0 to 1.
    fn position(&self, value: f64) -> f64 {
        let (lo, hi) = self.range();
        (value - lo) / (hi - lo)
    }
}

fn draw_colour_bar<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    label: &str,
    (lo, hi): (f64, f64),
) -> Result<(), DrawingAreaErrorKind<B::ErrorType>> {
    let mut bar = ChartBuilder::on(area)
        .margin_top(30)
        .margin_bottom(57)
        .margin_right(70)
        .y_label_area_size(0)
        .right_y_label_area_size(40)
        .caption(label, (FONT, 14))
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .label_style((FONT, 12))
        .draw()?;
    let steps = 100;
    bar.draw_series((0..steps).map(|i| {
        let (from, to) = (i as f64 / steps as f64, (i + 1) as f64 / steps as f64);
        Rectangle::new(
            [(0.0, lo + from * (hi - lo)), (1.0, lo + to * (hi - lo))],
            colour(0.5 * (from + to)).filled(),
        )
    }))?;
    Ok(())
}

/// Perceptually ordered colour map (viridis anchors, linear in between), for positions in [0, 1].
fn colour(value: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 5] = [
        (68, 1, 84),
        (59, 82, 139),
        (33, 145, 140),
        (94, 201, 98),
        (253, 231, 37),
    ];
    let v = if value.is_finite() {
        value.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let position = v * (ANCHORS.len() - 1) as f64;
    let i = (position.floor() as usize).min(ANCHORS.len() - 2);
    let t = position - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + t * (b as f64 - a as f64)).round() as u8;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Outer edges of a grid whose points are cell centres.
fn edges(points: &[f64]) -> (f64, f64) {
    match points.len() {
        0 => (0.0, 1.0),
        1 => (points[0] - 0.5, points[0] + 0.5),
        n => (
            points[0] - (points[1] - points[0]) / 2.0,
            points[n - 1] + (points[n - 1] - points[n - 2]) / 2.0,
        ),
    }
}

/// Edges of the cell centred on `points[index]`.
fn cell(points: &[f64], index: usize, value: f64) -> (f64, f64) {
    let (lo_edge, hi_edge) = edges(points);
    let lo = if index == 0 {
        lo_edge
    } else {
        0.5 * (points[index - 1] + value)
    };
    let hi = if index + 1 == points.len() {
        hi_edge
    } else {
        0.5 * (value + points[index + 1])
    };
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heatmap(values: Vec<Vec<f64>>, scale: (f64, f64)) -> Heatmap {
        Heatmap {
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            xs: vec![0.0, 1.0],
            ys: vec![0.0],
            values,
            scale,
            colour_label: "welfare".into(),
            contours: Vec::new(),
        }
    }

    #[test]
    fn colours_and_colour_bar_share_the_data_scale() {
        let map = heatmap(vec![vec![-20.0, 40.0]], (-20.0, 40.0));
        assert_eq!(map.position(-20.0), 0.0);
        assert_eq!(map.position(40.0), 1.0);
        let path = std::env::temp_dir().join(format!("accord-heatmap-{}.svg", std::process::id()));
        map.write_svg(&path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        // The bar is labelled in the data's units (it read 0.0 to 1.0 before).
        let labels: Vec<&str> = svg.lines().map(str::trim).collect();
        for label in ["-20.0", "10.0", "40.0"] {
            assert!(
                labels.contains(&label),
                "no label {label} on the colour bar"
            );
        }
    }

    #[test]
    fn a_flat_scale_maps_to_the_middle_colour() {
        let map = heatmap(vec![vec![3.0, 3.0]], (3.0, 3.0));
        assert_eq!(map.position(3.0), 0.5);
    }
}
