//! The search page: a search box and filters that work without JavaScript,
//! results with their key facts, and ways to widen a search that found nothing.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{render, Chrome, PageError};
use crate::domain::places::distance_km;
use crate::domain::search::{SearchParams, SearchRequest};
use crate::domain::vocab::{
    language_name, Band, Category, Employment, SellerKind, Vocabulary, LANGUAGES,
};
use crate::error::{AppError, FieldErrors};
use crate::services::search::{self, SearchItem};
use crate::web::api::search::params;
use crate::web::auth::Visitor;
use crate::web::state::AppState;

pub struct FilterOption {
    pub value: String,
    pub label: String,
    pub count: Option<u64>,
    pub selected: bool,
}

pub struct ResultRow {
    pub item: SearchItem,
    pub price: String,
    pub availability: String,
    pub languages: String,
}

/// A link that changes the search: to widen it, or to page through it.
pub struct Link {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    area: String,
    max_price: String,
    errors: FieldErrors,
    searched: bool,
    total: usize,
    results: Vec<ResultRow>,
    categories: Vec<FilterOption>,
    availability: Vec<FilterOption>,
    languages: Vec<FilterOption>,
    languages_open: bool,
    kinds: Vec<FilterOption>,
    employments: Vec<FilterOption>,
    sorts: Vec<FilterOption>,
    accepting: bool,
    understood: Vec<Link>,
    widen: Vec<Link>,
    previous: Option<String>,
    next: Option<String>,
    page: u32,
    pages: usize,
}

/// The query string of a search, with one parameter replaced or removed.
fn href(params: &SearchParams, change: impl FnOnce(&mut SearchParams)) -> String {
    let mut changed = params.clone();
    change(&mut changed);
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut push = |name: &'static str, value: &Option<String>| {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            pairs.push((name, v.clone()));
        }
    };
    push("q", &changed.q);
    push("area", &changed.area);
    push("category", &changed.category);
    push("max_price", &changed.max_price);
    push("kind", &changed.kind);
    push("employment", &changed.employment);
    push("accepting", &changed.accepting);
    push("sort", &changed.sort);
    push("page", &changed.page);
    for value in &changed.availability {
        pairs.push(("availability", value.clone()));
    }
    for value in &changed.language {
        pairs.push(("language", value.clone()));
    }
    format!(
        "/search?{}",
        serde_html_form::to_string(&pairs).unwrap_or_default()
    )
}

/// Categories people who found nothing might look at instead.
fn related(category: Category) -> &'static [Category] {
    use Category::*;
    match category {
        PersonalCare => &[PersonalAssistant, HomeHelp, SupportedLiving],
        PersonalAssistant => &[PersonalCare, Companionship, CommunityActivity],
        NightSupport => &[PersonalCare, ShortBreaks, SupportedLiving],
        ShortBreaks => &[NightSupport, DayOpportunities, CarersSupport],
        DayOpportunities => &[CommunityActivity, Learning, ShortBreaks],
        Companionship => &[PersonalAssistant, CommunityActivity, DayOpportunities],
        ResidentialCare => &[NursingCare, SupportedLiving, ShortBreaks],
        NursingCare => &[ResidentialCare, PersonalCare],
        _ => &[PersonalAssistant, PersonalCare, CommunityActivity],
    }
}

