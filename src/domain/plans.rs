//! Support plans: what a plan must hold, how it moves from draft to approved,
//! and how its budget is split into portions.

use crate::domain::ids::{AccountId, PortionId};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::money::Money;
use super::quantity::Quantity;
use super::vocab::{
    Category, FundingStream, OutcomeDomain, PlanStatus, PortionMode, QuantityPer, Vocabulary,
};
use crate::domain::fields::FieldErrors;

/// A plan runs for at most five years; most run for one.
pub const MAX_PERIOD_DAYS: i64 = 5 * 366;
/// The most a single plan's budget may be: well above any personal budget,
/// low enough to catch a slip of the keyboard.
pub const MAX_BUDGET: Money = Money::from_pence(500_000_000);
pub const MAX_PORTIONS: usize = 10;
pub const MAX_OUTCOMES: usize = 20;
pub const MAX_PLANNED_LINES: usize = 50;
pub const OUTCOME_TITLE_CHARS: std::ops::RangeInclusive<usize> = 3..=300;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PortionInput {
    pub mode: Option<String>,
    pub amount: Option<String>,
    pub provider_id: Option<AccountId>,
    pub funding_stream: Option<String>,
}

/// A new plan as a commissioner sends it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewPlanInput {
    pub holder_id: Option<AccountId>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub budget: Option<String>,
    pub portions: Option<Vec<PortionInput>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPortion {
    pub mode: PortionMode,
    pub amount: Money,
    pub provider_id: Option<AccountId>,
    pub funding_stream: FundingStream,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    pub holder_id: AccountId,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub budget: Money,
    pub portions: Vec<NewPortion>,
}

pub fn parse_date(errors: &mut FieldErrors, field: &str, text: Option<&str>) -> Option<NaiveDate> {
    let text = errors.required(field, text)?;
    errors.check(
        field,
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| "must be a date written YYYY-MM-DD"),
    )
}

/// Checks a period: the end on or after the start, and not absurdly long.
pub fn check_period(
    errors: &mut FieldErrors,
    end_field: &str,
    start: NaiveDate,
    end: NaiveDate,
    max_days: i64,
) {
    if end < start {
        errors.add(end_field, "must be on or after the start date");
    } else if (end - start).num_days() + 1 > max_days {
        errors.add(
            end_field,
            format!("must be within {max_days} days of the start"),
        );
    }
}

fn positive_money(errors: &mut FieldErrors, field: &str, text: Option<&str>) -> Option<Money> {
    let text = errors.required(field, text)?;
    let amount = errors.check(field, Money::parse(text.trim()))?;
    if amount.pence() <= 0 {
        errors.add(field, "must be more than zero");
        return None;
    }
    Some(amount)
}

