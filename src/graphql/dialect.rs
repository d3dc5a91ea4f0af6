//! ION's dialect, translated into Traveler's schema before validation, in one place.
//!
//! ION's published requests differ from the SDL in ways that are spelling, not meaning:
//! - input type names of ION's docs site (`RunCreateInput` for `CreateRunInput`);
//! - enum values in lower and snake case (`in_progress`), and `pending` for a new run's TODO;
//! - `_etag` as an input key where the SDL says `etag`;
//! - graphene's generated enum type names (`Proceduretypeenum` for `ProcedureType`);
//! - older mutations' fields given as arguments (`createProcedure(title: $t)`), wrapped into
//!   the mutation's one `input`.
//! - `_created` and `_updated` (ION's schema's names of `createdAt` and `updatedAt`) as
//!   selected fields, answered under ION's name (an alias);
//! - a root list selected as a plain list (`parts(filters: {}) { id }`, ION's
//!   field-selection page), where the SDL and ION's other documents have a connection: the
//!   selection moves under `edges { node }` and [`Reshape`] answers the nodes as a list.
//!
//! [`translate`] rewrites the parsed document (variable definitions and literal arguments)
//! and the request's variables, guided by the schema's own input and enum types, so every
//! later step (validation, execution, errors) sees plain Traveler. Outputs keep the names the
//! client selected.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, FragmentDefinition, OperationDefinition,
    OperationType, Selection, SelectionSet, Type, TypeKind,
};
use async_graphql::{Name, Positioned, Request};
use async_graphql_value::{ConstValue, Value};

/// ION's input type names -> the SDL's.
const TYPE_ALIASES: &[(&str, &str)] = &[
    ("RunCreateInput", "CreateRunInput"),
    ("RunUpdateInput", "UpdateRunInput"),
    ("UserInputFilters", "UsersInputFilters"),
    // ion-examples' addUserToTeam.
    ("TeamToUserInput", "AddUserToTeamInput"),
    // ION's schema (as its published client code declares it) for role assignment.
    ("RoleToUserInput", "AttachRoleToUserInput"),
    ("TeamToRoleInput", "AttachRoleToTeamInput"),
    // Traveler's own earlier name for dates (chrono's), before the contract's `Date`.
    ("NaiveDate", "Date"),
    // Traveler's role enum, before roles were objects: its values were role names.
    ("Role", "String"),
];

/// Input type names this schema has retired: a variable declared with one takes the type of
/// the one position it is used in (Traveler's `IdEtagInput`, shared by four mutations before
/// each had its own `VerbNounInput`).
const RETIRED_INPUTS: &[&str] = &["IdEtagInput"];

/// ION's names of output fields -> the SDL's, on every object type that has the field.
const FIELD_ALIASES: &[(&str, &str)] = &[("_created", "createdAt"), ("_updated", "updatedAt")];

/// ION's enum words that are not a case change of ours: (ION, Traveler).
const VALUE_ALIASES: &[(&str, &str)] = &[("PENDING", "TODO")];

/// What the translation needs of the schema: each input object's fields and their named
/// types, and each enum's values.
#[derive(Default)]
pub struct Dialect {
    inputs: HashMap<String, HashMap<String, String>>,
    enums: HashMap<String, HashSet<String>>,
    /// Object types: each field's (named) type and its arguments' named types.
    objects: HashMap<String, HashMap<String, Field>>,
}

struct Field {
    ty: String,
    args: HashMap<String, String>,
}

/// Where each variable is used: variable name -> the named types of its positions.
type Usages = HashMap<String, Vec<String>>;

/// The dialect of this build's schema (its SDL is fixed at compile time).
fn dialect() -> &'static Dialect {
    static D: OnceLock<Dialect> = OnceLock::new();
    D.get_or_init(|| Dialect::from_sdl(&super::sdl()))
}

/// Rewrites `req` from ION's spelling into the SDL's; a document that does not parse is left
/// for async-graphql to report. The answer is to go through the returned [`Reshape`].
pub fn translate(req: &mut Request) -> Reshape {
    let Ok(doc) = req.parsed_query() else {
        return Reshape::default();
    };
    let mut doc = doc.clone();
    let d = dialect();
    d.document(&mut doc, &mut req.variables);
    let reshape = d.plain_lists(&mut doc);
    req.set_parsed_query(doc);
    reshape
}

