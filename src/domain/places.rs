//! Postcodes, postcode districts and councils.
//!
//! The reference data ships in `data/places/` (ONS, Open Government Licence)
//! and is compiled into the binary, so a lookup never touches the disk.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const DISTRICTS_CSV: &str =
    include_str!("../../data/places/uk_postcode_districts_gb_onspd_nov2025.csv");
const COUNCILS_CSV: &str = include_str!("../../data/places/councils.csv");
const LAD_TO_COUNCIL_CSV: &str = include_str!("../../data/places/lad_to_council.csv");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("enter a postcode, like M14 5AB, or a postcode district, like M14")]
    Empty,
    #[error("is not a UK postcode or postcode district; enter one like M14 5AB or M14")]
    Malformed,
    #[error("postcode district {0} is not one Bespoke knows in Great Britain")]
    UnknownDistrict(String),
}

/// What someone typed, once it has the shape of a postcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostcodeInput {
    /// A full postcode, formatted with one space: "M14 5AB".
    Full { outward: String, inward: String },
    /// A postcode district (outward code) alone: "M14".
    District(String),
}

impl PostcodeInput {
    pub fn district(&self) -> &str {
        match self {
            Self::Full { outward, .. } | Self::District(outward) => outward,
        }
    }

    pub fn full_postcode(&self) -> Option<String> {
        match self {
            Self::Full { outward, inward } => Some(format!("{outward} {inward}")),
            Self::District(_) => None,
        }
    }
}

/// Checks the shape of a postcode or district, ignoring case and spaces.
///
/// An outward code is one or two letters, a digit, then an optional letter or
/// digit (M1, M14, SW1A, B1, EC1V). An inward code is a digit and two letters.
pub fn parse_postcode(input: &str) -> Result<PostcodeInput, PostcodeError> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.is_empty() {
        return Err(PostcodeError::Empty);
    }
    if compact.len() > 8 || !compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(PostcodeError::Malformed);
    }
    if is_outward_code(&compact) {
        return Ok(PostcodeInput::District(compact));
    }
    if compact.len() >= 5 {
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if is_outward_code(outward) && is_inward_code(inward) {
            return Ok(PostcodeInput::Full {
                outward: outward.to_owned(),
                inward: inward.to_owned(),
            });
        }
    }
    Err(PostcodeError::Malformed)
}

fn is_outward_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if !(1..=2).contains(&letters) || bytes.len() <= letters {
        return false;
    }
    let rest = &bytes[letters..];
    rest[0].is_ascii_digit()
        && rest.len() <= 2
        && rest.get(1).is_none_or(|b| b.is_ascii_alphanumeric())
}

fn is_inward_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 3
        && b[0].is_ascii_digit()
        && b[1].is_ascii_alphabetic()
        && b[2].is_ascii_alphabetic()
}

/// A postcode district with the mean position of its postcodes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct District {
    pub code: String,
    pub latitude: f64,
    pub longitude: f64,
    /// The council responsible for adult social care for most of the
    /// district (England and Wales only).
    pub council_code: Option<String>,
}

/// A council responsible for adult social care.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Council {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    pub population: i64,
}

/// A resolved place: a known district, its council, and the full postcode when one was given.
#[derive(Debug, Clone)]
pub struct Place<'a> {
    pub postcode: Option<String>,
    pub district: &'a District,
    pub council: Option<&'a Council>,
}

#[derive(Debug)]
pub struct Places {
    districts: HashMap<String, District>,
    councils: BTreeMap<String, Council>,
}

#[derive(Deserialize)]
struct DistrictRow {
    postcode_district: String,
    latitude: f64,
    longitude: f64,
    main_lad_code: String,
}

#[derive(Deserialize)]
struct CouncilRow {
    code: String,
    name: String,
    kind: String,
    region: String,
    population_2021: i64,
}

#[derive(Deserialize)]
struct LadRow {
    lad_code: String,
    council_code: String,
}

fn read_rows<T: for<'de> Deserialize<'de>>(csv_text: &str) -> Result<Vec<T>, String> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| e.to_string())
}

