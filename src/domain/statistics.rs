//! The few statistics the council's reports rest on, each exact where money
//! is concerned: quartiles and Tukey's fences in whole pence, a one-sided
//! binomial test, and the Herfindahl–Hirschman index of concentration.

use statrs::distribution::{Binomial, DiscreteCDF};

use super::money::Money;

/// Divides rounding half away from zero, as money is rounded everywhere.
fn div_round(numerator: i128, denominator: i128) -> i128 {
    let twice = 2 * numerator / denominator;
    let rounded_toward_zero = numerator / denominator;
    if twice == 2 * rounded_toward_zero {
        rounded_toward_zero
    } else {
        rounded_toward_zero + numerator.signum() * denominator.signum()
    }
}

/// The quarter-point `quarter`/4 of sorted prices by linear interpolation
/// between order statistics (Hyndman and Fan's type 7, the default in R and
/// spreadsheets), rounded to a penny.
pub fn quarter_point(sorted: &[Money], quarter: usize) -> Option<Money> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let position = (n - 1) * quarter;
    let (low, fraction) = (position / 4, (position % 4) as i128);
    let base = sorted[low].pence() as i128;
    if fraction == 0 {
        return Some(Money::from_pence(base as i64));
    }
    let step = sorted[low + 1].pence() as i128 - base;
    Some(Money::from_pence(
        (base + div_round(fraction * step, 4)) as i64,
    ))
}

/// Five numbers and Tukey's fences for a set of prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    pub n: usize,
    pub min: Money,
    pub p25: Money,
    pub median: Money,
    pub p75: Money,
    pub max: Money,
    /// Q1 − 1.5 × IQR and Q3 + 1.5 × IQR, rounded to a penny.
    pub lower_fence: Money,
    pub upper_fence: Money,
}

impl Spread {
    pub fn of(prices: &[Money]) -> Option<Spread> {
        let mut sorted = prices.to_vec();
        sorted.sort();
        let p25 = quarter_point(&sorted, 1)?;
        let p75 = quarter_point(&sorted, 3)?;
        let iqr = (p75.pence() - p25.pence()) as i128;
        Some(Spread {
            n: sorted.len(),
            min: sorted[0],
            p25,
            median: quarter_point(&sorted, 2)?,
            p75,
            max: *sorted.last()?,
            lower_fence: Money::from_pence(div_round(2 * p25.pence() as i128 - 3 * iqr, 2) as i64),
            upper_fence: Money::from_pence(div_round(2 * p75.pence() as i128 + 3 * iqr, 2) as i64),
        })
    }

    /// Outside the fences, judged exactly (the fences may fall on half pence).
    pub fn is_outlier(&self, price: Money) -> bool {
        let twice = 2 * price.pence() as i128;
        let iqr3 = 3 * (self.p75.pence() - self.p25.pence()) as i128;
        twice < 2 * self.p25.pence() as i128 - iqr3 || twice > 2 * self.p75.pence() as i128 + iqr3
    }
}

/// The chance of `successes` or more in `trials` independent tries that each
/// succeed with probability `p`: the one-sided binomial test's p-value.
pub fn binomial_upper_tail(trials: u64, successes: u64, p: f64) -> f64 {
    if successes == 0 {
        return 1.0;
    }
    if successes > trials {
        return 0.0;
    }
    let p = p.clamp(0.0, 1.0);
    match Binomial::new(p, trials) {
        // sf(x) is P(X > x), so P(X ≥ k) is sf(k − 1).
        Ok(distribution) => distribution.sf(successes - 1).clamp(0.0, 1.0),
        Err(_) => f64::NAN,
    }
}

/// The Herfindahl–Hirschman index: the sum of squared market shares in
/// percent, from 0 (spread thinly) to 10,000 (one seller has everything).
/// `None` when there is nothing to share.
pub fn herfindahl_hirschman(values: impl IntoIterator<Item = i64>) -> Option<u32> {
    let values: Vec<i128> = values
        .into_iter()
        .filter(|v| *v > 0)
        .map(i128::from)
        .collect();
    let total: i128 = values.iter().sum();
    if total == 0 {
        return None;
    }
    // Σ (10,000 · v / total)² / 10,000 = 10,000 · Σ v² / total², rounded.
    let squares: i128 = values.iter().map(|v| v * v).sum();
    Some(div_round(10_000 * squares, total * total) as u32)
}

