//! Search rules shared by both engines: the settings in
//! `search-config/listings.json`, what a search may ask for, and how free
//! text such as "a PA for evenings near M14 who speaks Urdu" becomes words
//! plus filters.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::money::Money;
use super::places::Places;
use super::vocab::{language_name, Band, Category, Employment, SellerKind, Vocabulary, LANGUAGES};
use crate::domain::fields::FieldErrors;

pub const CONFIG_JSON: &str = include_str!("../../search-config/listings.json");
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_PER_PAGE: u32 = 100;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MinWordSize {
    pub one_typo: usize,
    pub two_typos: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypoTolerance {
    pub enabled: bool,
    pub min_word_size_for_typos: MinWordSize,
}

/// The parts of the Meilisearch settings object the embedded engine follows.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchSettings {
    pub searchable_attributes: Vec<String>,
    pub filterable_attributes: Vec<String>,
    pub synonyms: BTreeMap<String, Vec<String>>,
    pub typo_tolerance: TypoTolerance,
    /// The synonyms split into words once, for matching phrases in queries.
    #[serde(skip)]
    phrases: BTreeMap<Vec<String>, Vec<Vec<String>>>,
}

impl SearchSettings {
    pub fn load() -> Result<Self, String> {
        Self::parse(CONFIG_JSON)
    }

    pub fn parse(json: &str) -> Result<Self, String> {
        let mut settings: Self =
            serde_json::from_str(json).map_err(|e| format!("search-config/listings.json: {e}"))?;
        settings.phrases = settings
            .synonyms
            .iter()
            .map(|(key, alternatives)| {
                (words(key), alternatives.iter().map(|a| words(a)).collect())
            })
            .collect();
        Ok(settings)
    }

    /// How many typos a word of this length may have.
    pub fn typos_allowed(&self, word: &str) -> u8 {
        let len = word.chars().count();
        let sizes = &self.typo_tolerance.min_word_size_for_typos;
        match () {
            _ if !self.typo_tolerance.enabled || word.bytes().all(|b| b.is_ascii_digit()) => 0,
            _ if len >= sizes.two_typos => 2,
            _ if len >= sizes.one_typo => 1,
            _ => 0,
        }
    }

    /// Weight of a searchable attribute: earlier attributes count more.
    pub fn weight(&self, attribute: &str) -> f32 {
        let n = self.searchable_attributes.len();
        self.searchable_attributes
            .iter()
            .position(|a| a == attribute)
            .map(|i| (n - i) as f32)
            .unwrap_or(1.0)
    }
}

/// Splits text into lower-case words the way both engines do.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| fold(&w.to_lowercase()))
        .collect()
}

/// Strips accents so "café" finds "cafe", as the engines' tokenizers do.
fn fold(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Price,
    Distance,
}

/// A checked search: free text and filters, ready for an engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchRequest {
    /// The words to match, after anything understood as a filter was taken out.
    pub text: String,
    /// What the person typed, for the record.
    pub raw_text: String,
    pub category: Option<Category>,
    /// A postcode district: listings must serve it, and distances are from it.
    pub area: Option<String>,
    pub availability: Vec<Band>,
    pub languages: Vec<String>,
    pub max_price: Option<Money>,
    pub kind: Option<SellerKind>,
    pub employment: Option<Employment>,
    pub accepting: Option<bool>,
    pub sort: Sort,
    pub page: u32,
    pub per_page: u32,
}

impl SearchRequest {
    pub fn offset(&self) -> usize {
        ((self.page - 1) * self.per_page) as usize
    }
}

/// The query string as received. Every filter is optional; `availability`
/// and `language` may repeat or be comma-separated.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    pub q: Option<String>,
    pub category: Option<String>,
    pub area: Option<String>,
    #[serde(default)]
    pub availability: Vec<String>,
    #[serde(default)]
    pub language: Vec<String>,
    pub max_price: Option<String>,
    pub kind: Option<String>,
    pub employment: Option<String>,
    pub accepting: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

