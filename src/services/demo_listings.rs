//! Demo sellers and their listings: a few hundred offers across the demo
//! council's districts and every category, priced around real reference
//! figures (home care near the council's usual rate, personal assistants
//! between the National Living Wage and about £18 an hour). Generated from a
//! fixed seed, so every demo looks the same.

use crate::domain::ids::AccountId;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

use super::demo_accounts::{DEMO_ACCOUNTS, DEMO_COUNCIL};
use super::sellers::row_of;
use crate::domain::accounts::Role;
use crate::domain::listings::{ListingContent, Rate};
use crate::domain::money::{Money, Percent};
use crate::domain::places::Places;
use crate::domain::pricing::{Fee, FeeCharge};
use crate::domain::sellers::Profile;
use crate::domain::vocab::{
    Band, Category, Employment, FeeKind, FeePer, ListingStatus, SellerKind, Unit,
};
use crate::error::AppError;
use crate::store::accounts::{self as account_store, NewAccount};
use crate::store::{listings as listing_store, sellers as seller_store, DbConnection};

const PROVIDER_NAMES: &[&str] = &[
    "Ardwick Home Support",
    "Beswick Community Care",
    "Blackley Day Services",
    "Burnage Helping Hands",
    "Chorlton Companions",
    "Crumpsall Care at Home",
    "Didsbury Village Carers",
    "Fallowfield Friends Club",
    "Gorton Get Going",
    "Harpurhey Home Help",
    "Hulme Horizons",
    "Levenshulme Lifestyles",
    "Longsight Lunch Club",
    "Miles Platting Mobility",
    "Moston Meals on Wheels",
    "Newton Heath Night Care",
    "Northenden Nursing Agency",
    "Old Moat Outreach",
    "Openshaw Opportunities",
    "Rusholme Respite",
    "Whalley Range Wellbeing",
    "Withington Wheels",
    "Wythenshawe Work Support",
    "Ancoats Advocacy",
    "Cheetham Hill Carers Centre",
    "Clayton Creative Arts",
    "Baguley Break Breaks",
    "Benchill Befrienders",
    "Moss Side Mind Matters",
    "Piccadilly Payroll Services",
];
const FIRST_NAMES: &[&str] = &[
    "Aisha", "Ben", "Chloe", "Dawit", "Ewa", "Farhan", "Gemma", "Hassan", "Imani", "Jack", "Kiran",
    "Lena", "Marek", "Nadia", "Owen", "Priya", "Qasim", "Rosa", "Sam", "Tariq", "Uma", "Victor",
    "Wei", "Yusuf", "Zara",
];
const LAST_NAMES: &[&str] = &[
    "Ahmed",
    "Brennan",
    "Chowdhury",
    "Douglas",
    "Evans",
    "Farouk",
    "Greenwood",
    "Hussain",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lee",
    "Mahmood",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Rahman",
    "Singh",
    "Taylor",
];
const BROKER_NAMES: &[&str] = &[
    "Manchester Support Planning CIC",
    "Pathways Brokerage",
    "Choice and Control Brokers",
    "Independent Living Advice",
];
const LANGUAGE_POOL: &[&str] = &[
    "ur", "pa", "bn", "pl", "ar", "so", "zh", "gu", "ro", "bfi", "fr", "yo", "ku",
];

/// A category's typical unit, price range in pence and titles.
struct Offer {
    category: Category,
    unit: Unit,
    pence: (i64, i64),
    titles: &'static [&'static str],
}

