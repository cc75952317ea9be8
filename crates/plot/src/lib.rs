//! Plots for Accord's reports: heatmaps with contour overlays (phase
//! diagrams) and line charts with confidence bands, each written as SVG and as
//! PNG.
//!
//! PNG text is rendered with an embedded copy of DejaVu Sans (licence in
//! `assets/DejaVuSans-LICENSE.txt`), so plots look the same on a machine
//! without any system fonts.

mod bar;
mod contour;
mod heatmap;
mod line;

pub use bar::{Bar, BarChart};
pub use contour::{Segment, zero_contour};
pub use heatmap::{Contour, Heatmap};
pub use line::{LineChart, Series};

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};
use std::path::Path;
use std::sync::Once;

/// Why a plot could not be written.
#[derive(Debug, thiserror::Error)]
#[error("could not draw {path}: {message}")]
pub struct PlotError {
    /// File being written.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

impl PlotError {
    fn new(path: &Path, error: impl std::fmt::Display) -> Self {
        Self {
            path: path.display().to_string(),
            message: error.to_string(),
        }
    }
}

const FONT: &str = "sans-serif";

fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../assets/DejaVuSans.ttf");
        if plotters::style::register_font(FONT, plotters::style::FontStyle::Normal, bytes).is_err()
        {
            panic!("the embedded DejaVu Sans font is invalid");
        }
    });
}

/// Pixel size of every plot.
const SIZE: (u32, u32) = (900, 640);

/// A plot that draws itself on any plotters backend.
trait Draw {
    fn draw_on<B: DrawingBackend>(&self, root: &DrawingArea<B, Shift>) -> Result<(), String>
    where
        B::ErrorType: 'static;
}

macro_rules! drawable {
    ($($plot:ty),*) => {$(
        impl Draw for $plot {
            fn draw_on<B: DrawingBackend>(&self, root: &DrawingArea<B, Shift>) -> Result<(), String>
            where
                B::ErrorType: 'static,
            {
                self.draw(root)
            }
        }
    )*};
}

drawable!(Heatmap, LineChart, BarChart);

fn write_svg(plot: &impl Draw, path: &Path) -> Result<(), PlotError> {
    register_font();
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    plot.draw_on(&root).map_err(|e| PlotError::new(path, e))?;
    root.present().map_err(|e| PlotError::new(path, e))
}

fn write_png(plot: &impl Draw, path: &Path) -> Result<(), PlotError> {
    register_font();
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    plot.draw_on(&root).map_err(|e| PlotError::new(path, e))?;
    root.present().map_err(|e| PlotError::new(path, e))
}
