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
//! obligations `e_i` (Montgomery's theorem): firm `i` buys `e_i − a_i` units
//! of abatement from others at `λ`, the part of its obligation it does not
//! abate itself (sells `a_i − e_i` if it abates more than its obligation).

use crate::GameError;
use serde::Serialize;

/// The market equilibrium.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PermitMarket {
    /// `λ`: the clearing price per unit of abatement.
    pub price: f64,
    /// `a_i`: abatement by each firm.
    pub abatement: Vec<f64>,
    /// `e_i − a_i`: units of abatement each firm buys from others, the part of
    /// its obligation it does not abate itself (negative: it abates more and
    /// sells the excess).
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
    if cost_slopes.is_empty() {
        return Err(GameError::InvalidModel(
            "no cost slopes given: a permit market needs at least one firm".into(),
        ));
    }
    for (firm, &slope) in cost_slopes.iter().enumerate() {
        // 1/c enters the price: a subnormal slope would make it infinite.
        if !(slope.is_finite() && slope > 0.0 && (1.0 / slope).is_finite()) {
            return Err(GameError::out_of_range(
                format!("c_{firm} of the cost slopes (firm {firm})"),
                slope,
                "a finite number > 0 whose reciprocal is finite",
            ));
        }
    }
    if !(requirement.is_finite() && requirement >= 0.0) {
        return Err(GameError::out_of_range(
            "requirement A",
            requirement,
            "a finite number ≥ 0",
        ));
    }
    if obligations.len() != cost_slopes.len() {
        return Err(GameError::InvalidModel(format!(
            "{} obligations given for {} firms: give one obligation e_i per cost slope",
            obligations.len(),
            cost_slopes.len()
        )));
    }
    for (firm, &obligation) in obligations.iter().enumerate() {
        if !obligation.is_finite() {
            return Err(GameError::out_of_range(
                format!("e_{firm} of the obligations (firm {firm})"),
                obligation,
                "a finite number",
            ));
        }
    }
    let allocated: f64 = obligations.iter().sum();
    if (allocated - requirement).abs() > 1e-9 * requirement.max(1.0) {
        return Err(GameError::InvalidModel(format!(
            "the obligations e_i sum to {allocated}, not to the requirement A = {requirement}: they must split A among the firms"
        )));
    }
    let inverse_slopes = cost_slopes.iter().map(|c| 1.0 / c).sum::<f64>();
    if !inverse_slopes.is_finite() {
        return Err(GameError::InvalidModel(format!(
            "Σ(1/c_i) overflows ({inverse_slopes:e}): rescale the cost slopes"
        )));
    }
    let price = requirement / inverse_slopes;
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
        .sum::<f64>();
    if !(price.is_finite() && total_cost.is_finite()) {
        return Err(GameError::InvalidModel(format!(
            "the price λ = A/Σ(1/c_i) or the least total cost overflows (λ = {price:e}, cost = {total_cost:e}): rescale the cost slopes or the requirement"
        )));
    }
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
    fn an_overflowing_market_is_refused() {
        for (slopes, requirement) in [
            ([1e300, 1e300], 1e300),
            ([1.0, 1.0], 1e300),
            ([1e-308, 1e-308], 14.0),
        ] {
            let error = clear(&slopes, requirement, &[requirement / 2.0; 2]).unwrap_err();
            assert!(error.to_string().contains("overflows"), "{error}");
        }
    }

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
    fn a_firm_obliged_beyond_its_abatement_buys_the_difference() {
        // Firm 0 holds the whole obligation 14 and abates 8: it buys 6; the
        // others abate 4 and 2 with no obligation and sell them.
        let market = clear(&[1.0, 2.0, 4.0], 14.0, &[14.0, 0.0, 0.0]).unwrap();
        for (bought, expected) in market.net_purchases.iter().zip([6.0, -4.0, -2.0]) {
            assert!(
                (bought - expected).abs() < 1e-12,
                "{:?}",
                market.net_purchases
            );
        }
    }

    #[test]
    fn each_bad_parameter_is_named_with_its_value_and_domain() {
        for (market, message) in [
            (
                clear(&[1.0, 0.0], 1.0, &[1.0, 0.0]),
                "parameter c_1 of the cost slopes (firm 1) = 0 is out of range: a finite number > 0 whose reciprocal is finite",
            ),
            (
                clear(&[1e-320], 10.0, &[10.0]),
                "parameter c_0 of the cost slopes (firm 0) = 1e-320 is out of range: a finite number > 0 whose reciprocal is finite",
            ),
            (
                clear(&[1.0], f64::NAN, &[1.0]),
                "parameter requirement A = NaN is out of range: a finite number ≥ 0",
            ),
            (
                clear(&[1.0, 2.0], 1.0, &[1.0, f64::INFINITY]),
                "parameter e_1 of the obligations (firm 1) = inf is out of range: a finite number",
            ),
            (
                clear(&[1.0, 2.0], 1.0, &[1.0]),
                "1 obligations given for 2 firms: give one obligation e_i per cost slope",
            ),
            (
                clear(&[1.0], 1.0, &[0.5]),
                "the obligations e_i sum to 0.5, not to the requirement A = 1: they must split A among the firms",
            ),
            (
                clear(&[], 1.0, &[]),
                "no cost slopes given: a permit market needs at least one firm",
            ),
        ] {
            assert_eq!(market.unwrap_err().to_string(), message);
        }
    }
}