#[rustfmt::skip]
const PROVIDER_OFFERS: &[Offer] = &[
    Offer { category: Category::PersonalCare, unit: Unit::Hour, pence: (2200, 3200), titles: &["Home care visits", "Personal care at home", "Morning and evening calls", "Help with washing and dressing"] },
    Offer { category: Category::HomeHelp, unit: Unit::Hour, pence: (1600, 2200), titles: &["Cleaning and shopping help", "Help around the house"] },
    Offer { category: Category::DayOpportunities, unit: Unit::Day, pence: (4500, 8000), titles: &["Day centre with lunch", "Day opportunities: art, music and outings"] },
    Offer { category: Category::CommunityActivity, unit: Unit::Session, pence: (800, 2500), titles: &["Inclusive swimming sessions", "Gardening group", "Community cafe club", "Trampolining for all"] },
    Offer { category: Category::ShortBreaks, unit: Unit::Night, pence: (12000, 20000), titles: &["Respite short breaks", "Weekend short break stays"] },
    Offer { category: Category::SupportedLiving, unit: Unit::Hour, pence: (2000, 2600), titles: &["Supported living support hours", "Support to live independently"] },
    Offer { category: Category::ResidentialCare, unit: Unit::Week, pence: (75000, 110000), titles: &["Residential care home place"] },
    Offer { category: Category::NursingCare, unit: Unit::Week, pence: (95000, 140000), titles: &["Nursing home place"] },
    Offer { category: Category::NightSupport, unit: Unit::Night, pence: (11000, 18000), titles: &["Waking night support", "Sleep-in night support"] },
    Offer { category: Category::EmploymentSupport, unit: Unit::Hour, pence: (2500, 4000), titles: &["Job coaching", "Support into work"] },
    Offer { category: Category::Transport, unit: Unit::Item, pence: (1200, 3000), titles: &["Accessible taxi trips", "Door-to-door minibus trips"] },
    Offer { category: Category::Equipment, unit: Unit::Item, pence: (5000, 60000), titles: &["Bathing aids fitted", "Riser recliner chair"] },
    Offer { category: Category::Meals, unit: Unit::Item, pence: (500, 800), titles: &["Hot meals delivered", "Frozen meal packs"] },
    Offer { category: Category::Advocacy, unit: Unit::Hour, pence: (3000, 4500), titles: &["Independent advocacy"] },
    Offer { category: Category::PayrollSupport, unit: Unit::Week, pence: (400, 600), titles: &["Direct payment payroll service", "Managed account for your direct payment"] },
    Offer { category: Category::MentalHealthSupport, unit: Unit::Hour, pence: (2500, 3500), titles: &["Mental health recovery support", "Wellbeing and confidence sessions"] },
    Offer { category: Category::Learning, unit: Unit::Session, pence: (1500, 4000), titles: &["Cooking skills course", "Computer skills for beginners"] },
    Offer { category: Category::Companionship, unit: Unit::Hour, pence: (1400, 2000), titles: &["Sitting service", "Companionship visits"] },
    Offer { category: Category::CarersSupport, unit: Unit::Session, pence: (2000, 4000), titles: &["Carers' break sessions", "Support group for carers"] },
];

pub const SEEDED: &str = "demo.listings";

/// The generated demo sellers' emails are at this domain.
pub const GENERATED_EMAIL_DOMAIN: &str = "demo.example.org";

fn pounds(rng: &mut StdRng, (low, high): (i64, i64)) -> Money {
    // Round to 5p or to the pound, as real prices are.
    let pence = rng.random_range(low..=high);
    Money::from_pence(if high > 20_000 {
        pence / 100 * 100
    } else {
        pence / 5 * 5
    })
}

fn pick_areas(rng: &mut StdRng, districts: &[String], base: &str) -> Vec<String> {
    let mut areas = vec![base.to_owned()];
    let mut others: Vec<&String> = districts.iter().filter(|d| *d != base).collect();
    others.shuffle(rng);
    let count = rng.random_range(1..=6);
    areas.extend(others.into_iter().take(count).cloned());
    areas
}

fn pick_availability(rng: &mut StdRng, category: Category) -> Vec<Band> {
    let mut bands: Vec<Band> = match category {
        Category::NightSupport | Category::ShortBreaks => vec![Band::Night],
        Category::ResidentialCare | Category::NursingCare | Category::SupportedLiving => {
            vec![
                Band::WeekdayDay,
                Band::WeekdayEvening,
                Band::Weekend,
                Band::Night,
            ]
        }
        _ => vec![Band::WeekdayDay],
    };
    for band in [Band::WeekdayEvening, Band::Weekend, Band::Night] {
        if !bands.contains(&band) && rng.random_bool(0.35) {
            bands.push(band);
        }
    }
    bands.sort();
    bands
}

