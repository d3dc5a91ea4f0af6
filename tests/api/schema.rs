//! `schema.graphql` is generated from the code; this test fails when it is out of date.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test --test api schema`.

#[test]
fn schema_file_is_current() {
    let sdl = traveler::graphql::sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    if std::env::var("UPDATE_SCHEMA").is_ok() {
        std::fs::write(path, &sdl).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema.graphql is out of date: run `UPDATE_SCHEMA=1 cargo test --test api schema`"
    );
}
