//! Request-level protections that run before execution: a cache of parsed documents and the
//! alias limit. (Depth, complexity and directive limits are async-graphql's own.)

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use async_graphql::{ServerError, ServerResult, Variables};

use crate::auth::Principal;

/// Queries longer than this are parsed every time rather than cached.
const MAX_CACHED_QUERY_LEN: usize = 16 * 1024;

/// Parsed documents by query text, shared by the executor and the HTTP layer (which needs the
/// operation type before executing, e.g. to refuse a mutation over GET).
#[derive(Clone)]
pub struct DocumentCache {
    documents: moka::sync::Cache<Arc<str>, Arc<ExecutableDocument>>,
    max_aliases: usize,
}

impl DocumentCache {
    pub fn new(max_aliases: usize) -> Self {
        Self {
            documents: moka::sync::Cache::new(1_000),
            max_aliases,
        }
    }

    /// A cached document, or `query` parsed afresh (without caching: only the executor caches,
    /// after async-graphql's own checks of the document have passed).
    fn get_or_parse(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        self.documents
            .get(query)
            .or_else(|| async_graphql::parser::parse_query(query).ok().map(Arc::new))
    }

    fn check_aliases(&self, document: &ExecutableDocument) -> ServerResult<()> {
        let aliases = count_aliases(document);
        if aliases > self.max_aliases {
            return Err(ServerError::new(
                format!(
                    "The document has {aliases} aliases; at most {} are allowed.",
                    self.max_aliases
                ),
                None,
            ));
        }
        Ok(())
    }

    /// The type of the operation a request would run; `None` when the document is invalid.
    pub fn operation_type(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Option<OperationType> {
        let document = self.get_or_parse(query)?;
        match (&document.operations, operation_name) {
            (DocumentOperations::Single(op), _) => Some(op.node.ty),
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
            (DocumentOperations::Multiple(_), None) => None,
        }
    }
}

/// The executor's side of the cache: replaces async-graphql's parser.
pub struct DocumentGuard(pub DocumentCache);

impl ExtensionFactory for DocumentGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentGuardExtension(self.0.clone()))
    }
}

struct DocumentGuardExtension(DocumentCache);

#[async_trait::async_trait]
impl Extension for DocumentGuardExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let cache = &self.0;
        let document = match cache.documents.get(query) {
            Some(document) => ExecutableDocument::clone(&document),
            None => {
                let document = next.run(ctx, query, variables).await?;
                cache.check_aliases(&document)?;
                // A document's literals are the same every time: checked once, before caching.
                check_literals(&document)?;
                if query.len() <= MAX_CACHED_QUERY_LEN {
                    cache
                        .documents
                        .insert(Arc::from(query), Arc::new(document.clone()));
                }
                document
            }
        };
        check_variables(variables)?;
        let anonymous = !ctx
            .data_opt::<Principal>()
            .is_some_and(Principal::may_introspect);
        if anonymous && uses_introspection(&document) {
            return Err(crate::error::ErrorCode::Unauthenticated.request_error(
                "Introspection is available to signed-in users and API tokens only.",
            ));
        }
        Ok(document)
    }
}

/// Lists in one input longer than this are refused: no input of the schema needs more.
pub const MAX_LIST_ITEMS: usize = 1_000;

/// Both checks, as a request gets them.
#[cfg(test)]
fn check_inputs(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    check_variables(variables)?;
    check_literals(document)
}

/// Input that no resolver should see, refused before anything runs with `BAD_REQUEST` and the
/// path of the value (`extensions.field`, as in `userErrors`): a NUL character (U+0000, which
/// PostgreSQL cannot store) in any text, and a list of more than [`MAX_LIST_ITEMS`]. (Unpaired
/// surrogates never get this far: the request is not valid JSON, or the document does not
/// parse.) One place for every input of every field: the request's variables here, the document's
/// values in [`check_literals`] (once per document, before it is cached).
fn check_variables(variables: &Variables) -> ServerResult<()> {
    let mut path = Vec::new();
    for (name, value) in variables.iter() {
        path.push(name.to_string());
        check_const(value, &mut path)?;
        path.pop();
    }
    Ok(())
}