fn pick_languages(rng: &mut StdRng) -> Vec<String> {
    let mut languages = vec!["en".to_owned()];
    if rng.random_bool(0.45) {
        let extra = LANGUAGE_POOL.choose(rng).expect("non-empty");
        languages.push((*extra).to_owned());
    }
    languages
}

fn weekend_rates(rng: &mut StdRng, price: Money, unit: Unit) -> Vec<Rate> {
    if unit != Unit::Hour || !rng.random_bool(0.5) {
        return Vec::new();
    }
    let uplift = |percent: i64| Money::from_pence(price.pence() * (100 + percent) / 100 / 5 * 5);
    vec![
        Rate {
            band: Band::Weekend,
            amount: uplift(rng.random_range(8..=20)),
        },
        Rate {
            band: Band::BankHoliday,
            amount: uplift(50),
        },
    ]
}

fn provider_fees(rng: &mut StdRng, category: Category) -> Vec<Fee> {
    let mut fees = Vec::new();
    if rng.random_bool(0.3) {
        fees.push(Fee {
            kind: FeeKind::Setup,
            label: "Assessment and setup".into(),
            charge: FeeCharge::Amount(Money::from_pence(rng.random_range(5..=15) * 500)),
            per: FeePer::OneOff,
        });
    }
    if category == Category::PersonalCare && rng.random_bool(0.3) {
        fees.push(Fee {
            kind: FeeKind::Travel,
            label: "Travel between visits".into(),
            charge: FeeCharge::Amount(Money::from_pence(rng.random_range(3..=6) * 50)),
            per: FeePer::Visit,
        });
    }
    if category == Category::SupportedLiving && rng.random_bool(0.5) {
        fees.push(Fee {
            kind: FeeKind::Management,
            label: "Individual service fund management".into(),
            charge: FeeCharge::Percent(
                Percent::parse(&rng.random_range(6..=12).to_string()).expect("a small percent"),
            ),
            per: FeePer::CommissionValue,
        });
    }
    fees
}

struct Seller {
    id: AccountId,
    kind: SellerKind,
    district: String,
}

