//! The subscription step: prices, the quote for a selection, and how money is shown.
//!
//! Money is integer cents (`i64`) end to end; nothing here uses floats. The one function
//! [`quote`] is used by the page and by checkout, so what is shown is what is charged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::modules::{AddOn, Module};
use super::selection::Summary;

/// How often the subscription is billed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum BillingInterval {
    /// Billed every month.
    Monthly,
    /// Billed once a year; the default, as our peers do.
    #[default]
    Yearly,
}

impl BillingInterval {
    /// Both intervals, in the order the page shows them.
    pub const ALL: [BillingInterval; 2] = [BillingInterval::Yearly, BillingInterval::Monthly];

    /// The value used in URLs and Stripe lookup keys: "monthly" or "yearly".
    pub fn as_str(self) -> &'static str {
        match self {
            BillingInterval::Monthly => "monthly",
            BillingInterval::Yearly => "yearly",
        }
    }

    /// The label shown on the payment-type switch.
    pub fn label(self) -> &'static str {
        match self {
            BillingInterval::Monthly => "Monthly",
            BillingInterval::Yearly => "Yearly",
        }
    }
}

impl fmt::Display for BillingInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A billing interval in a URL that is neither "monthly" nor "yearly".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseBillingIntervalError {
    /// The value as received.
    pub value: String,
}

impl fmt::Display for ParseBillingIntervalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown billing interval {:?}; expected monthly or yearly",
            self.value
        )
    }
}

impl std::error::Error for ParseBillingIntervalError {}

impl FromStr for BillingInterval {
    type Err = ParseBillingIntervalError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "monthly" => Ok(BillingInterval::Monthly),
            "yearly" => Ok(BillingInterval::Yearly),
            _ => Err(ParseBillingIntervalError {
                value: value.to_string(),
            }),
        }
    }
}

/// Something with a price: a module or an add-on, per project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogItem {
    /// Smartapp Planner, per project.
    Planner,
    /// Smartapp Safety, per project.
    Safety,
    /// Planner Board add-on, per project.
    PlannerBoard,
    /// Safety Badge add-on, per project.
    SafetyBadge,
}

impl CatalogItem {
    /// Every item, in quote-line order.
    pub const ALL: [CatalogItem; 4] = [
        CatalogItem::Planner,
        CatalogItem::Safety,
        CatalogItem::PlannerBoard,
        CatalogItem::SafetyBadge,
    ];

    /// The name shown on the quote.
    pub fn name(self) -> &'static str {
        match self {
            CatalogItem::Planner => "Planner",
            CatalogItem::Safety => "Safety",
            CatalogItem::PlannerBoard => "Planner Board",
            CatalogItem::SafetyBadge => "Safety Badge",
        }
    }

    /// Whether this is an add-on (shown on the quote only when chosen).
    pub fn is_add_on(self) -> bool {
        matches!(self, CatalogItem::PlannerBoard | CatalogItem::SafetyBadge)
    }

    /// How many projects in `summary` take this item.
    pub fn quantity(self, summary: &Summary) -> u32 {
        match self {
            CatalogItem::Planner => summary.planner,
            CatalogItem::Safety => summary.safety,
            CatalogItem::PlannerBoard => summary.planner_board,
            CatalogItem::SafetyBadge => summary.safety_badge,
        }
    }

    /// The Stripe price `lookup_key` for this item and interval, e.g. "planner_monthly".
    pub fn lookup_key(self, interval: BillingInterval) -> &'static str {
        use BillingInterval::{Monthly, Yearly};
        match (self, interval) {
            (CatalogItem::Planner, Monthly) => "planner_monthly",
            (CatalogItem::Planner, Yearly) => "planner_yearly",
            (CatalogItem::Safety, Monthly) => "safety_monthly",
            (CatalogItem::Safety, Yearly) => "safety_yearly",
            (CatalogItem::PlannerBoard, Monthly) => "planner_board_monthly",
            (CatalogItem::PlannerBoard, Yearly) => "planner_board_yearly",
            (CatalogItem::SafetyBadge, Monthly) => "safety_badge_monthly",
            (CatalogItem::SafetyBadge, Yearly) => "safety_badge_yearly",
        }
    }
}

impl From<Module> for CatalogItem {
    fn from(module: Module) -> Self {
        match module {
            Module::Planner => CatalogItem::Planner,
            Module::Safety => CatalogItem::Safety,
        }
    }
}

