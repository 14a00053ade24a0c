//! Resolving places for people: a postcode or district to its district and council.

use serde::Serialize;

use crate::domain::places::{Council, Places};
use crate::error::AppError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlaceView {
    pub postcode: Option<String>,
    pub district: String,
    pub latitude: f64,
    pub longitude: f64,
    pub council: Option<CouncilView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CouncilView {
    pub code: String,
    pub name: String,
    pub population: i64,
}

impl From<&Council> for CouncilView {
    fn from(c: &Council) -> Self {
        Self {
            code: c.code.clone(),
            name: c.name.clone(),
            population: c.population,
        }
    }
}

/// Resolves a postcode for both the API and the page.
pub fn resolve(places: &Places, postcode: &str) -> Result<PlaceView, AppError> {
    let place = places
        .resolve(postcode)
        .map_err(|e| AppError::field("postcode", e.to_string()))?;
    Ok(PlaceView {
        postcode: place.postcode,
        district: place.district.code.clone(),
        latitude: place.district.latitude,
        longitude: place.district.longitude,
        council: place.council.map(CouncilView::from),
    })
}
