use crate::{FONT, PlotError};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One bar with an optional interval.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Category label under the bar.
    pub label: String,
    /// Height.
    pub value: f64,
    /// `(low, high)` whisker.
    pub interval: Option<(f64, f64)>,
}

/// A bar chart, grouped into series drawn side by side.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Title above the plot.
    pub title: String,
    /// Vertical axis label.
    pub y_label: String,
    /// Series names (legend) and their bars; every series has the same categories.
    pub series: Vec<(String, Vec<Bar>)>,
}

impl BarChart {
    /// Writes the chart as an SVG file.
    pub fn write_svg(&self, path: &Path) -> Result<(), PlotError> {
        crate::write_svg(self, path)
    }

    /// Writes the chart as a PNG file.
    pub fn write_png(&self, path: &Path) -> Result<(), PlotError> {
        crate::write_png(self, path)
    }

    pub(crate) fn draw<B: DrawingBackend>(&self, root: &DrawingArea<B, Shift>) -> Result<(), String>
    where
        B::ErrorType: 'static,
    {
        let text = |e: DrawingAreaErrorKind<B::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(text)?;
        let categories: Vec<String> = self
            .series
            .first()
            .map(|(_, bars)| bars.iter().map(|b| b.label.clone()).collect())
            .unwrap_or_default();
        let values = self.series.iter().flat_map(|(_, bars)| {
            bars.iter().flat_map(|b| {
                [
                    b.value,
                    b.interval.map_or(b.value, |i| i.0),
                    b.interval.map_or(b.value, |i| i.1),
                ]
            })
        });
        let (lo, hi) = values
            .filter(|v| v.is_finite())
            .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let pad = 0.08 * (hi - lo).max(1e-9);
        let n = categories.len().max(1) as f64;
        if categories.len() > 8 {
            return self.draw_horizontal(root, &categories, lo - pad, hi + pad);
        }
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 20))
            .margin(14)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..n - 0.5, (lo - pad)..(hi + pad))
            .map_err(text)?;
        let label = |x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-9 && i >= 0.0 {
                categories.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(categories.len().max(1))
            .x_label_formatter(&label)
            .y_desc(&self.y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 16))
            .draw()
            .map_err(text)?;
        let groups = self.series.len().max(1) as f64;
        let width = 0.8 / groups;
        for (s, (name, bars)) in self.series.iter().enumerate() {
            let colour = Palette99::pick(s).to_rgba();
            let offset = -0.4 + width * s as f64;
            chart
                .draw_series(bars.iter().enumerate().map(|(i, b)| {
                    let x0 = i as f64 + offset;
                    Rectangle::new([(x0, 0.0), (x0 + width * 0.9, b.value)], colour.filled())
                }))
                .map_err(text)?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled())
                });
            chart
                .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
                    let (low, high) = b.interval?;
                    let x = i as f64 + offset + width * 0.45;
                    Some(PathElement::new(
                        vec![(x, low), (x, high)],
                        BLACK.stroke_width(2),
                    ))
                }))
                .map_err(text)?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, 0.0), (n - 0.5, 0.0)],
                BLACK,
            )))
            .map_err(text)?;
        if self.series.len() > 1 {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font((FONT, 13))
                .draw()
                .map_err(text)?;
        }
        Ok(())
    }

    /// Many categories: bars run horizontally so every label fits on its own line.
    fn draw_horizontal<B: DrawingBackend>(
        &self,
        root: &DrawingArea<B, Shift>,
        categories: &[String],
        lo: f64,
        hi: f64,
    ) -> Result<(), String>
    where
        B::ErrorType: 'static,
    {
        let text = |e: DrawingAreaErrorKind<B::ErrorType>| e.to_string();
        let n = categories.len() as f64;
        let widest = categories
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(1) as u32;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 20))
            .margin(14)
            .x_label_area_size(45)
            .y_label_area_size(20 + 7 * widest)
            .build_cartesian_2d(lo..hi, -0.5..n - 0.5)
            .map_err(text)?;
        let label = |y: &f64| {
            let i = y.round();
            if (y - i).abs() < 1e-9 && i >= 0.0 {
                categories.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(categories.len())
            .y_label_formatter(&label)
            .x_desc(&self.y_label)
            .label_style((FONT, 11))
            .axis_desc_style((FONT, 16))
            .draw()
            .map_err(text)?;
        let groups = self.series.len().max(1) as f64;
        let height = 0.8 / groups;
        for (s, (name, bars)) in self.series.iter().enumerate() {
            let colour = Palette99::pick(s).to_rgba();
            let offset = -0.4 + height * s as f64;
            chart
                .draw_series(bars.iter().enumerate().map(|(i, b)| {
                    let y0 = i as f64 + offset;
                    Rectangle::new([(0.0, y0), (b.value, y0 + height * 0.9)], colour.filled())
                }))
                .map_err(text)?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled())
                });
            chart
                .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
                    let (low, high) = b.interval?;
                    let y = i as f64 + offset + height * 0.45;
                    Some(PathElement::new(
                        vec![(low, y), (high, y)],
                        BLACK.stroke_width(2),
                    ))
                }))
                .map_err(text)?;
        }
        Ok(())
    }
}