fn ways_to_widen(state: &AppState, params: &SearchParams, understood: &SearchRequest) -> Vec<Link> {
    let mut links = Vec::new();
    if let Some(area) = understood
        .area
        .as_deref()
        .and_then(|a| state.places.district(a))
    {
        let mut nearby: Vec<_> = state
            .places
            .districts_of(area.council_code.as_deref().unwrap_or_default())
            .into_iter()
            .filter(|d| d.code != area.code)
            .map(|d| (distance_km(area, d), d.code.clone()))
            .collect();
        nearby.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, code) in nearby.into_iter().take(3) {
            links.push(Link {
                href: href(params, |p| {
                    p.area = Some(code.clone());
                    p.page = None;
                }),
                label: format!("Search in {code}, nearby"),
            });
        }
        links.push(Link {
            href: href(params, |p| {
                p.area = None;
                p.sort = None;
                p.page = None;
            }),
            label: "Search everywhere".into(),
        });
    }
    if let Some(category) = understood.category {
        for other in related(category) {
            links.push(Link {
                href: href(params, |p| {
                    p.category = Some(other.code().into());
                    p.page = None;
                }),
                label: format!("Look at {} instead", other.label().to_lowercase()),
            });
        }
    }
    /// A filter that can be taken off: its link text, whether it is on, and how to take it off.
    type Removal = (&'static str, bool, fn(&mut SearchParams));
    let removals: [Removal; 6] = [
        (
            "Any time of the week",
            !params.availability.is_empty(),
            |p| p.availability.clear(),
        ),
        ("Any language", !params.language.is_empty(), |p| {
            p.language.clear()
        }),
        (
            "Any price",
            params.max_price.as_deref().is_some_and(|v| !v.is_empty()),
            |p| p.max_price = None,
        ),
        (
            "Any kind of seller",
            params.kind.as_deref().is_some_and(|v| !v.is_empty()),
            |p| p.kind = None,
        ),
        (
            "Including those not taking new clients",
            params.accepting.is_some(),
            |p| p.accepting = None,
        ),
        (
            "Any kind of support",
            params.category.as_deref().is_some_and(|v| !v.is_empty()),
            |p| p.category = None,
        ),
    ];
    for (label, active, remove) in removals {
        if active {
            links.push(Link {
                href: href(params, |p| {
                    remove(p);
                    p.page = None;
                }),
                label: label.into(),
            });
        }
    }
    if !understood.text.is_empty() {
        links.push(Link {
            href: href(params, |p| {
                p.q = None;
                p.page = None;
            }),
            label: format!("Everything, without the words “{}”", understood.text),
        });
    }
    links
}

/// What the search was taken to mean, each part a link that removes it.
fn understood_links(params: &SearchParams, request: &SearchRequest) -> Vec<Link> {
    let mut links = Vec::new();
    if !request.text.is_empty() {
        links.push(Link {
            href: href(params, |p| p.q = None),
            label: format!("“{}”", request.text),
        });
    }
    // Filters read from the words: to remove one, the words must go too.
    let from_words = params.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    if let Some(area) = &request.area {
        links.push(Link {
            href: href(params, |p| {
                p.area = None;
                p.sort = None;
                if from_words {
                    p.q = Some(request.text.clone());
                }
            }),
            label: format!("near {area}"),
        });
    }
    for band in &request.availability {
        links.push(Link {
            href: href(params, |p| {
                p.availability.retain(|b| b != band.code());
                if from_words {
                    p.q = Some(request.text.clone());
                }
            }),
            label: band.label().to_lowercase(),
        });
    }
    for code in &request.languages {
        links.push(Link {
            href: href(params, |p| {
                p.language.retain(|l| l != code);
                if from_words {
                    p.q = Some(request.text.clone());
                }
            }),
            label: format!("speaks {}", language_name(code).unwrap_or(code)),
        });
    }
    links
}

fn options<V: Vocabulary>(
    selected: &[String],
    counts: Option<&std::collections::BTreeMap<String, u64>>,
) -> Vec<FilterOption> {
    V::iter()
        .map(|v| FilterOption {
            value: v.code().into(),
            label: v.label().into(),
            count: counts.map(|c| c.get(v.code()).copied().unwrap_or(0)),
            selected: selected.iter().any(|s| s == v.code()),
        })
        .collect()
}

