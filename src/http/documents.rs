//! Parsed GraphQL documents, kept by their text: clients send the same few operations over
//! and over, and parsing one was 6.6% of the server's CPU for a traveler's read (`perf` on
//! `bench/peer.sh`'s one-run read). A kept document is copied into each request, which is
//! then checked and executed as if it had parsed it.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

/// Documents kept at most, the least recently used leaving first.
const ENTRIES: NonZeroUsize = NonZeroUsize::new(128).unwrap();

/// Longer texts are parsed every time, so that the cache holds at most 128 texts of 8 KiB
/// and their trees, whatever clients send.
const MAX_TEXT: usize = 8 * 1024;

pub struct Documents(Mutex<LruCache<String, Arc<ExecutableDocument>>>);

impl Default for Documents {
    fn default() -> Self {
        Documents(Mutex::new(LruCache::new(ENTRIES)))
    }
}

impl Documents {
    /// Gives `req` its parsed document: a copy of the one kept for its text, or parsed now
    /// (and kept, if it parses and is short). A text that does not parse is left for
    /// `Request::parsed_query` to report.
    pub fn parse(&self, req: &mut Request) {
        if req.query.len() > MAX_TEXT {
            return;
        }
        let kept = self.lock().get(&req.query).cloned();
        if let Some(doc) = kept {
            req.set_parsed_query(ExecutableDocument::clone(&doc));
            return;
        }
        if let Ok(doc) = req.parsed_query() {
            let doc = Arc::new(doc.clone());
            self.lock().put(req.query.clone(), doc);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, Arc<ExecutableDocument>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_document_is_the_one_its_text_parses_to() {
        let docs = Documents::default();
        let text = "query Q($r: ID!) { run(id: $r) { id steps { title } } }";
        let mut first = Request::new(text);
        docs.parse(&mut first);
        let mut again = Request::new(text);
        docs.parse(&mut again);
        let fresh = async_graphql::parser::parse_query(text).unwrap();
        let kept = again.parsed_query().unwrap();
        assert_eq!(format!("{kept:?}"), format!("{fresh:?}"));
        assert_eq!(docs.lock().len(), 1);
    }

    #[test]
    fn errors_and_long_texts_are_not_kept() {
        let docs = Documents::default();
        let mut bad = Request::new("{ run(");
        docs.parse(&mut bad);
        assert!(bad.parsed_query().is_err());
        let long = format!("{{ __typename {} }}", " ".repeat(MAX_TEXT));
        let mut long = Request::new(long);
        docs.parse(&mut long);
        assert!(long.parsed_query().is_ok());
        assert_eq!(docs.lock().len(), 0);
    }
}
