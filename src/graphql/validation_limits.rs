//! Depth and complexity limits that answer as the contract says: `LIMIT_EXCEEDED`, naming
//! the limit and the measured value (async-graphql's own limits only say "Query is too
//! complex." under a generic validation code).

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ErrorExtensionValues, ServerError, ValidationResult};

/// The schema's static limits, checked once validation has measured the document.
pub struct ValidationLimits {
    pub depth: usize,
    pub complexity: usize,
}

impl ExtensionFactory for ValidationLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Check {
            depth: self.depth,
            complexity: self.complexity,
        })
    }
}

struct Check {
    depth: usize,
    complexity: usize,
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

#[async_graphql::async_trait::async_trait]
impl Extension for Check {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let r = next.run(ctx).await?;
        if r.depth > self.depth {
            return Err(exceeded("depth", r.depth, self.depth));
        }
        if r.complexity > self.complexity {
            return Err(exceeded("complexity", r.complexity, self.complexity));
        }
        Ok(r)
    }
}
