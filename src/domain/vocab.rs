//! The fixed vocabularies of the marketplace. Their codes are the API's
//! values and are stored as text; their labels are what people read.
//!
//! Each vocabulary is declared a text value for diesel (`AsExpression`,
//! `FromSqlRow`), so rows can carry it; how it is read and written is the
//! store's (`store::codes`).

use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumMessage, EnumString, IntoEnumIterator, IntoStaticStr};

/// Implements the code and label helpers shared by every vocabulary.
pub trait Vocabulary:
    Sized + Copy + IntoEnumIterator + EnumMessage + Into<&'static str> + std::str::FromStr
{
    fn code(self) -> &'static str {
        self.into()
    }

    fn label(self) -> &'static str {
        self.get_message().unwrap_or_else(|| self.code())
    }

    /// Every value, in declaration order.
    fn all() -> Vec<Self> {
        Self::iter().collect()
    }

    /// Reads a code someone sent, or says which codes are allowed. Stored
    /// codes are read by the store (`store::codes`), never by hand.
    fn from_input(text: &str) -> Result<Self, String> {
        text.trim().parse().map_err(|_| {
            let codes: Vec<&str> = Self::iter().map(|v| v.code()).collect();
            format!("must be one of {}", codes.join(", "))
        })
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 Serialize, Deserialize, EnumString, IntoStaticStr, EnumIter, EnumMessage,
                 utoipa::ToSchema, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name {
            $(#[strum(message = $label)] $variant,)+
        }
        impl Vocabulary for $name {}
    };
}

vocabulary! {
    /// What kind of support a listing offers.
    Category {
        PersonalCare = "Personal care at home",
        PersonalAssistant = "Personal assistant",
        HomeHelp = "Help at home (cleaning, shopping)",
        DayOpportunities = "Day opportunities",
        CommunityActivity = "Community activities",
        ShortBreaks = "Short breaks and respite",
        SupportedLiving = "Supported living",
        ResidentialCare = "Residential care",
        NursingCare = "Nursing care",
        NightSupport = "Night support",
        EmploymentSupport = "Support into work",
        Transport = "Transport",
        Equipment = "Equipment and adaptations",
        Meals = "Meals",
        Advocacy = "Advocacy",
        Brokerage = "Support brokerage",
        PayrollSupport = "Payroll and direct payment support",
        MentalHealthSupport = "Mental health support",
        Learning = "Learning and courses",
        Companionship = "Companionship and sitting",
        CarersSupport = "Support for carers",
    }
}

vocabulary! {
    /// What a price is for.
    Unit {
        Hour = "hour",
        Session = "session",
        Day = "day",
        Night = "night",
        Week = "week",
        Item = "item",
    }
}

vocabulary! {
    /// Times of the week that rates and availability refer to.
    Band {
        WeekdayDay = "Weekday daytime",
        WeekdayEvening = "Weekday evenings",
        Weekend = "Weekends",
        Night = "Nights",
        BankHoliday = "Bank holidays",
    }
}

vocabulary! {
    FeeKind {
        Setup = "Setup fee",
        Management = "Management fee",
        Brokerage = "Brokerage fee",
        Travel = "Travel",
        Other = "Other fee",
    }
}

vocabulary! {
    /// How often a fee is charged, or what a percentage fee is a share of.
    FeePer {
        OneOff = "once",
        Visit = "per visit",
        Week = "per week",
        Month = "per month",
        Year = "per year",
        CommissionValue = "of the cost of the support",
        Budget = "of the personal budget",
    }
}

vocabulary! {
    /// How a personal assistant works for the person.
    Employment {
        SelfEmployed = "Self-employed",
        EmployedByHolder = "Employed by the budget holder",
    }
}

vocabulary! {
    ListingStatus {
        Draft = "Draft",
        Published = "Published",
        Paused = "Paused",
        Withdrawn = "Withdrawn",
    }
}

vocabulary! {
    /// Which kind of seller an account is.
    SellerKind {
        Provider = "Provider",
        PersonalAssistant = "Personal assistant",
        Broker = "Support broker",
    }
}

impl Unit {
    /// "an hour", "a session": for "£14.50 an hour".
    pub fn each(self) -> &'static str {
        match self {
            Unit::Hour => "an hour",
            Unit::Session => "a session",
            Unit::Day => "a day",
            Unit::Night => "a night",
            Unit::Week => "a week",
            Unit::Item => "an item",
        }
    }

    /// The plural for sentences: "6 hours".
    pub fn plural(self) -> &'static str {
        match self {
            Unit::Hour => "hours",
            Unit::Session => "sessions",
            Unit::Day => "days",
            Unit::Night => "nights",
            Unit::Week => "weeks",
            Unit::Item => "items",
        }
    }
}