/// Root lists a request selected as plain lists: their response keys. Their connections
/// are answered as the list of their nodes.
#[derive(Debug, Default)]
pub struct Reshape(Vec<Name>);

impl Reshape {
    /// `data[key]` becomes the nodes of `data[key].edges`, for each key.
    pub fn apply(&self, resp: &mut async_graphql::Response) {
        let ConstValue::Object(data) = &mut resp.data else {
            return;
        };
        for key in &self.0 {
            let Some(v) = data.get_mut(key) else { continue };
            let ConstValue::Object(conn) = v else {
                continue;
            };
            let Some(ConstValue::List(edges)) = conn.shift_remove("edges") else {
                continue;
            };
            let nodes = edges.into_iter().filter_map(|e| match e {
                ConstValue::Object(mut e) => e.shift_remove("node"),
                _ => None,
            });
            *v = ConstValue::List(nodes.collect());
        }
    }
}

impl Dialect {
    /// Moves the selection of each root query field that has a connection type but is
    /// selected as a plain list (only fields of the node, no `edges`, `pageInfo`,
    /// `totalCount` or fragments) under `edges { node { .. } }`.
    fn plain_lists(&self, doc: &mut ExecutableDocument) -> Reshape {
        let mut keys = Vec::new();
        let ops = operations(&mut doc.operations);
        for op in ops
            .into_iter()
            .filter(|o| o.node.ty == OperationType::Query)
        {
            for item in &mut op.node.selection_set.node.items {
                let Selection::Field(f) = &mut item.node else {
                    continue;
                };
                if self.selected_as_list(&f.node) {
                    keys.push(f.node.response_key().node.clone());
                    under_edges_node(&mut f.node);
                }
            }
        }
        Reshape(keys)
    }

    /// Whether root field `f` is a connection whose selection names only its nodes' fields.
    fn selected_as_list(&self, f: &async_graphql::parser::types::Field) -> bool {
        let ty = |o: &str, field: &str| self.objects.get(o)?.get(field).map(|d| d.ty.clone());
        let Some(conn) = ty("Query", f.name.node.as_str()) else {
            return false;
        };
        let Some(node) = ty(&conn, "edges").and_then(|e| ty(&e, "node")) else {
            return false;
        };
        let items = &f.selection_set.node.items;
        !items.is_empty()
            && items.iter().all(|i| match &i.node {
                Selection::Field(s) => {
                    let name = s.node.name.node.as_str();
                    ty(&conn, name).is_none() && ty(&node, name).is_some()
                }
                _ => false,
            })
    }
}

/// Every operation of a document, named or not.
fn operations(ops: &mut DocumentOperations) -> Vec<&mut Positioned<OperationDefinition>> {
    match ops {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(m) => m.values_mut().collect(),
    }
}

/// `f { a b }` becomes `f { edges { node { a b } } }`.
fn under_edges_node(f: &mut async_graphql::parser::types::Field) {
    let pos = f.selection_set.pos;
    let wrap = |name: &str, set: SelectionSet| {
        let field = async_graphql::parser::types::Field {
            alias: None,
            name: Positioned::new(Name::new(name), pos),
            arguments: Vec::new(),
            directives: Vec::new(),
            selection_set: Positioned::new(set, pos),
        };
        SelectionSet {
            items: vec![Positioned::new(
                Selection::Field(Positioned::new(field, pos)),
                pos,
            )],
        }
    };
    let set = std::mem::take(&mut f.selection_set.node);
    f.selection_set.node = wrap("edges", wrap("node", set));
}

