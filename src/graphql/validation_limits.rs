//! Depth and complexity limits that answer as the contract says: `LIMIT_EXCEEDED`, naming
//! the limit and the measured value (async-graphql's own limits only say "Query is too
//! complex." under a generic validation code). Checked in the request's one extension
//! (`budget::FieldBudget::validation`): every extension adds a hook to every resolved field.

use async_graphql::{ErrorExtensionValues, ServerError, ValidationResult};

/// The schema's static limits, checked once validation has measured the document.
#[derive(Clone, Copy, Debug)]
pub struct ValidationLimits {
    pub depth: usize,
    pub complexity: usize,
}

impl ValidationLimits {
    /// `r` if within the limits, else the LIMIT_EXCEEDED error naming the value.
    pub fn check(&self, r: ValidationResult) -> Result<ValidationResult, Vec<ServerError>> {
        if r.depth > self.depth {
            return Err(exceeded("depth", r.depth, self.depth));
        }
        if r.complexity > self.complexity {
            return Err(exceeded("complexity", r.complexity, self.complexity));
        }
        Ok(r)
    }
}

fn exceeded(what: &str, value: usize, limit: usize) -> Vec<ServerError> {
    let mut e = ServerError::new(
        format!("query {what} {value} exceeds the limit of {limit}"),
        None,
    );
    let mut x = ErrorExtensionValues::default();
    x.set("code", "LIMIT_EXCEEDED");
    e.extensions = Some(x);
    vec![e]
}