/// Creates an account for a generated seller; returns its id.
fn demo_seller(
    conn: &mut DbConnection,
    email: &str,
    name: &str,
    role: Role,
    district: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<AccountId, AppError> {
    let row = account_store::insert(
        conn,
        &NewAccount {
            email: Some(email),
            name,
            role,
            password_hash: Some(password_hash),
            council_code: None,
            postcode: Some(district),
            district: Some(district),
            created_at: now.naive_utc(),
        },
    )?
    .ok_or_else(|| AppError::Internal(format!("demo seller {email} already exists")))?;
    Ok(row.id)
}

pub fn seed(
    conn: &mut DbConnection,
    places: &Places,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    if crate::store::settings::get(conn, SEEDED)?.is_some() {
        return Ok(0);
    }
    let mut rng = StdRng::seed_from_u64(2026);
    let districts: Vec<String> = places
        .districts_of(DEMO_COUNCIL)
        .iter()
        .map(|d| d.code.clone())
        .collect();
    let mut sellers: Vec<Seller> = Vec::new();

    // The named demo sellers first, then generated ones.
    for account in DEMO_ACCOUNTS.iter().filter(|a| a.role.is_seller()) {
        let row = account_store::find_by_email(conn, account.email)?.ok_or_else(|| {
            AppError::Internal(format!("demo account {} is missing", account.email))
        })?;
        sellers.push(Seller {
            id: row.id,
            kind: super::listings::seller_kind(account.role).expect("a seller"),
            district: row.district.unwrap_or_else(|| districts[0].clone()),
        });
    }
    // Generated sellers: providers, then personal assistants, then brokers.
    let mut generated: Vec<(String, String, Role, SellerKind)> = Vec::new();
    for (i, name) in PROVIDER_NAMES.iter().enumerate() {
        generated.push((
            format!("provider-{:02}@{GENERATED_EMAIL_DOMAIN}", i + 1),
            (*name).to_owned(),
            Role::Provider,
            SellerKind::Provider,
        ));
    }
    for i in 0..24 {
        let name = format!(
            "{} {}",
            FIRST_NAMES[i % FIRST_NAMES.len()],
            LAST_NAMES[(i * 7) % LAST_NAMES.len()]
        );
        generated.push((
            format!("pa-{:02}@{GENERATED_EMAIL_DOMAIN}", i + 1),
            name,
            Role::PersonalAssistant,
            SellerKind::PersonalAssistant,
        ));
    }
    for (i, name) in BROKER_NAMES.iter().enumerate() {
        generated.push((
            format!("broker-{:02}@{GENERATED_EMAIL_DOMAIN}", i + 1),
            (*name).to_owned(),
            Role::Broker,
            SellerKind::Broker,
        ));
    }
    for (email, name, role, kind) in generated {
        let district = districts.choose(&mut rng).expect("districts").clone();
        let id = demo_seller(conn, &email, &name, role, &district, password_hash, now)?;
        sellers.push(Seller { id, kind, district });
    }

    let first_assistant = sellers
        .iter()
        .find(|s| s.kind == SellerKind::PersonalAssistant)
        .map(|s| s.id)
        .unwrap_or(AccountId(0));
    let mut created = 0;
    for seller in &sellers {
        let profile = Profile {
            description: match seller.kind {
                SellerKind::Provider => "A local organisation supporting people in Manchester to live the life they choose.".into(),
                SellerKind::PersonalAssistant => "I support people at home and out and about, at times that suit them.".into(),
                SellerKind::Broker => "We help people plan their support and buy it, with our fees agreed up front.".into(),
            },
            postcode: Some(seller.district.clone()),
            district: Some(seller.district.clone()),
            holds_isf: seller.kind == SellerKind::Provider && rng.random_bool(0.4),
            languages: if seller.kind == SellerKind::PersonalAssistant { pick_languages(&mut rng) } else { Vec::new() },
            employment: (seller.kind == SellerKind::PersonalAssistant).then_some(Employment::SelfEmployed),
            broker_type: (seller.kind == SellerKind::Broker).then(|| "organisation".to_owned()),
            fee_model: (seller.kind == SellerKind::Broker)
                .then(|| "A fixed fee for a support plan, or an hourly rate for ongoing help.".to_owned()),
            ..Default::default()
        };
        seller_store::save(conn, &row_of(seller.id, seller.kind, &profile, now))?;

        let contents: Vec<ListingContent> = match seller.kind {
            SellerKind::Provider => {
                let count = rng.random_range(4..=9);
                (0..count)
                    .map(|_| provider_listing(&mut rng, seller, &districts))
                    .collect()
            }
            SellerKind::PersonalAssistant if seller.id == first_assistant => {
                vec![fatima_listing(seller)]
            }
            SellerKind::PersonalAssistant => (0..rng.random_range(1..=2))
                .map(|_| assistant_listing(&mut rng, seller, &districts))
                .collect(),
            SellerKind::Broker => vec![broker_listing(&mut rng, seller, &districts)],
        };
        for content in contents {
            listing_store::insert(conn, seller.id, &content, None, now.naive_utc())?;
            created += 1;
        }
    }
    crate::store::settings::set(conn, SEEDED, &now.to_rfc3339())?;
    Ok(created)
}

fn base_content(
    rng: &mut StdRng,
    seller: &Seller,
    districts: &[String],
    category: Category,
    unit: Unit,
    price: Money,
    title: &str,
) -> ListingContent {
    ListingContent {
        title: title.to_owned(),
        description: format!(
            "{title}, based in {} and covering nearby areas.",
            seller.district
        ),
        category,
        price: Some(price),
        unit,
        rates: Vec::new(),
        fees: Vec::new(),
        postcode: seller.district.clone(),
        district: seller.district.clone(),
        areas: pick_areas(rng, districts, &seller.district),
        availability: pick_availability(rng, category),
        languages: pick_languages(rng),
        tags: Vec::new(),
        employment: None,
        accepting_clients: rng.random_bool(0.85),
        status: if rng.random_bool(0.06) {
            ListingStatus::Paused
        } else {
            ListingStatus::Published
        },
    }
}

fn provider_listing(rng: &mut StdRng, seller: &Seller, districts: &[String]) -> ListingContent {
    // Home care is the largest part of the real market.
    let offer = if rng.random_bool(0.2) {
        &PROVIDER_OFFERS[0]
    } else {
        PROVIDER_OFFERS.choose(rng).expect("offers")
    };
    let price = pounds(rng, offer.pence);
    let title = offer.titles.choose(rng).expect("titles");
    let mut content = base_content(
        rng,
        seller,
        districts,
        offer.category,
        offer.unit,
        price,
        title,
    );
    content.rates = weekend_rates(rng, price, offer.unit);
    content.fees = provider_fees(rng, offer.category);
    if rng.random_bool(0.3) {
        content.tags = vec![[
            "dementia care",
            "autism friendly",
            "wheelchair accessible",
            "female carers available",
        ]
        .choose(rng)
        .expect("tags")
        .to_string()];
    }
    content
}

fn assistant_listing(rng: &mut StdRng, seller: &Seller, districts: &[String]) -> ListingContent {
    let price = pounds(rng, (1225, 1800));
    // The title says when they work.
    let (title, band) = [
        ("Personal assistant for days out", Band::WeekdayDay),
        ("Evening personal assistant", Band::WeekdayEvening),
        ("Weekend personal assistant", Band::Weekend),
    ]
    .choose(rng)
    .copied()
    .expect("titles");
    let mut content = base_content(
        rng,
        seller,
        districts,
        Category::PersonalAssistant,
        Unit::Hour,
        price,
        title,
    );
    content.employment = Some(if rng.random_bool(0.4) {
        Employment::EmployedByHolder
    } else {
        Employment::SelfEmployed
    });
    content.availability = vec![band];
    if rng.random_bool(0.4) {
        content.tags = vec!["driver".into()];
    }
    content.rates = weekend_rates(rng, price, Unit::Hour);
    content
}

/// The example people ask for: a personal assistant for evenings near M14 who speaks Urdu.
fn fatima_listing(seller: &Seller) -> ListingContent {
    ListingContent {
        title: "Evening personal assistant".into(),
        description: "Help with tea, medication reminders and getting ready for bed, in English, Urdu or Punjabi. \
                      I drive, so I can take you to evening classes or to see family."
            .into(),
        category: Category::PersonalAssistant,
        price: Some(Money::from_pence(1450)),
        unit: Unit::Hour,
        rates: vec![Rate { band: Band::Weekend, amount: Money::from_pence(1600) }],
        fees: vec![Fee {
            kind: FeeKind::Setup,
            label: "Introduction visit".into(),
            charge: FeeCharge::Amount(Money::from_pence(4000)),
            per: FeePer::OneOff,
        }],
        postcode: "M14 7HR".into(),
        district: seller.district.clone(),
        areas: vec![seller.district.clone(), "M13".into(), "M15".into(), "M16".into(), "M20".into()],
        availability: vec![Band::WeekdayEvening, Band::Weekend],
        languages: vec!["en".into(), "ur".into(), "pa".into()],
        tags: vec!["driver".into()],
        employment: Some(Employment::SelfEmployed),
        accepting_clients: true,
        status: ListingStatus::Published,
    }
}

fn broker_listing(rng: &mut StdRng, seller: &Seller, districts: &[String]) -> ListingContent {
    let hourly = pounds(rng, (3500, 5000));
    let mut content = base_content(
        rng,
        seller,
        districts,
        Category::Brokerage,
        Unit::Hour,
        hourly,
        "Support planning and brokerage",
    );
    content.fees = vec![Fee {
        kind: FeeKind::Brokerage,
        label: "Brokerage fee".into(),
        charge: FeeCharge::Percent(
            Percent::parse(&rng.random_range(3..=8).to_string()).expect("a percent"),
        ),
        per: FeePer::Budget,
    }];
    content
}