impl Dialect {
    pub fn from_sdl(sdl: &str) -> Dialect {
        let mut d = Dialect::default();
        let Ok(schema) = async_graphql::parser::parse_schema(sdl) else {
            return d;
        };
        for def in schema.definitions {
            let async_graphql::parser::types::TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            let name = t.node.name.node.to_string();
            match t.node.kind {
                TypeKind::InputObject(o) => {
                    let fields = o.fields.iter().map(|f| {
                        let ty = named(&f.node.ty.node).to_string();
                        (f.node.name.node.to_string(), ty)
                    });
                    d.inputs.insert(name, fields.collect());
                }
                TypeKind::Enum(e) => {
                    let values = e.values.iter().map(|v| v.node.value.node.to_string());
                    d.enums.insert(name, values.collect());
                }
                TypeKind::Object(o) => {
                    let fields = o.fields.iter().map(|f| {
                        let args =
                            f.node.arguments.iter().map(|a| {
                                (a.node.name.node.to_string(), named(&a.node.ty.node).into())
                            });
                        let ty = named(&f.node.ty.node).to_string();
                        let field = Field {
                            ty,
                            args: args.collect(),
                        };
                        (f.node.name.node.to_string(), field)
                    });
                    d.objects.insert(name, fields.collect());
                }
                _ => {}
            }
        }
        d
    }

    /// Every operation's variable types and values, and every literal argument.
    pub fn document(&self, doc: &mut ExecutableDocument, vars: &mut async_graphql::Variables) {
        let fragments = &doc.fragments;
        let ops = operations(&mut doc.operations);
        for op in ops {
            let root = match op.node.ty {
                OperationType::Query => "Query",
                OperationType::Mutation => "Mutation",
                OperationType::Subscription => "Subscription",
            };
            let mut dropped = Vec::new();
            if root == "Mutation" {
                let set = &mut op.node.selection_set.node;
                dropped = self.wrap_flat_arguments(set, vars);
            }
            let mut uses = Usages::new();
            let mut seen = HashSet::new();
            let set = &op.node.selection_set.node;
            self.usages(set, root, fragments, &mut seen, &mut uses);
            // A variable whose only argument was dropped is not the client's mistake.
            let defs = &mut op.node.variable_definitions;
            defs.retain(|v| {
                let name = v.node.name.node.as_str();
                !dropped.iter().any(|d| d == name) || uses.contains_key(name)
            });
            for v in &mut op.node.variable_definitions {
                self.rename_type(&mut v.node.var_type.node);
                retired_input(
                    &mut v.node.var_type.node,
                    uses.get(v.node.name.node.as_str()),
                );
                int_as_id(
                    &mut v.node.var_type.node,
                    uses.get(v.node.name.node.as_str()),
                );
                let ty = named(&v.node.var_type.node).to_string();
                if let Some(value) = vars.get_mut(&v.node.name.node) {
                    self.variable(&ty, value);
                }
            }
            self.selections(&mut op.node.selection_set.node);
        }
        for f in doc.fragments.values_mut() {
            self.selections(&mut f.node.selection_set.node);
        }
    }

    /// A variable's value as its declared (named) type wants it.
    fn variable(&self, ty: &str, value: &mut ConstValue) {
        match value {
            ConstValue::List(items) => items.iter_mut().for_each(|v| self.variable(ty, v)),
            ConstValue::String(_) | ConstValue::Enum(_) if self.enums.contains_key(ty) => {
                let word = match value {
                    ConstValue::String(s) => s.clone(),
                    ConstValue::Enum(n) => n.to_string(),
                    _ => return,
                };
                if let Some(v) = self.enum_value(ty, &word) {
                    *value = ConstValue::Enum(Name::new(v));
                }
            }
            ConstValue::Object(map) => {
                let Some(fields) = self.inputs.get(ty) else {
                    return;
                };
                if fields.contains_key("etag")
                    && let Some(v) = map.shift_remove("_etag")
                {
                    map.entry(Name::new("etag")).or_insert(v);
                }
                for (k, v) in map.iter_mut() {
                    if let Some(fty) = fields.get(k.as_str()) {
                        self.variable(fty, v);
                    }
                }
            }
            _ => {}
        }
    }

    /// `word` as a value of enum `ty`, if it names one in ION's spelling.
    fn enum_value(&self, ty: &str, word: &str) -> Option<String> {
        let values = self.enums.get(ty)?;
        let upper = canonical(word);
        let v = VALUE_ALIASES
            .iter()
            .find(|(ion, ours)| *ion == upper && !values.contains(*ion) && values.contains(*ours))
            .map_or(upper, |(_, ours)| ours.to_string());
        values.contains(&v).then_some(v)
    }