impl From<AddOn> for CatalogItem {
    fn from(add_on: AddOn) -> Self {
        match add_on {
            AddOn::PlannerBoard => CatalogItem::PlannerBoard,
            AddOn::SafetyBadge => CatalogItem::SafetyBadge,
        }
    }
}

impl fmt::Display for CatalogItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Prices per project, in cents (configuration; missing fields take the defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Catalog {
    /// Planner per project per month ($295).
    pub planner_monthly_cents: i64,
    /// Safety per project per month ($595).
    pub safety_monthly_cents: i64,
    /// Planner Board per project per month (included at $0 until priced).
    pub planner_board_monthly_cents: i64,
    /// Safety Badge per project per month (included at $0 until priced).
    pub safety_badge_monthly_cents: i64,
    /// Planner per project per year; `None` = `yearly_multiplier_months` × monthly.
    pub planner_yearly_cents: Option<i64>,
    /// Safety per project per year; `None` = `yearly_multiplier_months` × monthly.
    pub safety_yearly_cents: Option<i64>,
    /// Planner Board per project per year; `None` = `yearly_multiplier_months` × monthly.
    pub planner_board_yearly_cents: Option<i64>,
    /// Safety Badge per project per year; `None` = `yearly_multiplier_months` × monthly.
    pub safety_badge_yearly_cents: Option<i64>,
    /// Months charged for a year when no explicit yearly price is set (10: two months free).
    pub yearly_multiplier_months: u32,
    /// Free trial days on a company's first purchase of an interval (0 = none).
    #[serde(default)]
    pub trial_days: u32,
}

impl Default for Catalog {
    fn default() -> Self {
        Self {
            planner_monthly_cents: 29_500,
            safety_monthly_cents: 59_500,
            planner_board_monthly_cents: 0,
            safety_badge_monthly_cents: 0,
            planner_yearly_cents: None,
            safety_yearly_cents: None,
            planner_board_yearly_cents: None,
            safety_badge_yearly_cents: None,
            yearly_multiplier_months: 10,
            trial_days: 0,
        }
    }
}

impl Catalog {
    /// The monthly price of one project's `item`.
    pub fn monthly_cents(&self, item: CatalogItem) -> Result<i64, QuoteError> {
        let cents = match item {
            CatalogItem::Planner => self.planner_monthly_cents,
            CatalogItem::Safety => self.safety_monthly_cents,
            CatalogItem::PlannerBoard => self.planner_board_monthly_cents,
            CatalogItem::SafetyBadge => self.safety_badge_monthly_cents,
        };
        non_negative(cents, item, BillingInterval::Monthly)
    }

    /// The yearly price of one project's `item` (explicit, or multiplier × monthly).
    pub fn yearly_cents(&self, item: CatalogItem) -> Result<i64, QuoteError> {
        let explicit = match item {
            CatalogItem::Planner => self.planner_yearly_cents,
            CatalogItem::Safety => self.safety_yearly_cents,
            CatalogItem::PlannerBoard => self.planner_board_yearly_cents,
            CatalogItem::SafetyBadge => self.safety_badge_yearly_cents,
        };
        match explicit {
            Some(cents) => non_negative(cents, item, BillingInterval::Yearly),
            None => self
                .monthly_cents(item)?
                .checked_mul(i64::from(self.yearly_multiplier_months))
                .ok_or(QuoteError::Overflow),
        }
    }

    /// The price of one project's `item` for `interval`.
    pub fn unit_amount_cents(
        &self,
        item: CatalogItem,
        interval: BillingInterval,
    ) -> Result<i64, QuoteError> {
        match interval {
            BillingInterval::Monthly => self.monthly_cents(item),
            BillingInterval::Yearly => self.yearly_cents(item),
        }
    }

    /// Checks every price once (call at start-up so a bad configuration fails early).
    pub fn validate(&self) -> Result<(), QuoteError> {
        for item in CatalogItem::ALL {
            for interval in BillingInterval::ALL {
                self.unit_amount_cents(item, interval)?;
            }
        }
        Ok(())
    }
}

fn non_negative(
    cents: i64,
    item: CatalogItem,
    interval: BillingInterval,
) -> Result<i64, QuoteError> {
    if cents < 0 {
        Err(QuoteError::NegativePrice { item, interval })
    } else {
        Ok(cents)
    }
}

/// Why no quote could be computed. Arithmetic is checked: an amount that does not fit in
/// `i64` cents is an error, never a wrapped or saturated (and so wrong) charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteError {
    /// A configured price is below zero.
    NegativePrice {
        /// The mispriced item.
        item: CatalogItem,
        /// The interval of that price.
        interval: BillingInterval,
    },
    /// An amount is too large to represent.
    Overflow,
}

