//! What is wrong with what someone sent, field by field: the domain's checks
//! collect these, and the web layer shows them beside each field.

use std::collections::BTreeMap;

use serde::Serialize;

/// Messages for each invalid field, keyed by the field's name in the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    /// Keeps the value when it parsed, and records the message when it did not.
    pub fn check<T, E: ToString>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// Records that a required field is missing.
    pub fn required<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.add(field, "is required");
        }
        value
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&[String]> {
        self.0.get(field).map(Vec::as_slice)
    }

    /// The first message for a field, for showing beside a form input.
    pub fn first(&self, field: &str) -> Option<&str> {
        self.get(field).and_then(|m| m.first()).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<String>)> {
        self.0.iter()
    }

    /// Each message as a sentence naming its field ("Email is required"),
    /// with the field for linking to its input.
    pub fn sentences(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .flat_map(|(field, messages)| {
                let label = field.replace('_', " ");
                let mut chars = label.chars();
                let label = chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default();
                messages
                    .iter()
                    .map(move |m| (field.clone(), format!("{label} {m}")))
            })
            .collect()
    }

    /// `Ok(())` when nothing was recorded, otherwise these errors.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }
}