fn blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Checks every parameter, naming each one that is wrong.
pub fn check(params: &SearchParams, places: &Places) -> Result<SearchRequest, FieldErrors> {
    let mut errors = FieldErrors::new();
    let raw_text: String = params.q.clone().unwrap_or_default().trim().to_owned();
    // Long pastes are cut, not refused: searching should never fail on length.
    let raw_text: String = raw_text.chars().take(MAX_QUERY_CHARS).collect();
    let category =
        blank(&params.category).and_then(|c| errors.check("category", Category::from_input(c)));
    let area = blank(&params.area).and_then(|a| {
        errors
            .check("area", places.resolve(a))
            .map(|p| p.district.code.clone())
    });
    let availability: Vec<Band> = params
        .availability
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .filter_map(|v| errors.check("availability", Band::from_input(v)))
        .collect();
    let languages: Vec<String> = params
        .language
        .iter()
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .filter(|v| {
            let known = language_name(v).is_some();
            if !known {
                errors.add(
                    "language",
                    "is not a language code Bespoke knows, like en, ur or bfi",
                );
            }
            known
        })
        .collect();
    let max_price =
        blank(&params.max_price).and_then(|p| errors.check("max_price", Money::parse_lenient(p)));
    let kind = blank(&params.kind).and_then(|k| errors.check("kind", SellerKind::from_input(k)));
    let employment = blank(&params.employment)
        .and_then(|e| errors.check("employment", Employment::from_input(e)));
    let accepting = match blank(&params.accepting) {
        None => None,
        Some("true" | "1" | "yes" | "on") => Some(true),
        Some("false" | "0" | "no" | "off") => Some(false),
        Some(_) => {
            errors.add("accepting", "must be true or false");
            None
        }
    };
    let sort = match blank(&params.sort) {
        None | Some("relevance") => Sort::Relevance,
        Some("price") => Sort::Price,
        Some("distance") => Sort::Distance,
        Some(_) => {
            errors.add("sort", "must be relevance, price or distance");
            Sort::Relevance
        }
    };
    let number = |errors: &mut FieldErrors,
                  field: &str,
                  value: &Option<String>,
                  default: u32,
                  max: u32|
     -> u32 {
        match blank(value).map(|v| v.parse::<u32>()) {
            None => default,
            Some(Ok(n)) if (1..=max).contains(&n) => n,
            Some(_) => {
                errors.add(field, format!("must be a whole number from 1 to {max}"));
                default
            }
        }
    };
    let page = number(&mut errors, "page", &params.page, 1, 1_000);
    let per_page = number(&mut errors, "per_page", &params.per_page, 20, MAX_PER_PAGE);
    if sort == Sort::Distance && area.is_none() {
        errors.add("sort", "distance needs an area to measure from");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut request = SearchRequest {
        text: raw_text.clone(),
        raw_text,
        category,
        area,
        availability,
        languages,
        max_price,
        kind,
        employment,
        accepting,
        sort,
        page,
        per_page,
    };
    understand(&mut request, places);
    Ok(request)
}

/// Words that carry no meaning for matching a listing.
const FILLER: &[&str] = &[
    "a", "an", "the", "for", "near", "nearby", "in", "at", "on", "of", "to", "by", "around",
    "close", "who", "that", "with", "speaks", "speaking", "speak", "someone", "somebody", "me",
    "my", "i", "need", "needs", "want", "looking", "please", "and", "or", "can", "help", "some",
];

/// Takes out of the text what is better used as a filter: a postcode, a
/// language, a time of week. Filters already given win; nothing is widened.
pub fn understand(request: &mut SearchRequest, places: &Places) {
    let raw = request.text.clone();
    let tokens: Vec<&str> = raw.split_whitespace().collect();
    let mut kept: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].trim_matches(|c: char| !c.is_alphanumeric());
        let lower = token.to_lowercase();
        let next = tokens.get(i + 1).map(|t| {
            t.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        });
        // "M14 5AB" is two tokens; "M14" one.
        if token.chars().any(|c| c.is_ascii_digit())
            && token.chars().any(|c| c.is_ascii_alphabetic())
        {
            let pair = next.as_ref().map(|n| format!("{token} {n}"));
            if let Some(place) = pair.as_deref().and_then(|p| places.resolve(p).ok()) {
                request
                    .area
                    .get_or_insert_with(|| place.district.code.clone());
                i += 2;
                continue;
            }
            if let Ok(place) = places.resolve(token) {
                request
                    .area
                    .get_or_insert_with(|| place.district.code.clone());
                i += 1;
                continue;
            }
        }
        if lower == "sign" && next.as_deref() == Some("language") {
            add_language(request, "bfi");
            i += 2;
            continue;
        }
        if lower == "bsl" {
            add_language(request, "bfi");
            i += 1;
            continue;
        }
        if let Some((code, _)) = LANGUAGES
            .iter()
            .find(|(code, name)| *code != "en" && name.to_lowercase() == lower)
        {
            add_language(request, code);
            i += 1;
            continue;
        }
        if lower == "bank" && matches!(next.as_deref(), Some("holiday" | "holidays")) {
            add_band(request, Band::BankHoliday);
            i += 2;
            continue;
        }
        let band = match lower.as_str() {
            "evening" | "evenings" | "teatime" => Some(Band::WeekdayEvening),
            "weekend" | "weekends" | "saturday" | "saturdays" | "sunday" | "sundays" => {
                Some(Band::Weekend)
            }
            "daytime" | "daytimes" | "weekday" | "weekdays" => Some(Band::WeekdayDay),
            "overnight" | "nights" => Some(Band::Night),
            _ => None,
        };
        if let Some(band) = band {
            add_band(request, band);
            i += 1;
            continue;
        }
        if !FILLER.contains(&lower.as_str()) {
            kept.push(token.to_owned());
        }
        i += 1;
    }
    request.text = kept.join(" ");
}