    /// Records the named type of every position a variable is used in, below `parent`.
    fn usages<'a>(
        &self,
        set: &'a SelectionSet,
        parent: &str,
        fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
        seen: &mut HashSet<&'a str>,
        out: &mut Usages,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let def = self
                        .objects
                        .get(parent)
                        .and_then(|o| o.get(f.node.name.node.as_str()));
                    let Some(def) = def else { continue };
                    for (name, v) in &f.node.arguments {
                        if let Some(ty) = def.args.get(name.node.as_str()) {
                            self.value_usages(&v.node, ty, out);
                        }
                    }
                    self.usages(&f.node.selection_set.node, &def.ty, fragments, seen, out);
                }
                Selection::InlineFragment(f) => {
                    let on = f.node.type_condition.as_ref();
                    let ty = on.map_or(parent, |t| t.node.on.node.as_str());
                    self.usages(&f.node.selection_set.node, ty, fragments, seen, out);
                }
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    let Some(f) = fragments.get(name) else {
                        continue;
                    };
                    if seen.insert(name) {
                        let ty = f.node.type_condition.node.on.node.as_str();
                        self.usages(&f.node.selection_set.node, ty, fragments, seen, out);
                    }
                }
            }
        }
    }

    fn value_usages(&self, v: &Value, ty: &str, out: &mut Usages) {
        match v {
            Value::Variable(name) => out.entry(name.to_string()).or_default().push(ty.into()),
            Value::List(items) => items.iter().for_each(|v| self.value_usages(v, ty, out)),
            Value::Object(map) => {
                let Some(fields) = self.inputs.get(ty) else {
                    return;
                };
                for (k, v) in map {
                    // `_etag` has not been renamed yet here; it is never an ID anyway.
                    if let Some(fty) = fields.get(k.as_str()) {
                        self.value_usages(v, fty, out);
                    }
                }
            }
            _ => {}
        }
    }

    fn selections(&self, set: &mut SelectionSet) {
        for item in &mut set.items {
            match &mut item.node {
                Selection::Field(f) => {
                    field_alias(&mut f.node);
                    for (_, v) in &mut f.node.arguments {
                        literal(&mut v.node);
                    }
                    self.selections(&mut f.node.selection_set.node);
                }
                Selection::InlineFragment(f) => self.selections(&mut f.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

/// A field selected by ION's name: the SDL's field, answered under ION's name unless the
/// client gave an alias.
fn field_alias(f: &mut async_graphql::parser::types::Field) {
    let Some((_, ours)) = FIELD_ALIASES
        .iter()
        .find(|(ion, _)| *ion == f.name.node.as_str())
    else {
        return;
    };
    if f.alias.is_none() {
        f.alias = Some(f.name.clone());
    }
    f.name.node = Name::new(ours);
}

/// A literal argument: enum words in ION's case become ours, `_etag` keys become `etag`.
/// Literal enum words are only ever enum values, so no type is needed to recognise them.
fn literal(v: &mut Value) {
    match v {
        Value::Enum(n) => {
            let upper = canonical(n);
            let upper = VALUE_ALIASES
                .iter()
                .find(|(ion, _)| *ion == upper)
                .map_or(upper, |(_, ours)| ours.to_string());
            *n = Name::new(upper);
        }
        Value::List(items) => items.iter_mut().for_each(literal),
        Value::Object(map) => {
            if let Some(e) = map.shift_remove("_etag") {
                map.entry(Name::new("etag")).or_insert(e);
            }
            if let Some(Value::List(roles)) = map.get_mut("roles") {
                role_words(roles);
            }
            map.values_mut().for_each(literal);
        }
        _ => {}
    }
}

/// Role names written as enum words (`roles: [PLANNER]`), as documents sent them when
/// roles were an enum: `roles` input fields hold names (strings) now, and no enum input
/// field is called `roles`.
fn role_words(roles: &mut [Value]) {
    for r in roles {
        if let Value::Enum(n) = r {
            *r = Value::String(n.to_string());
        }
    }
}

/// `in_progress`, `In-Progress`, `IN_PROGRESS` -> `IN_PROGRESS`.
fn canonical(word: &str) -> String {
    word.trim().replace(['-', ' '], "_").to_uppercase()
}

/// ION declares ids as `Int` as often as `ID`: an `Int` variable used only where the schema
/// wants an `ID` is declared `ID` (an `ID` accepts a JSON number as it is).
fn int_as_id(t: &mut Type, uses: Option<&Vec<String>>) {
    if uses.is_some_and(|u| !u.is_empty() && u.iter().all(|t| t == "ID")) {
        rename_base(t, "Int", "ID");
    }
}

/// A retired input type name becomes the type of the position its variable is used in, when
/// that position is one type.
fn retired_input(t: &mut Type, uses: Option<&Vec<String>>) {
    let old = named(t).to_string();
    if !RETIRED_INPUTS.contains(&old.as_str()) {
        return;
    }
    let Some(first) = uses.and_then(|u| u.first()) else {
        return;
    };
    if uses.is_some_and(|u| u.iter().all(|t| t == first)) {
        rename_base(t, &old, first);
    }
}

fn rename_base(t: &mut Type, from: &str, to: &str) {
    match &mut t.base {
        BaseType::Named(n) if n.as_str() == from => *n = Name::new(to),
        BaseType::Named(_) => {}
        BaseType::List(inner) => rename_base(inner, from, to),
    }
}

impl Dialect {
    /// ION's type names: the alias table, then ION's docs-site order `NounVerbInput`
    /// (`PartCreateInput`) for the SDL's `VerbNounInput` when only the latter exists.
    fn rename_type(&self, t: &mut Type) {
        match &mut t.base {
            BaseType::Named(n) => {
                if let Some((_, ours)) = TYPE_ALIASES.iter().find(|(ion, _)| *ion == n.as_str()) {
                    *n = Name::new(ours);
                } else if let Some(ours) = self
                    .verb_first(n.as_str())
                    .or_else(|| self.graphene_enum(n.as_str()))
                {
                    *n = Name::new(ours);
                }
            }
            BaseType::List(inner) => self.rename_type(inner),
        }
    }

    fn verb_first(&self, name: &str) -> Option<String> {
        if self.inputs.contains_key(name) {
            return None;
        }
        let stem = name.strip_suffix("Input")?;
        ["Create", "Update", "Delete"].iter().find_map(|verb| {
            let noun = stem.strip_suffix(verb).filter(|n| !n.is_empty())?;
            let ours = format!("{verb}{noun}Input");
            self.inputs.contains_key(&ours).then_some(ours)
        })
    }
}

impl Dialect {
    /// graphene's generated enum names (table, column, `enum`: `Proceduretypeenum`) for the
    /// schema's enum of the same words (`ProcedureType`), when the name is not ours.
    fn graphene_enum(&self, name: &str) -> Option<String> {
        if self.enums.contains_key(name) || self.inputs.contains_key(name) {
            return None;
        }
        let stem = name.to_lowercase();
        let stem = stem.strip_suffix("enum")?;
        self.enums
            .keys()
            .find(|e| e.to_lowercase() == stem)
            .cloned()
    }

    /// ION's older mutations take their input's fields as arguments
    /// (`createProcedure(title: $t, type: $type)`): a root mutation field whose only argument
    /// is `input` gets the given arguments wrapped into it, when each names one of its fields.
    /// An argument holding a variable the request does not give is left out, as the field
    /// would be absent (its default applies); the names of those variables are returned.
    fn wrap_flat_arguments(
        &self,
        set: &mut SelectionSet,
        vars: &async_graphql::Variables,
    ) -> Vec<String> {
        let mut dropped = Vec::new();
        for item in &mut set.items {
            let Selection::Field(f) = &mut item.node else {
                continue;
            };
            let mutation = self.objects.get("Mutation");
            let Some(def) = mutation.and_then(|o| o.get(f.node.name.node.as_str())) else {
                continue;
            };
            let input = def.args.get("input").filter(|_| def.args.len() == 1);
            let Some(fields) = input.and_then(|ty| self.inputs.get(ty)) else {
                continue;
            };
            let known =
                |n: &str| fields.contains_key(n) || (n == "_etag" && fields.contains_key("etag"));
            let args = &f.node.arguments;
            if args.is_empty() || args.iter().any(|(n, _)| !known(n.node.as_str())) {
                continue;
            }
            let pos = args[0].0.pos;
            let mut map = Vec::new();
            for (n, v) in std::mem::take(&mut f.node.arguments) {
                match v.node {
                    Value::Variable(var) if !vars.contains_key(&var) => {
                        dropped.push(var.to_string())
                    }
                    v => map.push((n.node, v)),
                }
            }
            let input = (
                Positioned::new(Name::new("input"), pos),
                Positioned::new(Value::Object(map.into_iter().collect()), pos),
            );
            f.node.arguments = vec![input];
        }
        dropped
    }
}

fn named(t: &Type) -> &str {
    match &t.base {
        BaseType::Named(n) => n.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(query: &str, vars: serde_json::Value) -> (String, serde_json::Value) {
        let mut req = Request::new(query).variables(async_graphql::Variables::from_json(vars));
        translate(&mut req);
        let doc = req.parsed_query().unwrap().clone();
        let op = match doc.operations {
            DocumentOperations::Single(op) => op,
            DocumentOperations::Multiple(m) => m.into_values().next().unwrap(),
        };
        let ty = op
            .node
            .variable_definitions
            .first()
            .map_or(String::new(), |v| v.node.var_type.node.to_string());
        (ty, req.variables.into_value().into_json().unwrap())
    }

    #[test]
    fn ion_timestamp_names_select_ours_under_theirs() {
        let mut req = Request::new("{ runs { edges { node { _created u: _updated } } } }");
        translate(&mut req);
        let doc = req.parsed_query().unwrap().clone();
        let text = format!("{:?}", doc);
        assert!(text.contains("\"createdAt\"") && text.contains("\"updatedAt\""));
        assert!(text.contains("\"_created\"") && !text.contains("\"_updated\""));
    }

    #[test]
    fn docs_site_type_names_and_values() {
        let (ty, vars) = run(
            "mutation M($input: RunUpdateInput!) { updateRun(input: $input) { run { id } } }",
            serde_json::json!({"input": {"id": 1, "_etag": "v1", "title": "in_progress"}}),
        );
        assert_eq!(ty, "UpdateRunInput!");
        // `_etag` becomes `etag`; a string field that looks like an enum word is left alone.
        assert_eq!(
            vars,
            serde_json::json!({"input": {"id": 1, "etag": "v1", "title": "in_progress"}})
        );
    }

    #[test]
    fn enum_words_in_variables_follow_the_declared_type() {
        let (_, vars) = run(
            "mutation M($input: UpdateRunStepInput!) { updateRunStep(input: $input) { runStep { id } } }",
            serde_json::json!({"input": {"id": 1, "_etag": "v1", "status": "in_progress"}}),
        );
        assert_eq!(vars["input"]["status"], "IN_PROGRESS");
        let (_, vars) = run(
            "query Q($s: [RunStatus!]) { runs(filters: {status: {in: $s}}) { totalCount } }",
            serde_json::json!({"s": ["pending", "complete", "nonsense"]}),
        );
        // An unknown word is left for validation to refuse with the schema's message.
        assert_eq!(
            vars["s"],
            serde_json::json!(["TODO", "COMPLETE", "nonsense"])
        );
    }

    #[test]
    fn literals_are_rewritten_without_types() {
        let mut req = Request::new(
            "mutation { updateRunStep(input: {id: 1, _etag: \"v1\", status: in_progress}) { runStep { id } } }",
        );
        translate(&mut req);
        let printed = format!("{:?}", req.parsed_query().unwrap());
        assert!(printed.contains("IN_PROGRESS"), "{printed}");
        assert!(printed.contains("\"etag\""), "{printed}");
        assert!(!printed.contains("_etag"), "{printed}");
    }

    /// Runs each query with its variables, and checks the type its variable is declared
    /// with afterwards.
    fn assert_declared(cases: &[(&str, serde_json::Value, &str)]) {
        for (query, vars, want) in cases {
            assert_eq!(run(query, vars.clone()).0, *want, "{query}");
        }
    }

    #[test]
    fn int_variables_in_id_positions_become_ids() {
        assert_declared(&[
            (
                "query Q($id: Int!) { run(id: $id) { id } }",
                serde_json::json!({"id": 3}),
                "ID!",
            ),
            (
                "mutation M($id: Int!) { updateRunStep(input: {id: $id, etag: \"v1\", status: TODO}) { runStep { id } } }",
                serde_json::json!({"id": 3}),
                "ID!",
            ),
            // Used where an Int belongs (a page size): left as it is.
            (
                "query Q($n: Int) { runs(first: $n) { totalCount } }",
                serde_json::json!({"n": 3}),
                "Int",
            ),
        ]);
    }

    #[test]
    fn noun_verb_input_names() {
        assert_declared(&[
            (
                "mutation M($input: PartCreateInput!) { createPart(input: $input) { part { id } } }",
                serde_json::json!({"input": {"partNumber": "P"}}),
                "CreatePartInput!",
            ),
            (
                "mutation M($input: PartInventoryUpdateInput!) { updatePartInventory(input: $input) { partInventory { id } } }",
                serde_json::json!({"input": {}}),
                "UpdatePartInventoryInput!",
            ),
            // A name whose verb-first form does not exist either is left for validation.
            (
                "mutation M($input: WidgetCreateInput!) { createPart(input: $input) { part { id } } }",
                serde_json::json!({"input": {}}),
                "WidgetCreateInput!",
            ),
        ]);
    }

    #[test]
    fn retired_input_names_take_their_positions_type() {
        assert_declared(&[
            (
                "mutation M($i: IdEtagInput!) { releaseProcedure(input: $i) { procedure { id } } }",
                serde_json::json!({"i": {"id": 1, "etag": "v1"}}),
                "ReleaseProcedureInput!",
            ),
            // Unknown names that were never ours are left for validation to refuse.
            (
                "mutation M($i: NoSuchInput!) { releaseProcedure(input: $i) { procedure { id } } }",
                serde_json::json!({"i": {}}),
                "NoSuchInput!",
            ),
        ]);
    }

    #[test]
    fn graphene_enum_names() {
        let (ty, vars) = run(
            "mutation M($t: Proceduretypeenum) { createProcedure(input: {title: \"T\", type: $t}) { procedure { id } } }",
            serde_json::json!({"t": "inspection"}),
        );
        assert_eq!(ty, "ProcedureType");
        assert_eq!(vars["t"], "INSPECTION");
        // A name that is no enum's, with or without `enum`, is left for validation.
        let (ty, _) = run(
            "query Q($s: Widgetenum) { runs { totalCount } }",
            serde_json::json!({}),
        );
        assert_eq!(ty, "Widgetenum");
    }

    #[test]
    fn flat_mutation_arguments_are_wrapped_into_input() {
        let q = "mutation M($id: Int, $title: String!) { createProcedure(title: $title, partIds: [$id]) { procedure { id } } updateRun(id: 1, _etag: \"v\", title: \"x\") { run { id } } deleteStep(nope: 1) { deletedId } }";
        let vars = serde_json::json!({"id": 3, "title": "T"});
        let mut req = Request::new(q).variables(async_graphql::Variables::from_json(vars.clone()));
        translate(&mut req);
        let printed = format!("{:?}", req.parsed_query().unwrap());
        assert_eq!(printed.matches("Name(\"input\")").count(), 2, "{printed}");
        // `_etag` inside the wrapped input becomes `etag`; an unknown argument is left alone.
        assert!(
            printed.contains("\"etag\"") && printed.contains("\"nope\""),
            "{printed}"
        );
        // `$id` is used inside the wrapped input, where an ID belongs.
        assert_eq!(run(q, vars).0, "ID");
        // A variable the request does not give is left out of the input, and undeclared.
        let (ty, _) = run(
            "mutation M($d: String, $t: String!) { createProcedure(description: $d, title: $t) { procedure { id } } }",
            serde_json::json!({"t": "T"}),
        );
        assert_eq!(ty, "String!");
    }

    #[test]
    fn canonical_words() {
        assert_eq!(canonical("in_progress"), "IN_PROGRESS");
        assert_eq!(canonical("In-Progress"), "IN_PROGRESS");
        assert_eq!(canonical("TODO"), "TODO");
    }
}