impl Places {
    /// The reference data compiled into Bespoke, parsed once.
    pub fn get() -> &'static Places {
        static PLACES: OnceLock<Places> = OnceLock::new();
        PLACES.get_or_init(|| {
            Places::from_csv(DISTRICTS_CSV, COUNCILS_CSV, LAD_TO_COUNCIL_CSV)
                .expect("the place data shipped in data/places is valid")
        })
    }

    pub fn from_csv(districts: &str, councils: &str, lad_to_council: &str) -> Result<Self, String> {
        let councils: BTreeMap<String, Council> = read_rows::<CouncilRow>(councils)?
            .into_iter()
            .map(|r| {
                let council = Council {
                    code: r.code.clone(),
                    name: r.name,
                    kind: r.kind,
                    region: r.region,
                    population: r.population_2021,
                };
                (r.code, council)
            })
            .collect();
        let lad_to_council: HashMap<String, String> = read_rows::<LadRow>(lad_to_council)?
            .into_iter()
            .map(|r| (r.lad_code, r.council_code))
            .collect();
        let districts = read_rows::<DistrictRow>(districts)?
            .into_iter()
            .map(|r| {
                let district = District {
                    council_code: lad_to_council.get(&r.main_lad_code).cloned(),
                    code: r.postcode_district.clone(),
                    latitude: r.latitude,
                    longitude: r.longitude,
                };
                (r.postcode_district, district)
            })
            .collect();
        Ok(Self {
            districts,
            councils,
        })
    }

    /// Resolves a full postcode or a district to a known district and its council.
    pub fn resolve(&self, input: &str) -> Result<Place<'_>, PostcodeError> {
        let parsed = parse_postcode(input)?;
        let district = self
            .districts
            .get(parsed.district())
            .ok_or_else(|| PostcodeError::UnknownDistrict(parsed.district().to_owned()))?;
        let council = district
            .council_code
            .as_deref()
            .and_then(|code| self.councils.get(code));
        Ok(Place {
            postcode: parsed.full_postcode(),
            district,
            council,
        })
    }

    pub fn district(&self, code: &str) -> Option<&District> {
        self.districts.get(code)
    }

    pub fn council(&self, code: &str) -> Option<&Council> {
        self.councils.get(code)
    }

    pub fn councils(&self) -> impl Iterator<Item = &Council> {
        self.councils.values()
    }

    /// The districts whose council is `council_code`, in code order.
    pub fn districts_of(&self, council_code: &str) -> Vec<&District> {
        let mut found: Vec<&District> = self
            .districts
            .values()
            .filter(|d| d.council_code.as_deref() == Some(council_code))
            .collect();
        found.sort_by(|a, b| natural_district_order(&a.code, &b.code));
        found
    }
}

/// M1, M2, …, M9, M10 rather than M1, M10, M11, M2.
fn natural_district_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(code: &str) -> (String, u32, String) {
        let letters: String = code
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let rest = &code[letters.len()..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        let tail = rest[digits.len()..].to_owned();
        (letters, digits.parse().unwrap_or(0), tail)
    }
    key(a).cmp(&key(b))
}

/// Great-circle distance in kilometres between two districts' centres.
/// The distinct postcode districts of some area inputs (postcodes or
/// districts), at most `max`; each one that does not resolve is an error
/// on `areas[i]`.
pub fn check_areas(
    places: &Places,
    inputs: &[String],
    max: usize,
    errors: &mut crate::domain::fields::FieldErrors,
) -> Vec<String> {
    if inputs.len() > max {
        errors.add("areas", format!("must be at most {max} postcode districts"));
    }
    let mut areas: Vec<String> = Vec::new();
    for (i, area) in inputs.iter().take(max).enumerate() {
        match places.resolve(area) {
            Ok(place) if !areas.contains(&place.district.code) => {
                areas.push(place.district.code.clone())
            }
            Ok(_) => {}
            Err(e) => errors.add(&format!("areas[{i}]"), e.to_string()),
        }
    }
    areas
}

pub fn distance_km(a: &District, b: &District) -> f64 {
    haversine_km((a.latitude, a.longitude), (b.latitude, b.longitude))
}