fn add_language(request: &mut SearchRequest, code: &str) {
    if !request.languages.iter().any(|l| l == code) {
        request.languages.push(code.to_owned());
    }
}

fn add_band(request: &mut SearchRequest, band: Band) {
    if !request.availability.contains(&band) {
        request.availability.push(band);
    }
}

/// A run of query words with the alternatives the synonyms give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordGroup {
    pub words: Vec<String>,
    pub alternatives: Vec<Vec<String>>,
}

/// Groups the words of a query, taking the longest synonym phrase first, as Meilisearch does.
pub fn word_groups(text: &str, settings: &SearchSettings) -> Vec<WordGroup> {
    let words = words(text);
    let synonyms = &settings.phrases;
    let mut groups = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let found = (1..=3.min(words.len() - i)).rev().find_map(|len| {
            synonyms
                .get(&words[i..i + len])
                .map(|alts| (len, alts.clone()))
        });
        match found {
            Some((len, alternatives)) => {
                groups.push(WordGroup {
                    words: words[i..i + len].to_vec(),
                    alternatives,
                });
                i += len;
            }
            None => {
                groups.push(WordGroup {
                    words: vec![words[i].clone()],
                    alternatives: Vec::new(),
                });
                i += 1;
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> SearchParams {
        SearchParams {
            q: Some(q.into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_shared_settings_load() {
        let settings = SearchSettings::load().unwrap();
        assert_eq!(settings.searchable_attributes[0], "title");
        assert_eq!(settings.typos_allowed("care"), 0);
        assert_eq!(settings.typos_allowed("carer"), 1);
        assert_eq!(settings.typos_allowed("assistant"), 2);
        assert_eq!(settings.typos_allowed("12345"), 0);
        assert!(settings.weight("title") > settings.weight("description"));
    }

    #[test]
    fn a_whole_sentence_becomes_words_and_filters() {
        let request = check(
            &params("a personal assistant for evenings near M14 who speaks Urdu"),
            Places::get(),
        )
        .unwrap();
        assert_eq!(request.text, "personal assistant");
        assert_eq!(request.area.as_deref(), Some("M14"));
        assert_eq!(request.languages, ["ur"]);
        assert_eq!(request.availability, [Band::WeekdayEvening]);
        assert_eq!(
            request.raw_text,
            "a personal assistant for evenings near M14 who speaks Urdu"
        );

        let full = check(&params("respite m14 5ab bank holidays bsl"), Places::get()).unwrap();
        assert_eq!(full.text, "respite");
        assert_eq!(full.area.as_deref(), Some("M14"));
        assert_eq!(full.availability, [Band::BankHoliday]);
        assert_eq!(full.languages, ["bfi"]);
    }

    #[test]
    fn given_filters_win_over_understood_ones() {
        let mut p = params("carer in M20");
        p.area = Some("M14".into());
        let request = check(&p, Places::get()).unwrap();
        assert_eq!(request.area.as_deref(), Some("M14"));
        assert_eq!(request.text, "carer");
    }

    #[test]
    fn bad_parameters_are_named() {
        let p = SearchParams {
            category: Some("wizardry".into()),
            area: Some("nowhere".into()),
            availability: vec!["sometimes".into()],
            language: vec!["xx".into()],
            max_price: Some("cheap".into()),
            kind: Some("robot".into()),
            employment: Some("maybe".into()),
            accepting: Some("perhaps".into()),
            sort: Some("random".into()),
            page: Some("0".into()),
            per_page: Some("1000".into()),
            ..Default::default()
        };
        let errors = check(&p, Places::get()).unwrap_err();
        for field in [
            "category",
            "area",
            "availability",
            "language",
            "max_price",
            "kind",
            "employment",
            "accepting",
            "sort",
            "page",
            "per_page",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let distance = SearchParams {
            sort: Some("distance".into()),
            ..Default::default()
        };
        assert!(check(&distance, Places::get())
            .unwrap_err()
            .get("sort")
            .is_some());
    }

    #[test]
    fn very_long_queries_are_cut_not_refused() {
        let request = check(&params(&"care ".repeat(1000)), Places::get()).unwrap();
        assert!(request.raw_text.chars().count() <= MAX_QUERY_CHARS);
    }

    #[test]
    fn synonym_phrases_group_words() {
        let settings = SearchSettings::load().unwrap();
        let groups = word_groups("personal assistant driver", &settings);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].words, ["personal", "assistant"]);
        assert!(groups[0].alternatives.contains(&vec!["pa".to_owned()]));
        assert_eq!(groups[1].words, ["driver"]);
        assert!(groups[1].alternatives.is_empty());
        let respite = word_groups("Respite", &settings);
        assert!(respite[0]
            .alternatives
            .contains(&vec!["short".to_owned(), "break".to_owned()]));
        assert_eq!(words("Café-Club, M14!"), ["cafe", "club", "m14"]);
    }
}
