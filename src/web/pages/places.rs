//! "Find your council": the page twin of `GET /api/v1/places`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{render, Chrome, PageError};
use crate::error::AppError;
use crate::services::places::{resolve, PlaceView};
use crate::web::auth::Visitor;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct LookupQuery {
    postcode: Option<String>,
}

#[derive(Template)]
#[template(path = "places.html")]
struct PlacesPage {
    chrome: Chrome,
    postcode: String,
    place: Option<PlaceView>,
    error: Option<String>,
}

pub async fn lookup_page(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<LookupQuery>,
) -> Result<HttpResponse, PageError> {
    let postcode = query.postcode.clone().unwrap_or_default();
    let (place, error) = if postcode.trim().is_empty() {
        (None, None)
    } else {
        match resolve(state.places, &postcode) {
            Ok(place) => (Some(place), None),
            Err(AppError::Validation(errors)) => {
                (None, errors.first("postcode").map(str::to_owned))
            }
            Err(other) => return Err(other.into()),
        }
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &PlacesPage {
            chrome: Chrome::for_visitor(&visitor),
            postcode,
            place,
            error,
        },
        status,
    )
}