pub fn check_new_plan(input: NewPlanInput) -> Result<NewPlan, FieldErrors> {
    let mut errors = FieldErrors::new();
    let holder_id = errors.required("holder_id", input.holder_id);
    let start = parse_date(&mut errors, "period_start", input.period_start.as_deref());
    let end = parse_date(&mut errors, "period_end", input.period_end.as_deref());
    if let (Some(start), Some(end)) = (start, end) {
        check_period(&mut errors, "period_end", start, end, MAX_PERIOD_DAYS);
    }
    let budget = positive_money(&mut errors, "budget", input.budget.as_deref());
    if budget.is_some_and(|b| b > MAX_BUDGET) {
        errors.add(
            "budget",
            format!("must be at most {}", MAX_BUDGET.display_gbp()),
        );
    }

    let portion_inputs = input.portions.unwrap_or_default();
    if portion_inputs.is_empty() {
        errors.add("portions", "must hold at least one portion");
    }
    if portion_inputs.len() > MAX_PORTIONS {
        errors.add("portions", format!("may hold at most {MAX_PORTIONS}"));
    }
    let given = portion_inputs.len();
    let mut portions = Vec::new();
    for (i, portion) in portion_inputs.into_iter().enumerate() {
        let field = |name: &str| format!("portions[{i}].{name}");
        let mode = errors
            .required(&field("mode"), portion.mode.as_deref())
            .and_then(|m| errors.check(&field("mode"), PortionMode::from_input(m)));
        let amount = positive_money(&mut errors, &field("amount"), portion.amount.as_deref());
        let funding_stream = match portion.funding_stream.as_deref() {
            None => Some(FundingStream::AdultSocialCare),
            Some(s) => errors.check(&field("funding_stream"), FundingStream::from_input(s)),
        };
        match (mode, portion.provider_id) {
            (Some(PortionMode::IndividualServiceFund), None) => errors.add(
                &field("provider_id"),
                "is required: an individual service fund is held by a provider",
            ),
            (Some(PortionMode::DirectPayment | PortionMode::CouncilManaged), Some(_)) => errors
                .add(
                    &field("provider_id"),
                    "applies only to an individual service fund",
                ),
            _ => {}
        }
        if let (Some(mode), Some(amount), Some(funding_stream)) = (mode, amount, funding_stream) {
            portions.push(NewPortion {
                mode,
                amount,
                provider_id: portion.provider_id,
                funding_stream,
            });
        }
    }
    if let Some(budget) = budget {
        let total: i64 = portions.iter().map(|p| p.amount.pence()).sum();
        // Only once every portion could be read does their sum mean anything.
        if given > 0 && portions.len() == given && total != budget.pence() {
            errors.add(
                "portions",
                format!(
                    "must add up to the budget ({}); they add up to {}",
                    budget.display_gbp(),
                    Money::from_pence(total).display_gbp()
                ),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewPlan {
        holder_id: holder_id.expect("checked"),
        period_start: start.expect("checked"),
        period_end: end.expect("checked"),
        budget: budget.expect("checked"),
        portions,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OutcomeInput {
    pub id: Option<i64>,
    pub title: Option<String>,
    pub domain: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlannedSupportInput {
    pub category: Option<String>,
    pub quantity: Option<Value>,
    pub per: Option<String>,
    pub amount: Option<String>,
    pub outcome_id: Option<i64>,
    pub portion_id: Option<PortionId>,
}

/// What the holder's side writes into a plan (PATCH): replaces what is given.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlanContentInput {
    pub outcomes: Option<Vec<OutcomeInput>>,
    pub planned_support: Option<Vec<PlannedSupportInput>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Kept when the outcome already existed, so commissions still point at it.
    pub id: Option<i64>,
    pub title: String,
    pub domain: OutcomeDomain,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSupport {
    pub category: Category,
    pub quantity: Option<Quantity>,
    pub per: QuantityPer,
    pub amount: Option<Money>,
    pub outcome_id: Option<i64>,
    pub portion_id: Option<PortionId>,
}

/// What is already in the plan, for checking references.
pub struct PlanFacts<'a> {
    pub outcome_ids: &'a [i64],
    /// Each portion's id and budget.
    pub portions: &'a [(PortionId, Money)],
}

pub fn check_outcomes(
    errors: &mut FieldErrors,
    inputs: Vec<OutcomeInput>,
    facts: &PlanFacts,
) -> Vec<Outcome> {
    if inputs.len() > MAX_OUTCOMES {
        errors.add("outcomes", format!("may hold at most {MAX_OUTCOMES}"));
        return Vec::new();
    }
    let mut outcomes = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let field = |name: &str| format!("outcomes[{i}].{name}");
        if let Some(id) = input.id {
            if !facts.outcome_ids.contains(&id) {
                errors.add(&field("id"), "is not an outcome of this plan");
            }
        }
        let title = errors
            .required(&field("title"), input.title.as_deref())
            .map(str::trim)
            .and_then(|t| {
                let chars = t.chars().count();
                if !OUTCOME_TITLE_CHARS.contains(&chars) {
                    errors.add(
                        &field("title"),
                        format!(
                            "must be {} to {} characters",
                            OUTCOME_TITLE_CHARS.start(),
                            OUTCOME_TITLE_CHARS.end()
                        ),
                    );
                    None
                } else if t.chars().any(|c| c.is_control() && c != '\n') {
                    errors.add(&field("title"), "must not contain control characters");
                    None
                } else {
                    Some(t.to_owned())
                }
            });
        let domain = errors
            .required(&field("domain"), input.domain.as_deref())
            .and_then(|d| errors.check(&field("domain"), OutcomeDomain::from_input(d)));
        if let (Some(title), Some(domain)) = (title, domain) {
            outcomes.push(Outcome {
                id: input.id,
                title,
                domain,
            });
        }
    }
    outcomes
}

pub fn check_planned_support(
    errors: &mut FieldErrors,
    inputs: Vec<PlannedSupportInput>,
    outcome_ids: &[i64],
    facts: &PlanFacts,
) -> Vec<PlannedSupport> {
    if inputs.len() > MAX_PLANNED_LINES {
        errors.add(
            "planned_support",
            format!("may hold at most {MAX_PLANNED_LINES} lines"),
        );
        return Vec::new();
    }
    let mut lines = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let field = |name: &str| format!("planned_support[{i}].{name}");
        let category = errors
            .required(&field("category"), input.category.as_deref())
            .and_then(|c| errors.check(&field("category"), Category::from_input(c)));
        let quantity = match &input.quantity {
            None | Some(Value::Null) => None,
            Some(q) => errors.check(&field("quantity"), Quantity::from_json(q)),
        };
        let amount = match input.amount.as_deref() {
            None => None,
            Some(a) => errors.check(&field("amount"), Money::parse(a.trim())),
        };
        if input.quantity.is_none() && input.amount.is_none() {
            errors.add(
                &field("quantity"),
                "or amount is required: say how much support, or what it should cost",
            );
        }
        let per = match input.per.as_deref() {
            None => Some(QuantityPer::Week),
            Some(p) => errors.check(&field("per"), QuantityPer::from_input(p)),
        };
        if let Some(id) = input.outcome_id {
            if !outcome_ids.contains(&id) {
                errors.add(&field("outcome_id"), "is not an outcome of this plan");
            }
        }
        if let Some(id) = input.portion_id {
            if !facts.portions.iter().any(|(p, _)| *p == id) {
                errors.add(&field("portion_id"), "is not a portion of this plan");
            }
        }
        if let (Some(category), Some(per)) = (category, per) {
            lines.push(PlannedSupport {
                category,
                quantity,
                per,
                amount,
                outcome_id: input.outcome_id,
                portion_id: input.portion_id,
            });
        }
    }
    // Money moved between lines must stay within each portion.
    for (portion_id, budget) in facts.portions {
        let planned: i64 = lines
            .iter()
            .filter(|l| l.portion_id == Some(*portion_id))
            .filter_map(|l| l.amount)
            .map(Money::pence)
            .sum();
        if planned > budget.pence() {
            errors.add(
                "planned_support",
                format!(
                    "plans {} from portion {portion_id}, which holds {}",
                    Money::from_pence(planned).display_gbp(),
                    budget.display_gbp()
                ),
            );
        }
    }
    lines
}

/// A planned support line as a move of money between lines sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineMoney {
    pub id: i64,
    pub portion_id: Option<PortionId>,
    pub amount: Option<Money>,
}

/// Moves `amount` from one planned line to another in the same portion: the
/// flexibility an approved plan gives its holder without asking the council.
/// Returns the two lines' new amounts.
pub fn move_between_lines(
    from: LineMoney,
    to: LineMoney,
    amount: Money,
) -> Result<(Money, Money), FieldErrors> {
    let mut errors = FieldErrors::new();
    if from.id == to.id {
        errors.add("to_line", "must be a different line from from_line");
    }
    if amount.pence() <= 0 {
        errors.add("amount", "must be more than 0.00");
    }
    match (from.portion_id, to.portion_id) {
        (Some(a), Some(b)) if a == b => {}
        (None, _) | (_, None) => errors.add(
            "from_line",
            "and to_line must both say which portion of the budget pays for them",
        ),
        _ => errors.add(
            "to_line",
            "is paid from another portion; money moves between lines of the same portion only",
        ),
    }
    let available = from.amount.unwrap_or(Money::ZERO);
    if amount > available {
        errors.add(
            "amount",
            format!(
                "is more than the {} planned on that line",
                available.display_gbp()
            ),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let new_from = Money::from_pence(available.pence() - amount.pence());
    let new_to = Money::from_pence(to.amount.unwrap_or(Money::ZERO).pence() + amount.pence());
    Ok((new_from, new_to))
}

/// The status each action of `POST /plans/{id}/{action}` moves a plan to.
pub fn status_after(action: &str) -> Option<PlanStatus> {
    action
        .parse::<PlanAction>()
        .ok()
        .map(PlanAction::status_after)
}

/// What may be done to a plan as a whole.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, strum::EnumString, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PlanAction {
    /// Send to the council for approval.
    Submit,
    /// The council approves it (commissioners).
    Approve,
    /// Back to a draft, to change it.
    Revise,
    /// End it for good.
    End,
}

impl PlanAction {
    pub fn status_after(self) -> PlanStatus {
        match self {
            PlanAction::Submit => PlanStatus::Submitted,
            PlanAction::Approve => PlanStatus::Approved,
            PlanAction::Revise => PlanStatus::Draft,
            PlanAction::End => PlanStatus::Ended,
        }
    }
}

/// Whether the holder's side may change the plan's content now.
pub fn content_editable(status: PlanStatus) -> bool {
    status == PlanStatus::Draft
}

/// Why a plan cannot move to `to` from `from`, if it cannot.
pub fn transition_refused(from: PlanStatus, to: PlanStatus) -> Option<&'static str> {
    use PlanStatus::*;
    let allowed = matches!(
        (from, to),
        (Draft, Submitted)
            | (Submitted, Approved)
            | (Approved, Draft)
            | (Draft | Submitted | Approved, Ended)
    );
    if allowed {
        return None;
    }
    Some(match (from, to) {
        (Ended, _) => "This plan has ended.",
        (_, Submitted) => "Only a draft plan can be submitted.",
        (_, Approved) => "Only a submitted plan can be approved.",
        (_, Draft) => "Only an approved plan can be revised.",
        _ => "The plan cannot change in that way now.",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_moves_between_lines_of_one_portion_only() {
        let pounds = |p: &str| Some(Money::parse(p).unwrap());
        let from = LineMoney {
            id: 1,
            portion_id: Some(PortionId(7)),
            amount: pounds("500.00"),
        };
        let to = LineMoney {
            id: 2,
            portion_id: Some(PortionId(7)),
            amount: None,
        };
        let (a, b) = move_between_lines(from, to, Money::parse("120.00").unwrap()).unwrap();
        assert_eq!(
            (a.display_gbp(), b.display_gbp()),
            ("£380.00".into(), "£120.00".into())
        );
        assert!(move_between_lines(from, to, Money::parse("500.01").unwrap()).is_err());
        let elsewhere = LineMoney {
            portion_id: Some(PortionId(8)),
            ..to
        };
        assert!(move_between_lines(from, elsewhere, Money::parse("1.00").unwrap()).is_err());
        assert!(move_between_lines(from, from, Money::parse("1.00").unwrap()).is_err());
    }

    fn input() -> NewPlanInput {
        serde_json::from_value(serde_json::json!({
            "holder_id": 7, "period_start": "2026-04-01", "period_end": "2027-03-31",
            "budget": "12000.00",
            "portions": [{"mode": "direct_payment", "amount": "8000.00"},
                         {"mode": "individual_service_fund", "amount": "4000.00", "provider_id": 12}]
        }))
        .unwrap()
    }

    #[test]
    fn a_plan_with_portions_that_add_up_is_accepted() {
        let plan = check_new_plan(input()).unwrap();
        assert_eq!(plan.portions.len(), 2);
        assert_eq!(
            plan.portions[1].funding_stream,
            FundingStream::AdultSocialCare
        );
    }

    #[test]
    fn portions_must_add_up_and_an_isf_needs_its_provider() {
        let mut bad = input();
        bad.budget = Some("12500.00".into());
        bad.portions.as_mut().unwrap()[1].provider_id = None;
        let errors = check_new_plan(bad).unwrap_err();
        assert!(errors.first("portions[1].provider_id").is_some());

        let mut bad = input();
        bad.budget = Some("12500.00".into());
        let errors = check_new_plan(bad).unwrap_err();
        assert!(errors.first("portions").unwrap().contains("£12,000.00"));

        let mut bad = input();
        bad.period_end = Some("2026-03-01".into());
        bad.portions.as_mut().unwrap()[0].mode = Some("cash".into());
        let errors = check_new_plan(bad).unwrap_err();
        assert!(errors.first("period_end").is_some());
        assert!(errors.first("portions[0].mode").is_some());
    }

    #[test]
    fn plans_move_only_along_their_lifecycle() {
        use PlanStatus::*;
        assert!(transition_refused(Draft, Submitted).is_none());
        assert!(transition_refused(Submitted, Approved).is_none());
        assert!(transition_refused(Approved, Draft).is_none());
        assert!(transition_refused(Draft, Approved).is_some());
        assert!(transition_refused(Ended, Draft).is_some());
    }
}