impl fmt::Display for QuoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuoteError::NegativePrice { item, interval } => {
                write!(f, "the {interval} price of {item} is negative")
            }
            QuoteError::Overflow => f.write_str("the amount is too large to charge"),
        }
    }
}

impl std::error::Error for QuoteError {}

/// One line of the quote: unit price × number of projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    /// What is charged.
    pub item: CatalogItem,
    /// Price per project for the interval.
    pub unit_amount_cents: i64,
    /// Number of projects.
    pub quantity: u32,
    /// `unit_amount_cents × quantity`.
    pub amount_cents: i64,
}

/// The priced selection shown on the subscription step and charged at checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The billing interval quoted.
    pub interval: BillingInterval,
    /// Planner and Safety always; add-ons only when chosen for at least one project.
    pub lines: Vec<QuoteLine>,
    /// Sum of the lines, per interval.
    pub total_cents: i64,
    /// For yearly only, and only when positive: 12 × the monthly total minus the yearly total.
    pub yearly_saving_cents: Option<i64>,
    /// What the card is charged today (subscriptions are charged up front).
    pub due_today_cents: i64,
}

impl Quote {
    /// Lines with at least one project: the Checkout Session's line items.
    pub fn billable_lines(&self) -> impl Iterator<Item = &QuoteLine> + '_ {
        self.lines.iter().filter(|line| line.quantity > 0)
    }

    /// The line for `item`, if the quote has one.
    pub fn line(&self, item: CatalogItem) -> Option<&QuoteLine> {
        self.lines.iter().find(|line| line.item == item)
    }

    /// The total per month: the monthly total, or the yearly total / 12 rounded to the
    /// nearest cent (half up), for "works out at … per month".
    pub fn per_month_cents(&self) -> i64 {
        match self.interval {
            BillingInterval::Monthly => self.total_cents,
            // Totals are never negative (prices are checked), so half up is simple; the
            // split form cannot overflow near i64::MAX.
            BillingInterval::Yearly => {
                self.total_cents / 12 + i64::from(self.total_cents % 12 >= 6)
            }
        }
    }
}

/// Prices the counts of a selection (use [`super::selection::ValidSelection::summary`] for
/// checkout) for `interval`.
pub fn quote(
    summary: &Summary,
    catalog: &Catalog,
    interval: BillingInterval,
) -> Result<Quote, QuoteError> {
    // Every price is checked, not only those with a quantity, so a bad configuration shows
    // up on the first quote rather than when someone first picks an add-on.
    catalog.validate()?;
    let mut lines = Vec::new();
    let mut total: i64 = 0;
    let mut monthly_total: i64 = 0;
    for item in CatalogItem::ALL {
        let quantity = item.quantity(summary);
        if item.is_add_on() && quantity == 0 {
            continue;
        }
        let unit_amount_cents = catalog.unit_amount_cents(item, interval)?;
        let amount_cents = times(unit_amount_cents, quantity)?;
        total = total
            .checked_add(amount_cents)
            .ok_or(QuoteError::Overflow)?;
        monthly_total = monthly_total
            .checked_add(times(catalog.monthly_cents(item)?, quantity)?)
            .ok_or(QuoteError::Overflow)?;
        lines.push(QuoteLine {
            item,
            unit_amount_cents,
            quantity,
            amount_cents,
        });
    }
    let yearly_saving_cents = match interval {
        BillingInterval::Monthly => None,
        BillingInterval::Yearly => {
            let twelve_months = monthly_total.checked_mul(12).ok_or(QuoteError::Overflow)?;
            // Explicit yearly prices may save nothing (or cost more); then say nothing.
            Some(twelve_months - total).filter(|saving| *saving > 0)
        }
    };
    Ok(Quote {
        interval,
        lines,
        total_cents: total,
        yearly_saving_cents,
        due_today_cents: total,
    })
}

fn times(unit_cents: i64, quantity: u32) -> Result<i64, QuoteError> {
    unit_cents
        .checked_mul(i64::from(quantity))
        .ok_or(QuoteError::Overflow)
}