/// Languages people ask for, by code (ISO 639-1, or ISO 639-3 where there is
/// no two-letter code, as for British Sign Language).
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("cy", "Welsh"),
    ("bfi", "British Sign Language"),
    ("ar", "Arabic"),
    ("bn", "Bengali"),
    ("bg", "Bulgarian"),
    ("zh", "Chinese"),
    ("cs", "Czech"),
    ("fa", "Persian (Farsi)"),
    ("fr", "French"),
    ("de", "German"),
    ("el", "Greek"),
    ("gu", "Gujarati"),
    ("ha", "Hausa"),
    ("hi", "Hindi"),
    ("hu", "Hungarian"),
    ("ig", "Igbo"),
    ("it", "Italian"),
    ("ku", "Kurdish"),
    ("lv", "Latvian"),
    ("lt", "Lithuanian"),
    ("ml", "Malayalam"),
    ("ne", "Nepali"),
    ("pa", "Punjabi"),
    ("ps", "Pashto"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("ru", "Russian"),
    ("sk", "Slovak"),
    ("so", "Somali"),
    ("es", "Spanish"),
    ("sw", "Swahili"),
    ("tl", "Tagalog"),
    ("ta", "Tamil"),
    ("ti", "Tigrinya"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("ur", "Urdu"),
    ("vi", "Vietnamese"),
    ("yo", "Yoruba"),
];

pub fn language_name(code: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

vocabulary! {
    /// Where a support plan is in its life.
    PlanStatus {
        Draft = "Draft",
        Submitted = "Submitted for approval",
        Approved = "Approved",
        Ended = "Ended",
    }
}

vocabulary! {
    /// How a portion of a personal budget is held.
    PortionMode {
        DirectPayment = "Direct payment",
        IndividualServiceFund = "Individual service fund",
        CouncilManaged = "Council-managed",
    }
}

vocabulary! {
    /// Where the money in a portion comes from.
    FundingStream {
        AdultSocialCare = "Adult social care",
        NhsPersonalHealthBudget = "NHS personal health budget",
        EducationSend = "Education (SEND)",
        AccessToWork = "Access to Work",
        Other = "Other funding",
    }
}

vocabulary! {
    /// The areas of life a plan's outcomes are about.
    OutcomeDomain {
        HealthAndWellbeing = "Health and well-being",
        QualityOfLife = "Quality of life",
        ChoiceAndControl = "Choice and control",
        Safety = "Feeling safe",
        DignityAndRespect = "Dignity and respect",
        Relationships = "Time with people I like",
        CommunityLife = "Taking part in community life",
        WorkAndLearning = "Work, learning and money",
        DailyLiving = "Daily living",
        Home = "Home",
    }
}

vocabulary! {
    /// How often a planned or commissioned quantity recurs.
    QuantityPer {
        Week = "a week",
        Month = "a month",
        Year = "a year",
        BankHoliday = "each bank holiday",
    }
}

vocabulary! {
    CommissionStatus {
        Requested = "Requested",
        Accepted = "Accepted",
        Declined = "Declined",
        Cancelled = "Cancelled",
        Completed = "Completed",
    }
}

vocabulary! {
    /// Where a support request is: taking offers, or done with.
    RequestStatus {
        Open = "Open for offers",
        Filled = "Filled",
        Withdrawn = "Withdrawn",
        Expired = "Expired",
    }
}

vocabulary! {
    OfferStatus {
        Open = "Open",
        Accepted = "Accepted",
        Declined = "Declined",
        Withdrawn = "Withdrawn",
    }
}

vocabulary! {
    /// A broker's interest in a provider.
    AffiliationNature {
        Owner = "Owner",
        Employee = "Employee",
        Contract = "Under contract",
        Family = "Family",
        Other = "Other interest",
    }
}

vocabulary! {
    /// How often a seller hears of new requests that fit their listings.
    AlertFrequency {
        Immediate = "As soon as a request is posted",
        Daily = "Once a day, in a digest",
        Off = "Never: I will look at the requests page",
    }
}

vocabulary! {
    /// In which capacity someone acted on a plan or commission.
    ActingAs {
        Holder = "Budget holder",
        Representative = "Representative",
        Broker = "Support broker",
        Commissioner = "Commissioner",
        Seller = "Seller",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_list_the_choices() {
        for category in Category::iter() {
            assert_eq!(Category::from_input(category.code()).unwrap(), category);
        }
        assert_eq!(Category::iter().count(), 21);
        assert_eq!(Category::NightSupport.code(), "night_support");
        assert_eq!(Category::NightSupport.label(), "Night support");
        assert_eq!(FeePer::CommissionValue.code(), "commission_value");
        assert_eq!(Band::BankHoliday.code(), "bank_holiday");
        let err = Unit::from_input("fortnight").unwrap_err();
        assert!(
            err.contains("hour, session, day, night, week, item"),
            "{err}"
        );
        assert_eq!(
            serde_json::to_string(&Employment::EmployedByHolder).unwrap(),
            "\"employed_by_holder\""
        );
    }

    #[test]
    fn languages_are_known_by_code() {
        assert_eq!(language_name("ur"), Some("Urdu"));
        assert_eq!(language_name("bfi"), Some("British Sign Language"));
        assert_eq!(language_name("xx"), None);
    }
}
