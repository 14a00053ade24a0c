//! The true cost of employing a personal assistant: pay plus employer
//! National Insurance, holiday pay, workplace pension and employer's
//! liability insurance, from the statutory figures for the tax year
//! (`data/rates/*.toml`).
//!
//! Worked on a year of 52 weeks. Holiday pay accrues at the irregular-hours
//! rate; NI and pension are on pay plus holiday pay. Each component is
//! rounded to pence; the hourly and weekly totals divide the annual total.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{Money, MoneyError, Percent};

const RATE_FILES: &[&str] = &[
    include_str!("../../data/rates/2025-26.toml"),
    include_str!("../../data/rates/2026-27.toml"),
];

const WEEKS_IN_YEAR: i64 = 52;

fn de_money<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    let text = String::deserialize(d)?;
    Money::parse(&text).map_err(serde::de::Error::custom)
}

fn de_percent<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Percent, D::Error> {
    let text = String::deserialize(d)?;
    Percent::parse(&text).map_err(serde::de::Error::custom)
}

#[derive(Debug, Clone, Deserialize)]
pub struct NationalLivingWage {
    #[serde(deserialize_with = "de_money")]
    pub hourly: Money,
    pub effective: NaiveDate,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EmployerNi {
    #[serde(deserialize_with = "de_percent")]
    pub rate_percent: Percent,
    #[serde(deserialize_with = "de_money")]
    pub secondary_threshold_annual: Money,
    #[serde(default)]
    pub provisional: bool,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EmploymentAllowance {
    #[serde(deserialize_with = "de_money")]
    pub annual: Money,
    #[serde(default)]
    pub provisional: bool,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Holiday {
    pub entitlement_weeks: String,
    #[serde(deserialize_with = "de_percent")]
    pub irregular_hours_accrual_percent: Percent,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pension {
    #[serde(deserialize_with = "de_money")]
    pub earnings_trigger_annual: Money,
    #[serde(deserialize_with = "de_money")]
    pub qualifying_earnings_lower_annual: Money,
    #[serde(deserialize_with = "de_money")]
    pub qualifying_earnings_upper_annual: Money,
    #[serde(deserialize_with = "de_percent")]
    pub employer_minimum_percent: Percent,
    #[serde(default)]
    pub provisional: bool,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Insurance {
    #[serde(deserialize_with = "de_money")]
    pub annual: Money,
    pub source: String,
}

/// The statutory figures for one tax year.
#[derive(Debug, Clone, Deserialize)]
pub struct TaxYearRates {
    pub tax_year: String,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    pub national_living_wage: NationalLivingWage,
    pub employer_national_insurance: EmployerNi,
    pub employment_allowance: EmploymentAllowance,
    pub holiday: Holiday,
    pub pension: Pension,
    pub employers_liability_insurance: Insurance,
}

/// Every tax year Bespoke has figures for, by its name ("2025-26").
pub struct RateBook {
    years: BTreeMap<String, TaxYearRates>,
}

impl RateBook {
    pub fn get() -> &'static RateBook {
        static BOOK: OnceLock<RateBook> = OnceLock::new();
        BOOK.get_or_init(|| {
            RateBook::from_toml(RATE_FILES).expect("the rate files in data/rates are valid")
        })
    }

    pub fn from_toml(files: &[&str]) -> Result<Self, String> {
        let mut years = BTreeMap::new();
        for text in files {
            let rates: TaxYearRates = toml::from_str(text).map_err(|e| e.to_string())?;
            years.insert(rates.tax_year.clone(), rates);
        }
        Ok(Self { years })
    }

    pub fn year(&self, name: &str) -> Option<&TaxYearRates> {
        self.years.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.years.keys().map(String::as_str)
    }

    /// The tax year a day falls in, or the latest known year after the last one.
    pub fn for_date(&self, date: NaiveDate) -> &TaxYearRates {
        self.years
            .values()
            .find(|y| y.starts <= date && date <= y.ends)
            .or_else(|| self.years.values().rfind(|y| y.starts <= date))
            .or_else(|| self.years.values().next())
            .expect("at least one tax year of rates")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Component {
    pub name: &'static str,
    pub label: &'static str,
    pub annual: Money,
    pub hourly: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PaCost {
    pub hourly_pay: Money,
    pub hours_per_week: Decimal,
    pub tax_year: String,
    pub components: Vec<Component>,
    pub hourly_total: Money,
    pub weekly_total: Money,
    pub annual_total: Money,
    pub assumptions: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct PaCostRequest {
    pub hourly_pay: Money,
    pub hours_per_week: Decimal,
    /// Whether the employer claims the Employment Allowance against their NI.
    pub employment_allowance: bool,
}

fn pct(amount: Decimal, percent: Percent) -> Decimal {
    amount * percent.to_decimal() / Decimal::ONE_HUNDRED
}

pub fn pa_cost(rates: &TaxYearRates, request: PaCostRequest) -> Result<PaCost, MoneyError> {
    let weeks = Decimal::from(WEEKS_IN_YEAR);
    let annual_hours = request.hours_per_week * weeks;
    let pay = Money::from_decimal(request.hourly_pay.to_decimal() * annual_hours)?;

    let holiday = Money::from_decimal(pct(
        pay.to_decimal(),
        rates.holiday.irregular_hours_accrual_percent,
    ))?;
    let earnings = pay.to_decimal() + holiday.to_decimal();

    let ni = &rates.employer_national_insurance;
    let above_threshold =
        (earnings - ni.secondary_threshold_annual.to_decimal()).max(Decimal::ZERO);
    let ni_due = Money::from_decimal(pct(above_threshold, ni.rate_percent))?;
    let ni_paid = if request.employment_allowance {
        Money::from_pence((ni_due.pence() - rates.employment_allowance.annual.pence()).max(0))
    } else {
        ni_due
    };

    let pension_rules = &rates.pension;
    let pension = if earnings >= pension_rules.earnings_trigger_annual.to_decimal() {
        let qualifying = earnings.min(pension_rules.qualifying_earnings_upper_annual.to_decimal())
            - pension_rules.qualifying_earnings_lower_annual.to_decimal();
        Money::from_decimal(pct(
            qualifying.max(Decimal::ZERO),
            pension_rules.employer_minimum_percent,
        ))?
    } else {
        Money::ZERO
    };
    let insurance = rates.employers_liability_insurance.annual;

    let per_hour = |annual: Money| -> Result<Money, MoneyError> {
        if annual_hours.is_zero() {
            return Ok(Money::ZERO);
        }
        Money::from_decimal(annual.to_decimal() / annual_hours)
    };
    let component = |name, label, annual: Money| -> Result<Component, MoneyError> {
        Ok(Component {
            name,
            label,
            annual,
            hourly: per_hour(annual)?,
        })
    };
    let components = vec![
        component(
            "employer_national_insurance",
            "Employer National Insurance",
            ni_paid,
        )?,
        component("holiday_pay", "Holiday pay", holiday)?,
        component(
            "pension",
            "Workplace pension (employer's contribution)",
            pension,
        )?,
        component(
            "employers_liability_insurance",
            "Employer's liability insurance",
            insurance,
        )?,
    ];
    let annual_total = components
        .iter()
        .try_fold(pay, |sum, c| sum.checked_add(c.annual))
        .ok_or(MoneyError::TooLarge)?;

    let mut assumptions = vec![
        format!("{WEEKS_IN_YEAR} working weeks a year, {} hours a year.", annual_hours.normalize()),
        format!(
            "Holiday pay accrues at {}% of hours worked, the rate for irregular hours ({} weeks a year).",
            rates.holiday.irregular_hours_accrual_percent, rates.holiday.entitlement_weeks
        ),
        format!(
            "Employer National Insurance is {}% of earnings above {} a year.",
            ni.rate_percent,
            ni.secondary_threshold_annual.display_gbp()
        ),
        if request.employment_allowance {
            format!(
                "The employer claims the Employment Allowance (up to {} a year), open to people who employ care or support workers.",
                rates.employment_allowance.annual.display_gbp()
            )
        } else {
            "The Employment Allowance is not claimed.".to_owned()
        },
        format!(
            "A pension is due once earnings reach {} a year: at least {}% of earnings between {} and {}.",
            pension_rules.earnings_trigger_annual.display_gbp(),
            pension_rules.employer_minimum_percent,
            pension_rules.qualifying_earnings_lower_annual.display_gbp(),
            pension_rules.qualifying_earnings_upper_annual.display_gbp()
        ),
        format!(
            "Employer's liability insurance at a typical {} a year.",
            insurance.display_gbp()
        ),
    ];
    if request.hourly_pay < rates.national_living_wage.hourly {
        assumptions.push(format!(
            "{} an hour is below the National Living Wage for people aged 21 and over ({} from {}).",
            request.hourly_pay.display_gbp(),
            rates.national_living_wage.hourly.display_gbp(),
            rates.national_living_wage.effective.format("%-d %B %Y")
        ));
    }
    if ni.provisional || rates.employment_allowance.provisional || pension_rules.provisional {
        assumptions.push(format!(
            "Some {} figures were announced but are not yet confirmed.",
            rates.tax_year
        ));
    }

    Ok(PaCost {
        hourly_pay: request.hourly_pay,
        hours_per_week: request.hours_per_week.normalize(),
        tax_year: rates.tax_year.clone(),
        components,
        hourly_total: per_hour(annual_total)?,
        weekly_total: Money::from_decimal(annual_total.to_decimal() / weeks)?,
        annual_total,
        assumptions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn money(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn annual(cost: &PaCost, name: &str) -> String {
        cost.components
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .annual
            .to_string()
    }

    #[test]
    fn both_tax_years_are_loaded() {
        let book = RateBook::get();
        assert_eq!(book.names().collect::<Vec<_>>(), ["2025-26", "2026-27"]);
        assert_eq!(
            book.year("2025-26").unwrap().national_living_wage.hourly,
            money("12.21")
        );
        assert_eq!(
            book.year("2026-27").unwrap().national_living_wage.hourly,
            money("12.71")
        );
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(book.for_date(date("2026-04-05")).tax_year, "2025-26");
        assert_eq!(book.for_date(date("2026-04-06")).tax_year, "2026-27");
        assert_eq!(book.for_date(date("2030-01-01")).tax_year, "2026-27");
    }

    /// Worked by hand: £13.50 an hour, 20 hours a week, 2025-26.
    /// Pay 13.50 × 20 × 52 = 14,040.00. Holiday 12.07% = 1,694.628 → 1,694.63.
    /// Earnings 15,734.63. NI 15% × (15,734.63 − 5,000) = 1,610.1945 → 1,610.19,
    /// all covered by the Employment Allowance. Pension 3% × (15,734.63 − 6,240)
    /// = 284.8389 → 284.84. Insurance 150.00. Total 16,169.47 a year;
    /// ÷ 1,040 hours = 15.5475… → 15.55 an hour; ÷ 52 = 310.9513… → 310.95 a week.
    #[test]
    fn hand_worked_2025_26_with_the_employment_allowance() {
        let rates = RateBook::get().year("2025-26").unwrap();
        let cost = pa_cost(
            rates,
            PaCostRequest {
                hourly_pay: money("13.50"),
                hours_per_week: dec!(20),
                employment_allowance: true,
            },
        )
        .unwrap();
        assert_eq!(annual(&cost, "holiday_pay"), "1694.63");
        assert_eq!(annual(&cost, "employer_national_insurance"), "0.00");
        assert_eq!(annual(&cost, "pension"), "284.84");
        assert_eq!(annual(&cost, "employers_liability_insurance"), "150.00");
        assert_eq!(cost.annual_total, money("16169.47"));
        assert_eq!(cost.hourly_total, money("15.55"));
        assert_eq!(cost.weekly_total, money("310.95"));
        assert_eq!(cost.components[1].hourly, money("1.63"));
    }

    /// The same without the allowance: 16,169.47 + 1,610.19 = 17,779.66 a year;
    /// ÷ 1,040 = 17.0958… → 17.10 an hour; ÷ 52 = 341.9165… → 341.92 a week.
    #[test]
    fn hand_worked_2025_26_without_the_employment_allowance() {
        let rates = RateBook::get().year("2025-26").unwrap();
        let cost = pa_cost(
            rates,
            PaCostRequest {
                hourly_pay: money("13.50"),
                hours_per_week: dec!(20),
                employment_allowance: false,
            },
        )
        .unwrap();
        assert_eq!(annual(&cost, "employer_national_insurance"), "1610.19");
        assert_eq!(cost.annual_total, money("17779.66"));
        assert_eq!(cost.hourly_total, money("17.10"));
        assert_eq!(cost.weekly_total, money("341.92"));
    }

    /// 2026-27, £12.71 (the new National Living Wage), 8 hours a week.
    /// Pay 12.71 × 8 × 52 = 5,287.36. Holiday 12.07% = 638.1843… → 638.18.
    /// Earnings 5,925.54: NI 15% × 925.54 = 138.831 → 138.83, not claimed here.
    /// Below the £10,000 trigger: no pension. Insurance 150.00.
    /// Total 5,287.36 + 138.83 + 638.18 + 0 + 150 = 6,214.37; ÷ 416 hours = 14.9383… → 14.94.
    #[test]
    fn hand_worked_2026_27_below_the_pension_trigger() {
        let rates = RateBook::get().year("2026-27").unwrap();
        let cost = pa_cost(
            rates,
            PaCostRequest {
                hourly_pay: money("12.71"),
                hours_per_week: dec!(8),
                employment_allowance: false,
            },
        )
        .unwrap();
        assert_eq!(annual(&cost, "holiday_pay"), "638.18");
        assert_eq!(annual(&cost, "employer_national_insurance"), "138.83");
        assert_eq!(annual(&cost, "pension"), "0.00");
        assert_eq!(cost.annual_total, money("6214.37"));
        assert_eq!(cost.hourly_total, money("14.94"));
        assert!(cost
            .assumptions
            .iter()
            .any(|a| a.contains("not yet confirmed")));
    }

    #[test]
    fn pay_below_the_living_wage_is_pointed_out() {
        let rates = RateBook::get().year("2026-27").unwrap();
        let cost = pa_cost(
            rates,
            PaCostRequest {
                hourly_pay: money("11.00"),
                hours_per_week: dec!(10),
                employment_allowance: true,
            },
        )
        .unwrap();
        assert!(cost
            .assumptions
            .iter()
            .any(|a| a.contains("below the National Living Wage")));
    }
}
