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

/// Every type, field, argument, input field and enum value of the schema has a description:
/// GraphiQL's documentation explorer and clients' tooling show them. Built-in scalars are
/// the GraphQL spec's own, and introspection types are async-graphql's.
#[test]
fn every_schema_element_has_a_description() {
    let (missing, total) = undescribed(&traveler::graphql::sdl());
    assert!(
        missing.is_empty(),
        "{} of {total} schema elements have no description (write a `///` doc comment):\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// The test's own check: it names what lacks a description, and only that.
#[test]
fn undescribed_names_each_missing_description() {
    let sdl = r#"
"""A."""
type A {
  """Described."""
  x(y: Int, """Z.""" z: Int): Int
  w: Int
}
input B { c: Int }
"""E."""
enum E {
  """One."""
  ONE
  TWO
}
scalar String
"#;
    let (missing, total) = undescribed(sdl);
    assert_eq!(missing, ["A.x(y:)", "A.w", "B", "B.c", "E.TWO"]);
    assert_eq!(total, 10);
}

/// The names of the elements in `sdl` without a description, as `Type`, `Type.field`,
/// `Type.field(arg:)` or `Enum.VALUE`, and how many elements there are.
fn undescribed(sdl: &str) -> (Vec<String>, usize) {
    use async_graphql::Positioned;
    use async_graphql::parser::types::{FieldDefinition, TypeKind, TypeSystemDefinition};

    #[derive(Default)]
    struct Tally(Vec<String>, usize);
    impl Tally {
        fn check<T>(&mut self, description: &Option<T>, name: String) {
            self.1 += 1;
            if description.is_none() {
                self.0.push(name);
            }
        }
        fn fields(&mut self, ty: &str, fields: &[Positioned<FieldDefinition>]) {
            for f in fields.iter().map(|f| &f.node) {
                let at = format!("{ty}.{}", f.name.node);
                self.check(&f.description, at.clone());
                for a in f.arguments.iter().map(|a| &a.node) {
                    self.check(&a.description, format!("{at}({}:)", a.name.node));
                }
            }
        }
    }
    const BUILT_IN: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];
    let doc = async_graphql::parser::parse_schema(sdl).expect("the SDL parses");
    let mut tally = Tally::default();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let (t, name) = (&t.node, t.node.name.node.to_string());
        if name.starts_with("__") || BUILT_IN.contains(&name.as_str()) {
            continue;
        }
        tally.check(&t.description, name.clone());
        match &t.kind {
            TypeKind::Object(o) => tally.fields(&name, &o.fields),
            TypeKind::Interface(i) => tally.fields(&name, &i.fields),
            TypeKind::InputObject(i) => {
                for f in i.fields.iter().map(|f| &f.node) {
                    tally.check(&f.description, format!("{name}.{}", f.name.node));
                }
            }
            TypeKind::Enum(e) => {
                for v in e.values.iter().map(|v| &v.node) {
                    tally.check(&v.description, format!("{name}.{}", v.value.node));
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
    }
    (tally.0, tally.1)
}
