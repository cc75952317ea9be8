//! Tradable permits (safety credits) with quadratic abatement costs.
//!
//! Source: W. D. Montgomery, "Markets in licenses and efficient pollution
//! control programs", Journal of Economic Theory 5, 395–418 (1972).
//!
//! Firm `i` abates `a_i` at cost `c_i·a_i²/2`; the regulator requires total
//! abatement `A` and lets firms trade the obligation. In the competitive
//! equilibrium every firm abates until its marginal cost equals the permit
//! price `λ`:
//!
//! ```text
//! λ = A / Σ_j (1/c_j),      a_i = λ / c_i,      total cost = λ·A/2,
//! ```
//!
//! the least-cost way to reach `A`, whatever the initial allocation of
//! obligations `e_i` (Montgomery's theorem): firm `i` buys `a_i − e_i` permits'
//! worth of abatement from others (sells if negative) at `λ`.

use crate::GameError;
use serde::Serialize;

/// The market equilibrium.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PermitMarket {
    /// `λ`: the clearing price per unit of abatement.
    pub price: f64,
    /// `a_i`: abatement by each firm.
    pub abatement: Vec<f64>,
    /// Units each firm buys (negative: sells), `e_i − a_i` of obligation moved.
    pub net_purchases: Vec<f64>,
    /// `Σ c_i a_i²/2`, the least cost of abating `A`.
    pub total_cost: f64,
}

/// The equilibrium for cost slopes `c_i > 0`, total requirement `A ≥ 0`, and
/// initial obligations `e_i` (summing to `A`).
pub fn clear(
    cost_slopes: &[f64],
    requirement: f64,
    obligations: &[f64],
) -> Result<PermitMarket, GameError> {
    let valid = !cost_slopes.is_empty()
        && cost_slopes.iter().all(|c| c.is_finite() && *c > 0.0)
        && requirement.is_finite()
        && requirement >= 0.0
        && obligations.len() == cost_slopes.len()
        && obligations.iter().all(|e| e.is_finite());
    if !valid {
        return Err(GameError::InvalidModel(
            "a permit market needs cost slopes > 0, a finite requirement ≥ 0 and one finite obligation per firm".into(),
        ));
    }
    let allocated: f64 = obligations.iter().sum();
    if (allocated - requirement).abs() > 1e-9 * requirement.max(1.0) {
        return Err(GameError::InvalidModel(format!(
            "initial obligations sum to {allocated}, not to the requirement {requirement}"
        )));
    }
    let price = requirement / cost_slopes.iter().map(|c| 1.0 / c).sum::<f64>();
    let abatement: Vec<f64> = cost_slopes.iter().map(|c| price / c).collect();
    let net_purchases = obligations
        .iter()
        .zip(&abatement)
        .map(|(e, a)| e - a)
        .collect();
    let total_cost = cost_slopes
        .iter()
        .zip(&abatement)
        .map(|(c, a)| c * a * a / 2.0)
        .sum();
    Ok(PermitMarket {
        price,
        abatement,
        net_purchases,
        total_cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marginal_costs_equal_the_price_and_the_market_clears() {
        let market = clear(&[1.0, 2.0, 4.0], 14.0, &[14.0, 0.0, 0.0]).unwrap();
        assert!((market.price - 8.0).abs() < 1e-12);
        for (c, a) in [1.0, 2.0, 4.0].iter().zip(&market.abatement) {
            assert!((c * a - market.price).abs() < 1e-12);
        }
        assert!((market.abatement.iter().sum::<f64>() - 14.0).abs() < 1e-12);
        assert!(market.net_purchases.iter().sum::<f64>().abs() < 1e-12);
        assert!((market.total_cost - market.price * 14.0 / 2.0).abs() < 1e-12);
    }

    #[test]
    fn no_other_split_is_cheaper_and_the_allocation_does_not_matter() {
        let slopes = [1.0, 3.0, 0.5, 2.0];
        let market = clear(&slopes, 10.0, &[2.5; 4]).unwrap();
        let other = clear(&slopes, 10.0, &[10.0, 0.0, 0.0, 0.0]).unwrap();
        assert_eq!(market.abatement, other.abatement);
        // Moving δ of abatement between any two firms raises the cost.
        for i in 0..4 {
            for j in 0..4 {
                if i == j {
                    continue;
                }
                let mut a = market.abatement.clone();
                a[i] += 0.01;
                a[j] -= 0.01;
                let cost: f64 = slopes.iter().zip(&a).map(|(c, x)| c * x * x / 2.0).sum();
                assert!(cost > market.total_cost);
            }
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(clear(&[1.0, 0.0], 1.0, &[1.0, 0.0]).is_err());
        assert!(clear(&[1.0], 1.0, &[0.5]).is_err());
    }
}