/// [`check_variables`] for the values written into the document.
fn check_literals(document: &ExecutableDocument) -> ServerResult<()> {
    let mut path = Vec::new();
    for field in fields(document) {
        for (name, value) in &field.arguments {
            // The literal parts; variables are checked per request.
            let Ok(literal) = value
                .node
                .clone()
                .into_const_with(|_| Ok::<_, std::convert::Infallible>(async_graphql::Value::Null));
            path.push(name.node.to_string());
            check_const(&literal, &mut path)?;
            path.pop();
        }
    }
    Ok(())
}

fn refuse(path: &[String], problem: &str) -> ServerError {
    let mut error = crate::error::ErrorCode::BadRequest
        .request_error(format!("`{}` {problem}.", path.join(".")));
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.set(
            "field",
            async_graphql::Value::List(path.iter().map(|p| p.as_str().into()).collect()),
        );
    }
    error
}

fn check_text(text: &str, path: &[String]) -> ServerResult<()> {
    if text.contains('\0') {
        return Err(refuse(
            path,
            "contains a NUL character (U+0000), which cannot be stored",
        ));
    }
    Ok(())
}

fn check_list(len: usize, path: &[String]) -> ServerResult<()> {
    if len > MAX_LIST_ITEMS {
        return Err(refuse(
            path,
            &format!("has {len} items; at most {MAX_LIST_ITEMS} are allowed"),
        ));
    }
    Ok(())
}

fn check_const(value: &async_graphql::Value, path: &mut Vec<String>) -> ServerResult<()> {
    use async_graphql::Value;
    match value {
        Value::String(text) => check_text(text, path),
        Value::List(items) => {
            check_list(items.len(), path)?;
            for (index, item) in items.iter().enumerate() {
                path.push(index.to_string());
                check_const(item, path)?;
                path.pop();
            }
            Ok(())
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                path.push(name.to_string());
                check_const(item, path)?;
                path.pop();
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Visits every field of the document's operations and fragments.
fn fields(document: &ExecutableDocument) -> Vec<&Field> {
    fn walk<'a>(set: &'a SelectionSet, out: &mut Vec<&'a Field>) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    out.push(&field.node);
                    walk(&field.node.selection_set.node, out);
                }
                Selection::InlineFragment(fragment) => walk(&fragment.node.selection_set.node, out),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    for (_, operation) in document.operations.iter() {
        walk(&operation.node.selection_set.node, &mut out);
    }
    for fragment in document.fragments.values() {
        walk(&fragment.node.selection_set.node, &mut out);
    }
    out
}

fn uses_introspection(document: &ExecutableDocument) -> bool {
    fields(document)
        .iter()
        .any(|f| matches!(f.name.node.as_str(), "__schema" | "__type"))
}

fn count_aliases(document: &ExecutableDocument) -> usize {
    fields(document)
        .iter()
        .filter(|f| f.alias.is_some())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_and_huge_lists_are_refused_with_their_path() {
        let document = async_graphql::parser::parse_query(
            r#"mutation($input: X!) { a(input: $input) { id } b(input: { name: "ok" }) { id } }"#,
        )
        .expect("parses");
        let vars = |json: serde_json::Value| Variables::from_json(json);
        assert!(
            check_inputs(
                &document,
                &vars(serde_json::json!({ "input": { "name": "Ölwechsel" } }))
            )
            .is_ok()
        );
        let error = check_inputs(
            &document,
            &vars(serde_json::json!({ "input": { "vehicle": { "make": "V\u{0}W" } } })),
        )
        .expect_err("NUL");
        assert!(
            error.message.contains("`input.vehicle.make`"),
            "{}",
            error.message
        );
        let ids: Vec<u32> = (0..=MAX_LIST_ITEMS as u32).collect();
        let error = check_inputs(
            &document,
            &vars(serde_json::json!({ "input": { "serviceIds": ids } })),
        )
        .expect_err("too many");
        assert!(
            error.message.contains("input.serviceIds"),
            "{}",
            error.message
        );
        let literal = async_graphql::parser::parse_query(
            "{ services(filter: { search: \"a\\u0000b\" }) { totalCount } }",
        )
        .expect("parses");
        assert!(check_inputs(&literal, &Variables::default()).is_err());
    }

    #[test]
    fn counts_aliases_in_operations_and_fragments() {
        let document = async_graphql::parser::parse_query(
            "query { a: plans { code } b: plans { c: code } ...F } fragment F on Query { d: plans { code } }",
        )
        .expect("parses");
        assert_eq!(count_aliases(&document), 4);
    }
}