pub async fn search_page(
    state: web::Data<AppState>,
    visitor: Visitor,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let params = params(&req)?;
    let searched = !req.query_string().is_empty();
    let outcome = if searched {
        Some(
            search::search(
                state.search.as_ref(),
                state.places,
                &state.search_events,
                &params,
            )
            .await,
        )
    } else {
        None
    };
    let (response, errors) = match outcome {
        Some(Ok(response)) => (Some(response), FieldErrors::new()),
        Some(Err(AppError::Validation(errors))) => (None, errors),
        Some(Err(other)) => return Err(other.into()),
        None => (None, FieldErrors::new()),
    };
    let one = |v: &Option<String>| v.clone().into_iter().collect::<Vec<_>>();
    let facets = response.as_ref().map(|r| &r.facets);
    let understood_request = response.as_ref().map(|r| r.understood.clone());
    // Filters read from the words show as chosen in the panel too.
    let chosen_bands: Vec<String> = understood_request
        .as_ref()
        .map(|r| r.availability.iter().map(|b| b.code().to_owned()).collect())
        .unwrap_or_else(|| params.availability.clone());
    let chosen_languages: Vec<String> = understood_request
        .as_ref()
        .map(|r| r.languages.clone())
        .unwrap_or_else(|| params.language.clone());
    let language_counts = facets.and_then(|f| f.get("language"));
    let languages = LANGUAGES
        .iter()
        .filter(|(code, _)| {
            chosen_languages.iter().any(|l| l == code)
                || language_counts.is_none_or(|c| c.get(*code).is_some_and(|n| *n > 0))
        })
        .map(|(code, name)| FilterOption {
            value: (*code).into(),
            label: (*name).into(),
            count: language_counts.map(|c| c.get(*code).copied().unwrap_or(0)),
            selected: chosen_languages.iter().any(|l| l == code),
        })
        .collect();
    let total = response.as_ref().map_or(0, |r| r.total);
    let per_page = response.as_ref().map_or(20, |r| r.per_page) as usize;
    let page = response.as_ref().map_or(1, |r| r.page);
    let pages = total.div_ceil(per_page.max(1));
    let results = response
        .as_ref()
        .map(|r| {
            r.items
                .iter()
                .map(|item| ResultRow {
                    price: format!(
                        "{} {}",
                        item.price.amount.display_gbp(),
                        item.price.unit.each()
                    ),
                    availability: item
                        .availability
                        .iter()
                        .filter_map(|b| Band::from_input(b).ok())
                        .map(|b| b.label())
                        .collect::<Vec<_>>()
                        .join(", "),
                    languages: item
                        .languages
                        .iter()
                        .filter_map(|l| language_name(l))
                        .collect::<Vec<_>>()
                        .join(", "),
                    item: item.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let page_link = |n: u32| href(&params, |p| p.page = Some(n.to_string()));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        &SearchPage {
            chrome: Chrome::for_visitor(&visitor),
            q: params.q.clone().unwrap_or_default(),
            area: understood_request
                .as_ref()
                .and_then(|r| r.area.clone())
                .or_else(|| params.area.clone())
                .unwrap_or_default(),
            max_price: params.max_price.clone().unwrap_or_default(),
            searched: searched && errors.is_empty(),
            total,
            results,
            categories: options::<Category>(
                &one(&params.category),
                facets.and_then(|f| f.get("category")),
            ),
            availability: options::<Band>(
                &chosen_bands,
                facets.and_then(|f| f.get("availability")),
            ),
            languages_open: !chosen_languages.is_empty(),
            languages,
            kinds: options::<SellerKind>(&one(&params.kind), None),
            employments: options::<Employment>(&one(&params.employment), None),
            sorts: [
                ("relevance", "Best match"),
                ("price", "Lowest price"),
                ("distance", "Nearest first"),
            ]
            .into_iter()
            .map(|(value, label)| FilterOption {
                value: value.into(),
                label: label.into(),
                count: None,
                selected: params.sort.as_deref().unwrap_or("relevance") == value,
            })
            .collect(),
            accepting: params
                .accepting
                .as_deref()
                .is_some_and(|a| a == "true" || a == "on"),
            understood: understood_request
                .as_ref()
                .map(|r| understood_links(&params, r))
                .unwrap_or_default(),
            widen: match (&understood_request, total) {
                (Some(r), 0) => ways_to_widen(&state, &params, r),
                _ => Vec::new(),
            },
            previous: (page > 1).then(|| page_link(page - 1)),
            next: ((page as usize) < pages).then(|| page_link(page + 1)),
            page,
            pages,
            errors,
        },
        status,
    )
}
