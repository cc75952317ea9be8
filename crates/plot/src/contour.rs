//! Zero-level contours by marching squares.

/// A straight piece of a contour line, from one point to another.
pub type Segment = ((f64, f64), (f64, f64));

/// Line segments where `value(x, y)` crosses zero on the rectangular grid
/// `xs × ys`; `values[iy][ix]` is the value at `(xs[ix], ys[iy])`. Crossings
/// are placed by linear interpolation along cell edges.
pub fn zero_contour(xs: &[f64], ys: &[f64], values: &[Vec<f64>]) -> Vec<Segment> {
    let mut segments = Vec::new();
    for iy in 0..ys.len().saturating_sub(1) {
        for ix in 0..xs.len().saturating_sub(1) {
            // Corners counter-clockwise from bottom-left.
            let corners = [
                (xs[ix], ys[iy], values[iy][ix]),
                (xs[ix + 1], ys[iy], values[iy][ix + 1]),
                (xs[ix + 1], ys[iy + 1], values[iy + 1][ix + 1]),
                (xs[ix], ys[iy + 1], values[iy + 1][ix]),
            ];
            if corners.iter().any(|c| !c.2.is_finite()) {
                continue;
            }
            let mut crossings = Vec::with_capacity(4);
            for edge in 0..4 {
                let (x0, y0, v0) = corners[edge];
                let (x1, y1, v1) = corners[(edge + 1) % 4];
                if (v0 > 0.0) != (v1 > 0.0) {
                    let t = v0 / (v0 - v1);
                    crossings.push((x0 + t * (x1 - x0), y0 + t * (y1 - y0)));
                }
            }
            // Two crossings: one segment; four (a saddle cell): pair them in order.
            for pair in crossings.chunks_exact(2) {
                segments.push((pair[0], pair[1]));
            }
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn straight_line_is_found() {
        // value = y − x: the contour is the diagonal.
        let grid: Vec<f64> = (0..=10).map(|i| i as f64 / 10.0).collect();
        let values: Vec<Vec<f64>> = grid
            .iter()
            .map(|&y| grid.iter().map(|&x| y - x + 0.05).collect())
            .collect();
        let segments = zero_contour(&grid, &grid, &values);
        assert!(!segments.is_empty());
        for ((x0, y0), (x1, y1)) in segments {
            assert!((y0 - x0 + 0.05).abs() < 1e-12);
            assert!((y1 - x1 + 0.05).abs() < 1e-12);
        }
    }
}
