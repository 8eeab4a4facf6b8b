//! Reading a page's query string without refusing what a browser adds:
//! empty values (`?branch=` from a form) mean "not set".

use super::error::PageError;
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use std::collections::HashMap;

/// The query parameters, empty values dropped.
pub struct Params(pub HashMap<String, String>);

impl Params {
    pub fn from(query: Result<Query<HashMap<String, String>>, QueryRejection>) -> Result<Params, PageError> {
        let Query(map) = query.map_err(|e| PageError::bad_request(e.body_text()))?;
        Ok(Params(map.into_iter().filter(|(_, v)| !v.is_empty()).collect()))
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }

    /// A number parameter; one that is not a number is a bad request.
    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, PageError> {
        self.0
            .get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| PageError::bad_request(format!("`{name}` must be a number, not `{v}`")))
            })
            .transpose()
    }
}
