//! One application error type, mapped once to GraphQL `extensions.code` / `field` / `index`.
//!
//! Store and domain code return `AppError`; resolvers turn it into an `async_graphql::Error`
//! with `?`. An internal error keeps its cause (`source`), which travels inside the GraphQL
//! error to the HTTP layer; that logs it once, in the request's span, and answers with the
//! code and the request id only, never the cause.

use std::sync::Arc;

use async_graphql::{ErrorExtensions, Value};

/// The contract's error codes (`extensions.code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    StaleEtag,
    NoProcedureForPart,
    InventoryNotAvailable,
    ProcedureNotReleased,
    PartMismatch,
    DuplicateSerial,
    DuplicateLot,
    IdentityRequired,
    InvalidTransition,
    StepNotAvailable,
    FieldInvalid,
    IdempotencyKeyReused,
    LimitExceeded,
    Conflict,
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::StaleEtag => "STALE_ETAG",
            Code::NoProcedureForPart => "NO_PROCEDURE_FOR_PART",
            Code::InventoryNotAvailable => "INVENTORY_NOT_AVAILABLE",
            Code::ProcedureNotReleased => "PROCEDURE_NOT_RELEASED",
            Code::PartMismatch => "PART_MISMATCH",
            Code::DuplicateSerial => "DUPLICATE_SERIAL",
            Code::DuplicateLot => "DUPLICATE_LOT",
            Code::IdentityRequired => "IDENTITY_REQUIRED",
            Code::InvalidTransition => "INVALID_TRANSITION",
            Code::StepNotAvailable => "STEP_NOT_AVAILABLE",
            Code::FieldInvalid => "FIELD_INVALID",
            Code::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Code::LimitExceeded => "LIMIT_EXCEEDED",
            Code::Conflict => "CONFLICT",
            Code::Internal => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// An error and its causes, `outer: inner: ...`, for the log (never for clients).
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        out.push_str(": ");
        out.push_str(&e.to_string());
        next = e.source();
    }
    out
}

/// One segment of an input path such as `["input", "runs", 3, "serialNumber"]`.
#[derive(Clone, Debug, PartialEq)]
pub enum Seg {
    Key(&'static str),
    Index(usize),
}

/// What an internal error wraps (shared, so `AppError` stays `Clone` for the loaders).
pub type Cause = Arc<dyn std::error::Error + Send + Sync>;

#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: Code,
    pub message: String,
    pub field: Vec<Seg>,
    pub index: Option<usize>,
    /// Why an internal error happened (a `DbErr`, a corrupt row, ...): for the log only.
    #[source]
    pub source: Option<Cause>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            field: Vec::new(),
            index: None,
            source: None,
        }
    }

    /// Sets the input path, e.g. `.at(&["input", "partId"])`.
    pub fn at(mut self, path: &[&'static str]) -> Self {
        self.field = path.iter().map(|k| Seg::Key(k)).collect();
        self
    }

    pub fn with_path(mut self, path: Vec<Seg>) -> Self {
        self.field = path;
        self
    }

    pub fn with_index(mut self, index: usize) -> Self {
        self.index = Some(index);
        self
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(Code::NotFound, format!("{what} not found"))
    }

    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(Code::BadUserInput, message)
    }

    pub fn stale(what: &str) -> Self {
        Self::new(
            Code::StaleEtag,
            format!(
                "{what} was changed by someone else; reload it and retry with its current _etag"
            ),
        )
    }

    /// An error of ours, not the caller's: the client sees only `INTERNAL_SERVER_ERROR`
    /// and the request id; `cause` is logged once by the HTTP layer (not here, where the
    /// error may still be handled).
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let mut e = Self::new(Code::Internal, "internal server error");
        e.source = Some(Arc::from(cause.into()));
        e
    }

    fn field_value(&self) -> Value {
        Value::List(
            self.field
                .iter()
                .map(|s| match s {
                    Seg::Key(k) => Value::String((*k).to_string()),
                    Seg::Index(i) => Value::Number((*i as u64).into()),
                })
                .collect(),
        )
    }

    pub fn into_gql(self) -> async_graphql::Error {
        let AppError {
            code,
            ref message,
            index,
            ..
        } = self;
        let field = (!self.field.is_empty()).then(|| self.field_value());
        let mut err = async_graphql::Error::new(message.clone()).extend_with(|_, e| {
            e.set("code", code.as_str());
            if let Some(f) = &field {
                e.set("field", f.clone());
            }
            if let Some(i) = index {
                e.set("index", i as u64);
            }
        });
        if code == Code::Internal {
            // Carried (not serialized) to the HTTP layer, which logs it with the request id.
            err.source = Some(Arc::new(self));
        }
        err
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_busy(&err) {
            // Another process held the database (SQLite) or the rows (PostgreSQL) past
            // the wait: the client's call was fine and may be retried.
            return AppError::new(
                Code::Conflict,
                "the database was busy with other writes; nothing was changed, retry",
            );
        }
        AppError::internal(err)
    }
}

/// SQLite's busy or locked after its busy timeout; PostgreSQL's lock timeout, deadlock
/// or serialization failure.
fn is_busy(err: &sea_orm::DbErr) -> bool {
    let code = match err {
        sea_orm::DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e))
        | sea_orm::DbErr::Query(sea_orm::RuntimeErr::SqlxError(e))
        | sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .and_then(|d| d.code().map(|c| c.into_owned())),
        _ => None,
    };
    // SQLite extended codes keep the primary code in the low byte (5 BUSY, 6 LOCKED).
    code.is_some_and(|c| match c.parse::<i64>() {
        Ok(n) => matches!(n & 0xff, 5 | 6),
        Err(_) => matches!(c.as_str(), "55P03" | "40P01" | "40001"),
    })
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

/// Several errors from one request (bulk validation reports every one it finds).
#[derive(Debug)]
pub struct AppErrors(pub Vec<AppError>);

impl From<AppError> for AppErrors {
    fn from(e: AppError) -> Self {
        AppErrors(vec![e])
    }
}

impl From<sea_orm::DbErr> for AppErrors {
    fn from(e: sea_orm::DbErr) -> Self {
        AppErrors(vec![e.into()])
    }
}