/// Great-circle distance in kilometres between two (latitude, longitude) points.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let d_lat = lat2 - lat1;
    let d_lon = (b.1 - a.1).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_postcodes_in_any_case_and_spacing() {
        let full = |o: &str, i: &str| PostcodeInput::Full {
            outward: o.into(),
            inward: i.into(),
        };
        assert_eq!(parse_postcode("M14 5AB"), Ok(full("M14", "5AB")));
        assert_eq!(parse_postcode("m145ab"), Ok(full("M14", "5AB")));
        assert_eq!(parse_postcode("  sw1a 1aa "), Ok(full("SW1A", "1AA")));
        assert_eq!(parse_postcode("EC1V 9HX"), Ok(full("EC1V", "9HX")));
        assert_eq!(parse_postcode("B1 1AA"), Ok(full("B1", "1AA")));
        assert_eq!(
            parse_postcode("M1 1AE").unwrap().full_postcode().as_deref(),
            Some("M1 1AE")
        );
    }

    #[test]
    fn parses_districts() {
        assert_eq!(
            parse_postcode("M14"),
            Ok(PostcodeInput::District("M14".into()))
        );
        assert_eq!(
            parse_postcode("wa15"),
            Ok(PostcodeInput::District("WA15".into()))
        );
        assert_eq!(
            parse_postcode("SW1A"),
            Ok(PostcodeInput::District("SW1A".into()))
        );
        assert_eq!(parse_postcode("M1").unwrap().district(), "M1");
    }

    #[test]
    fn rejects_nonsense() {
        assert_eq!(parse_postcode(""), Err(PostcodeError::Empty));
        assert_eq!(parse_postcode("   "), Err(PostcodeError::Empty));
        for bad in [
            "hello",
            "14M",
            "M",
            "MMM1",
            "M14 5A",
            "M14 55B",
            "M14-5AB",
            "ABC123XYZ",
            "💥",
            "'; DROP",
        ] {
            assert_eq!(
                parse_postcode(bad),
                Err(PostcodeError::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn resolves_districts_to_councils() {
        let places = Places::get();
        let place = places.resolve("m14 5ab").unwrap();
        assert_eq!(place.district.code, "M14");
        assert_eq!(place.postcode.as_deref(), Some("M14 5AB"));
        assert_eq!(place.council.unwrap().code, "E08000003");
        assert_eq!(place.council.unwrap().name, "Manchester");
        // A two-tier area resolves to the county council, which runs social care.
        assert_eq!(places.resolve("CT1").unwrap().council.unwrap().name, "Kent");
        // Councils created after 2021 are known.
        assert_eq!(
            places.resolve("CA1").unwrap().council.unwrap().name,
            "Cumberland"
        );
        // Scotland has districts but no council in the England and Wales list.
        let edinburgh = places.resolve("EH1").unwrap();
        assert!(edinburgh.council.is_none());
        assert_eq!(
            places.resolve("ZZ9 9ZZ").unwrap_err(),
            PostcodeError::UnknownDistrict("ZZ9".into())
        );
    }

    #[test]
    fn every_english_and_welsh_district_has_a_council() {
        let places = Places::get();
        assert_eq!(places.councils().count(), 175);
        let manchester = places.districts_of("E08000003");
        assert!(manchester.len() >= 20);
        assert_eq!(manchester[0].code, "M1");
        assert!(manchester.iter().any(|d| d.code == "M14"));
        let idx = |c: &str| manchester.iter().position(|d| d.code == c).unwrap();
        assert!(idx("M9") < idx("M11"));
    }

    #[test]
    fn distances_are_plausible() {
        let places = Places::get();
        let m14 = places.district("M14").unwrap();
        let m1 = places.district("M1").unwrap();
        let sw1a = places.district("SW1A").unwrap();
        assert_eq!(distance_km(m14, m14), 0.0);
        let local = distance_km(m14, m1);
        assert!((1.0..6.0).contains(&local), "{local}");
        let london = distance_km(m14, sw1a);
        assert!((250.0..275.0).contains(&london), "{london}");
    }
}