/// The median of some numbers, for figures that are not money.
pub fn median_f64(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pounds(list: &[&str]) -> Vec<Money> {
        list.iter().map(|s| Money::parse(s).unwrap()).collect()
    }

    #[test]
    fn quartiles_interpolate_between_order_statistics() {
        // 10, 12, 15, 20, 30: positions 0, 1, 2, 3, 4 → Q1 at 1, median at 2, Q3 at 3.
        let spread = Spread::of(&pounds(&["30.00", "10.00", "12.00", "20.00", "15.00"])).unwrap();
        assert_eq!(spread.p25.to_string(), "12.00");
        assert_eq!(spread.median.to_string(), "15.00");
        assert_eq!(spread.p75.to_string(), "20.00");
        // IQR 8.00: fences 12 − 12 = 0.00 and 20 + 12 = 32.00.
        assert_eq!(spread.lower_fence.to_string(), "0.00");
        assert_eq!(spread.upper_fence.to_string(), "32.00");
        assert!(!spread.is_outlier(Money::parse("30.00").unwrap()));
        assert!(spread.is_outlier(Money::parse("32.01").unwrap()));
    }

    #[test]
    fn quartiles_of_four_fall_between_prices() {
        // 18, 20, 21, 25: Q1 at position 0.75 → 18 + 0.75 × 2 = 19.50;
        // median at 1.5 → 20.50; Q3 at 2.25 → 21 + 0.25 × 4 = 22.00.
        let spread = Spread::of(&pounds(&["18.00", "20.00", "21.00", "25.00"])).unwrap();
        assert_eq!(
            (
                spread.p25.to_string(),
                spread.median.to_string(),
                spread.p75.to_string()
            ),
            ("19.50".into(), "20.50".into(), "22.00".into())
        );
        // IQR 2.50 → fences 19.50 − 3.75 = 15.75 and 22.00 + 3.75 = 25.75.
        assert_eq!(spread.lower_fence.to_string(), "15.75");
        assert_eq!(spread.upper_fence.to_string(), "25.75");
    }

    #[test]
    fn a_quarter_penny_rounds_half_away_from_zero() {
        // 10.00 and 10.01: Q1 at 0.25 → 10.0025 → 10.00; Q3 at 0.75 → 10.0075 → 10.01.
        let spread = Spread::of(&pounds(&["10.00", "10.01"])).unwrap();
        assert_eq!(spread.p25.to_string(), "10.00");
        assert_eq!(spread.median.to_string(), "10.01");
        assert_eq!(spread.p75.to_string(), "10.01");
    }

    #[test]
    fn fences_on_half_pence_judge_exactly() {
        // 1.00, 1.01, 1.02, 1.03, 1.04: Q1 1.01, Q3 1.03, IQR 0.02, fences 0.98 and 1.06.
        let spread = Spread::of(&pounds(&["1.00", "1.01", "1.02", "1.03", "1.04"])).unwrap();
        assert!(!spread.is_outlier(Money::parse("1.06").unwrap()));
        assert!(spread.is_outlier(Money::parse("1.07").unwrap()));
        // 1.00, 1.00, 1.01, 1.01, 1.01: IQR 0.01, upper fence 1.025 exactly, shown as 1.03.
        let spread = Spread::of(&pounds(&["1.00", "1.00", "1.01", "1.01", "1.01"])).unwrap();
        assert_eq!(spread.upper_fence.to_string(), "1.03");
        assert!(!spread.is_outlier(Money::parse("1.02").unwrap()));
        assert!(spread.is_outlier(Money::parse("1.03").unwrap()));
    }

    #[test]
    fn one_price_is_its_own_spread() {
        let spread = Spread::of(&pounds(&["17.50"])).unwrap();
        assert_eq!(spread.n, 1);
        assert_eq!(spread.min, spread.max);
        assert_eq!(spread.lower_fence, spread.upper_fence);
        assert!(Spread::of(&[]).is_none());
    }

    #[test]
    fn binomial_tail_matches_hand_working() {
        // P(X ≥ 2) for 3 tries at 1/2: (3 + 1) / 8.
        assert!((binomial_upper_tail(3, 2, 0.5) - 0.5).abs() < 1e-12);
        // P(X ≥ 10) for 10 tries at 0.2: 0.2^10.
        assert!((binomial_upper_tail(10, 10, 0.2) - 0.2f64.powi(10)).abs() < 1e-15);
        // P(X ≥ 1) for 4 tries at 0.1: 1 − 0.9^4.
        assert!((binomial_upper_tail(4, 1, 0.1) - (1.0 - 0.9f64.powi(4))).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(5, 0, 0.3), 1.0);
        assert_eq!(binomial_upper_tail(5, 1, 0.0), 0.0);
        assert_eq!(binomial_upper_tail(5, 5, 1.0), 1.0);
    }

    #[test]
    fn concentration_is_the_sum_of_squared_percentage_shares() {
        // 50 %, 30 %, 20 % → 2,500 + 900 + 400.
        assert_eq!(herfindahl_hirschman([500, 300, 200]), Some(3_800));
        assert_eq!(herfindahl_hirschman([7]), Some(10_000));
        // Four equal sellers → 4 × 25².
        assert_eq!(herfindahl_hirschman([1, 1, 1, 1]), Some(2_500));
        assert_eq!(herfindahl_hirschman([]), None);
        assert_eq!(herfindahl_hirschman([0, 0]), None);
    }

    #[test]
    fn median_of_numbers() {
        assert_eq!(median_f64(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median_f64(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median_f64(&mut []), None);
    }
}
