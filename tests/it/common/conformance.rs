//! Every API answer a test receives is checked against the OpenAPI document:
//! its status must be documented for the operation, its content type must be
//! one the document names, and a JSON body must match the documented schema.
//! So the whole suite, on both databases, keeps the document honest.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::http::Method;
use serde_json::{json, Value};

use super::Reply;

/// The documented template a concrete path belongs to, if any: the one with
/// the most fixed segments, as the router prefers `/plans/{id}/moves` over
/// `/plans/{id}/{action}`.
pub fn template_for(document: &Value, path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    document["paths"]
        .as_object()?
        .keys()
        .filter_map(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut fixed = 0;
            for (part, segment) in parts.iter().zip(&segments) {
                if part.starts_with('{') {
                    if segment.is_empty() {
                        return None;
                    }
                } else if part == segment {
                    fixed += 1;
                } else {
                    return None;
                }
            }
            Some((fixed, template.clone()))
        })
        .max_by_key(|(fixed, _)| *fixed)
        .map(|(_, template)| template)
}

type Validators = Mutex<HashMap<String, Arc<jsonschema::Validator>>>;

fn validator(document: &Value, key: &str, schema: &Value) -> Arc<jsonschema::Validator> {
    static CACHE: OnceLock<Validators> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap().get(key) {
        return found.clone();
    }
    // The schema's `$ref`s point into the document's components; carry them along.
    let mut rooted = json!({"allOf": [schema]});
    rooted["components"] = document["components"].clone();
    let compiled = Arc::new(
        jsonschema::validator_for(&rooted)
            .unwrap_or_else(|e| panic!("the document's schema for {key} does not compile: {e}")),
    );
    cache
        .lock()
        .unwrap()
        .insert(key.to_owned(), compiled.clone());
    compiled
}

/// Panics, naming the operation and what differs, when a reply does not
/// match the document. Paths and methods the document does not have (tests
/// of unknown addresses and wrong methods) are left alone.
pub fn check(method: &Method, path: &str, reply: &Reply) {
    let document = bespoke::web::api::openapi::document();
    let Some(template) = template_for(document, path) else {
        return;
    };
    let method_name = method.as_str().to_lowercase();
    let operation = &document["paths"][&template][&method_name];
    if operation.is_null() {
        return;
    }
    let status = reply.status.as_u16().to_string();
    let described = &operation["responses"][&status];
    assert!(
        !described.is_null(),
        "{method} {template} answered {status}, which the OpenAPI document does not list: {}",
        reply.text
    );
    let Some(content) = described["content"].as_object() else {
        return;
    };
    let content_type = reply.content_type();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let Some(media) = content.get(essence) else {
        panic!(
            "{method} {template} answered {status} as {content_type:?}; the document lists {:?}",
            content.keys().collect::<Vec<_>>()
        );
    };
    if !essence.ends_with("json") {
        return;
    }
    let Some(schema) = media.get("schema") else {
        return;
    };
    let body: Value = serde_json::from_str(&reply.text).unwrap_or_else(|e| {
        panic!("{method} {template} answered {status} with JSON that does not parse ({e})")
    });
    let key = format!("{method_name} {template} {status} {essence}");
    let validator = validator(document, &key, schema);
    let problems: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .take(5)
        .collect();
    assert!(
        problems.is_empty(),
        "{method} {template} answered {status} with a body that does not match the OpenAPI document:\n  {}\nbody: {}",
        problems.join("\n  "),
        reply.text
    );
}