/// Cents as US dollars with thousands separators: 295_000 → "$2,950.00", -5 → "-$0.05".
pub fn format_usd(cents: i64) -> String {
    // unsigned_abs: i64::MIN has no positive i64 counterpart.
    let abs = cents.unsigned_abs();
    let dollars = (abs / 100).to_string();
    let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
    for (i, digit) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}${grouped}.{:02}", abs % 100)
}

/// "1 project", "2 projects".
pub fn projects_label(count: u64) -> String {
    if count == 1 {
        "1 project".into()
    } else {
        format!("{count} projects")
    }
}

/// The one amount the subscription step calls "today", and the price that renews.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueToday {
    /// Charged today: Stripe's prorated preview when the projects go into an existing
    /// subscription, else the quote's total (a new subscription is paid up front).
    pub today_cents: i64,
    /// Prorated to this date (UTC unix seconds), when Stripe's preview gave the amount.
    pub prorated_to: Option<i64>,
    /// What these projects renew at per interval (the quote's total).
    pub renewal_cents: i64,
}

impl DueToday {
    /// From the quote and, for a purchase into an existing subscription, Stripe's preview
    /// (due now, and the end of its paid period).
    pub fn of(quote: &Quote, preview: Option<(i64, i64)>) -> Self {
        match preview {
            Some((due_now, period_end)) => Self {
                today_cents: due_now,
                prorated_to: Some(period_end),
                renewal_cents: quote.total_cents,
            },
            None => Self {
                today_cents: quote.due_today_cents,
                prorated_to: None,
                renewal_cents: quote.total_cents,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_one_amount_stripes_when_it_previewed() {
        let q = Quote {
            interval: BillingInterval::Yearly,
            lines: vec![],
            total_cents: 590_000,
            yearly_saving_cents: None,
            due_today_cents: 590_000,
        };
        let new = DueToday::of(&q, None);
        assert_eq!((new.today_cents, new.renewal_cents), (590_000, 590_000));
        assert_eq!(new.prorated_to, None);
        let into_existing = DueToday::of(&q, Some((541_506, 1_799_020_800)));
        assert_eq!(
            into_existing.today_cents, 541_506,
            "Stripe's prorated amount"
        );
        assert_eq!(into_existing.renewal_cents, 590_000, "the price, apart");
        assert_eq!(into_existing.prorated_to, Some(1_799_020_800));
        assert_eq!(projects_label(1), "1 project");
        assert_eq!(projects_label(2), "2 projects");
    }

    fn counts(planner: u32, safety: u32, planner_board: u32, safety_badge: u32) -> Summary {
        Summary {
            projects: planner.max(safety),
            planner,
            safety,
            planner_board,
            safety_badge,
        }
    }

    fn amounts(q: &Quote) -> Vec<(CatalogItem, i64, u32, i64)> {
        q.lines
            .iter()
            .map(|l| (l.item, l.unit_amount_cents, l.quantity, l.amount_cents))
            .collect()
    }

    #[test]
    fn default_catalog_matches_the_published_prices() {
        let c = Catalog::default();
        assert_eq!(
            c.unit_amount_cents(CatalogItem::Planner, BillingInterval::Monthly),
            Ok(29_500)
        );
        assert_eq!(
            c.unit_amount_cents(CatalogItem::Safety, BillingInterval::Monthly),
            Ok(59_500)
        );
        assert_eq!(
            c.unit_amount_cents(CatalogItem::Planner, BillingInterval::Yearly),
            Ok(295_000)
        );
        assert_eq!(
            c.unit_amount_cents(CatalogItem::Safety, BillingInterval::Yearly),
            Ok(595_000)
        );
        assert_eq!(c.yearly_cents(CatalogItem::SafetyBadge), Ok(0));
        assert_eq!(BillingInterval::default(), BillingInterval::Yearly);
    }

    #[test]
    fn monthly_mixed_counts() {
        let q = quote(
            &counts(3, 2, 0, 0),
            &Catalog::default(),
            BillingInterval::Monthly,
        )
        .unwrap();
        assert_eq!(
            amounts(&q),
            vec![
                (CatalogItem::Planner, 29_500, 3, 88_500),
                (CatalogItem::Safety, 59_500, 2, 119_000),
            ]
        );
        assert_eq!(q.total_cents, 207_500);
        assert_eq!(q.due_today_cents, 207_500);
        assert_eq!(q.yearly_saving_cents, None);
        assert_eq!(q.per_month_cents(), 207_500);
        assert_eq!(format_usd(q.total_cents), "$2,075.00");
    }

    #[test]
    fn yearly_mixed_counts_with_saving() {
        let q = quote(
            &counts(3, 2, 0, 0),
            &Catalog::default(),
            BillingInterval::Yearly,
        )
        .unwrap();
        assert_eq!(
            amounts(&q),
            vec![
                (CatalogItem::Planner, 295_000, 3, 885_000),
                (CatalogItem::Safety, 595_000, 2, 1_190_000),
            ]
        );
        assert_eq!(q.total_cents, 2_075_000);
        assert_eq!(q.due_today_cents, 2_075_000);
        // 12 × 207,500 − 2,075,000 = two months free.
        assert_eq!(q.yearly_saving_cents, Some(415_000));
        // 2,075,000 / 12 = 172,916.67 → 172,917.
        assert_eq!(q.per_month_cents(), 172_917);
    }

    #[test]
    fn planner_only_keeps_a_zero_safety_line_but_bills_only_planner() {
        let q = quote(
            &counts(1, 0, 0, 0),
            &Catalog::default(),
            BillingInterval::Yearly,
        )
        .unwrap();
        assert_eq!(
            amounts(&q),
            vec![
                (CatalogItem::Planner, 295_000, 1, 295_000),
                (CatalogItem::Safety, 595_000, 0, 0),
            ]
        );
        let billable: Vec<_> = q.billable_lines().map(|l| l.item).collect();
        assert_eq!(billable, vec![CatalogItem::Planner]);
        assert_eq!(q.yearly_saving_cents, Some(59_000));
    }

    #[test]
    fn empty_summary_quotes_zero() {
        for interval in BillingInterval::ALL {
            let q = quote(&Summary::default(), &Catalog::default(), interval).unwrap();
            assert_eq!(q.lines.len(), 2);
            assert_eq!(q.total_cents, 0);
            assert_eq!(q.yearly_saving_cents, None);
            assert_eq!(q.billable_lines().count(), 0);
        }
    }

    #[test]
    fn unpriced_add_ons_are_listed_at_zero_only_when_chosen() {
        let q = quote(
            &counts(2, 1, 2, 0),
            &Catalog::default(),
            BillingInterval::Monthly,
        )
        .unwrap();
        assert_eq!(
            q.line(CatalogItem::PlannerBoard).map(|l| (
                l.unit_amount_cents,
                l.quantity,
                l.amount_cents
            )),
            Some((0, 2, 0))
        );
        assert_eq!(q.line(CatalogItem::SafetyBadge), None);
        assert_eq!(q.total_cents, 2 * 29_500 + 59_500);
    }

    #[test]
    fn priced_add_ons_are_charged_and_follow_the_multiplier() {
        let catalog = Catalog {
            planner_board_monthly_cents: 4_999,
            safety_badge_monthly_cents: 1_001,
            ..Catalog::default()
        };
        let monthly = quote(&counts(2, 3, 1, 3), &catalog, BillingInterval::Monthly).unwrap();
        assert_eq!(
            amounts(&monthly)[2..],
            [
                (CatalogItem::PlannerBoard, 4_999, 1, 4_999),
                (CatalogItem::SafetyBadge, 1_001, 3, 3_003),
            ]
        );
        assert_eq!(monthly.total_cents, 59_000 + 178_500 + 4_999 + 3_003);
        let yearly = quote(&counts(2, 3, 1, 3), &catalog, BillingInterval::Yearly).unwrap();
        assert_eq!(
            yearly
                .line(CatalogItem::SafetyBadge)
                .unwrap()
                .unit_amount_cents,
            10_010
        );
        assert_eq!(yearly.total_cents, 10 * monthly.total_cents);
        assert_eq!(yearly.yearly_saving_cents, Some(2 * monthly.total_cents));
        assert_eq!(format_usd(yearly.total_cents), "$24,550.20");
    }

    #[test]
    fn explicit_yearly_prices_override_the_multiplier() {
        let catalog = Catalog {
            planner_yearly_cents: Some(300_001),
            planner_board_yearly_cents: Some(12_345),
            ..Catalog::default()
        };
        let q = quote(&counts(2, 1, 1, 0), &catalog, BillingInterval::Yearly).unwrap();
        assert_eq!(
            amounts(&q),
            vec![
                (CatalogItem::Planner, 300_001, 2, 600_002),
                (CatalogItem::Safety, 595_000, 1, 595_000),
                (CatalogItem::PlannerBoard, 12_345, 1, 12_345),
            ]
        );
        assert_eq!(q.total_cents, 1_207_347);
        // Monthly equivalent: 12 × (2 × 29,500 + 59,500 + 0) = 1,422,000.
        assert_eq!(q.yearly_saving_cents, Some(1_422_000 - 1_207_347));
        // 1,207,347 / 12 = 100,612.25 → 100,612 (rounds down below half).
        assert_eq!(q.per_month_cents(), 100_612);
    }

    #[test]
    fn yearly_dearer_than_monthly_shows_no_saving() {
        let catalog = Catalog {
            yearly_multiplier_months: 12,
            ..Catalog::default()
        };
        let q = quote(&counts(1, 1, 0, 0), &catalog, BillingInterval::Yearly).unwrap();
        assert_eq!(q.total_cents, 12 * (29_500 + 59_500));
        assert_eq!(q.yearly_saving_cents, None);
        let dearer = Catalog {
            safety_yearly_cents: Some(800_000),
            ..Catalog::default()
        };
        let q = quote(&counts(0, 1, 0, 0), &dearer, BillingInterval::Yearly).unwrap();
        assert_eq!(q.yearly_saving_cents, None);
    }

    #[test]
    fn ten_thousand_projects_and_u32_max_counts_fit() {
        let q = quote(
            &counts(10_000, 10_000, 10_000, 10_000),
            &Catalog::default(),
            BillingInterval::Yearly,
        )
        .unwrap();
        assert_eq!(q.total_cents, 10_000 * (295_000 + 595_000));
        assert_eq!(format_usd(q.total_cents), "$89,000,000.00");
        let max = u32::MAX;
        let q = quote(
            &counts(max, max, max, max),
            &Catalog::default(),
            BillingInterval::Yearly,
        )
        .unwrap();
        assert_eq!(q.total_cents, i64::from(max) * 890_000);
    }

    #[test]
    fn overflow_is_an_error_not_a_wrong_amount() {
        let huge = Catalog {
            planner_monthly_cents: i64::MAX / 2,
            ..Catalog::default()
        };
        // The default multiplier overflows the yearly price; validate() catches it even
        // with nothing selected.
        assert_eq!(huge.validate(), Err(QuoteError::Overflow));
        assert_eq!(
            quote(&Summary::default(), &huge, BillingInterval::Monthly),
            Err(QuoteError::Overflow)
        );
        let huge = Catalog {
            safety_monthly_cents: i64::MAX / 100,
            yearly_multiplier_months: 1,
            ..Catalog::default()
        };
        assert!(huge.validate().is_ok());
        assert_eq!(
            quote(&counts(0, 1, 0, 0), &huge, BillingInterval::Monthly).map(|q| q.total_cents),
            Ok(i64::MAX / 100)
        );
        // Quantity × price overflows.
        assert_eq!(
            quote(&counts(0, 101, 0, 0), &huge, BillingInterval::Monthly),
            Err(QuoteError::Overflow)
        );
        // Each line fits but the sum does not.
        let lines = Catalog {
            planner_monthly_cents: i64::MAX / 2 + 1,
            safety_monthly_cents: i64::MAX / 2 + 1,
            yearly_multiplier_months: 1,
            ..Catalog::default()
        };
        assert_eq!(
            quote(&counts(1, 1, 0, 0), &lines, BillingInterval::Monthly),
            Err(QuoteError::Overflow)
        );
        // Yearly total fits but 12 × monthly (for the saving) does not.
        let saving = Catalog {
            planner_monthly_cents: i64::MAX / 11,
            planner_yearly_cents: Some(1),
            ..Catalog::default()
        };
        assert!(saving.validate().is_ok());
        assert_eq!(
            quote(&counts(1, 0, 0, 0), &saving, BillingInterval::Yearly),
            Err(QuoteError::Overflow)
        );
    }

    #[test]
    fn negative_prices_are_rejected() {
        let bad = Catalog {
            safety_badge_yearly_cents: Some(-1),
            ..Catalog::default()
        };
        let err = QuoteError::NegativePrice {
            item: CatalogItem::SafetyBadge,
            interval: BillingInterval::Yearly,
        };
        // Rejected even when no Safety Badge is chosen.
        assert_eq!(
            quote(&counts(1, 0, 0, 0), &bad, BillingInterval::Monthly),
            Err(err)
        );
        assert_eq!(
            err.to_string(),
            "the yearly price of Safety Badge is negative"
        );
        let bad = Catalog {
            planner_monthly_cents: -29_500,
            ..Catalog::default()
        };
        assert_eq!(
            bad.validate(),
            Err(QuoteError::NegativePrice {
                item: CatalogItem::Planner,
                interval: BillingInterval::Monthly
            })
        );
    }

    #[test]
    fn per_month_rounds_half_up() {
        let q = |total_cents| Quote {
            interval: BillingInterval::Yearly,
            lines: vec![],
            total_cents,
            yearly_saving_cents: None,
            due_today_cents: total_cents,
        };
        assert_eq!(q(0).per_month_cents(), 0);
        assert_eq!(q(5).per_month_cents(), 0);
        assert_eq!(q(6).per_month_cents(), 1);
        assert_eq!(q(18).per_month_cents(), 2); // 1.5 → 2
        assert_eq!(q(29).per_month_cents(), 2); // 2.41 → 2
        assert_eq!(q(354_000).per_month_cents(), 29_500);
        assert_eq!(q(i64::MAX).per_month_cents(), i64::MAX / 12 + 1);
    }

    #[test]
    fn format_usd_groups_thousands_and_pads_cents() {
        assert_eq!(format_usd(0), "$0.00");
        assert_eq!(format_usd(1), "$0.01");
        assert_eq!(format_usd(99), "$0.99");
        assert_eq!(format_usd(100), "$1.00");
        assert_eq!(format_usd(29_500), "$295.00");
        assert_eq!(format_usd(99_999), "$999.99");
        assert_eq!(format_usd(100_000), "$1,000.00");
        assert_eq!(format_usd(295_000), "$2,950.00");
        assert_eq!(format_usd(123_456_789), "$1,234,567.89");
        assert_eq!(format_usd(-5), "-$0.05");
        assert_eq!(format_usd(-207_500), "-$2,075.00");
        assert_eq!(format_usd(i64::MAX), "$92,233,720,368,547,758.07");
        assert_eq!(format_usd(i64::MIN), "-$92,233,720,368,547,758.08");
    }

    #[test]
    fn interval_parses_and_prints() {
        for interval in BillingInterval::ALL {
            assert_eq!(interval.as_str().parse(), Ok(interval));
        }
        assert_eq!(BillingInterval::Monthly.to_string(), "monthly");
        assert_eq!(BillingInterval::Yearly.label(), "Yearly");
        assert_eq!(
            "Yearly".parse::<BillingInterval>(),
            Err(ParseBillingIntervalError {
                value: "Yearly".into()
            })
        );
        assert_eq!(
            serde_json::to_string(&BillingInterval::Monthly).unwrap(),
            r#""monthly""#
        );
    }

    #[test]
    fn catalog_items_map_modules_add_ons_and_lookup_keys() {
        assert_eq!(CatalogItem::from(Module::Safety), CatalogItem::Safety);
        assert_eq!(
            CatalogItem::from(AddOn::PlannerBoard),
            CatalogItem::PlannerBoard
        );
        assert_eq!(
            CatalogItem::Planner.lookup_key(BillingInterval::Monthly),
            "planner_monthly"
        );
        assert_eq!(
            CatalogItem::SafetyBadge.lookup_key(BillingInterval::Yearly),
            "safety_badge_yearly"
        );
        let mut keys: Vec<_> = CatalogItem::ALL
            .into_iter()
            .flat_map(|i| BillingInterval::ALL.map(|b| i.lookup_key(b)))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 8);
    }

    #[test]
    fn catalog_config_fills_missing_fields_with_defaults() {
        let c: Catalog = serde_json::from_str(
            r#"{"planner_board_monthly_cents": 2500, "safety_yearly_cents": 500000}"#,
        )
        .unwrap();
        assert_eq!(c.planner_monthly_cents, 29_500);
        assert_eq!(c.planner_board_monthly_cents, 2_500);
        assert_eq!(c.yearly_cents(CatalogItem::Safety), Ok(500_000));
        assert_eq!(c.yearly_cents(CatalogItem::PlannerBoard), Ok(25_000));
    }
}
