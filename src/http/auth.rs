//! API keys from the `Authorization` header: `Bearer <key>`, `Token <key>`, or the bare key
//! (ION clients send all three).

use axum::http::HeaderMap;

pub fn token(headers: &HeaderMap) -> Option<&str> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let key = match v.split_once(char::is_whitespace) {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token") =>
        {
            rest.trim()
        }
        Some(_) => return None,
        None => v,
    };
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert("authorization", v.parse().unwrap());
        m
    }

    #[test]
    fn three_forms() {
        assert_eq!(token(&h("Bearer abc")), Some("abc"));
        assert_eq!(token(&h("token abc")), Some("abc"));
        assert_eq!(token(&h("abc")), Some("abc"));
        assert_eq!(token(&h("Basic abc")), None);
        assert_eq!(token(&HeaderMap::new()), None);
    }
}
