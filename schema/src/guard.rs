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
                if query.len() <= MAX_CACHED_QUERY_LEN {
                    cache
                        .documents
                        .insert(Arc::from(query), Arc::new(document.clone()));
                }
                document
            }
        };
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
    fn counts_aliases_in_operations_and_fragments() {
        let document = async_graphql::parser::parse_query(
            "query { a: plans { code } b: plans { c: code } ...F } fragment F on Query { d: plans { code } }",
        )
        .expect("parses");
        assert_eq!(count_aliases(&document), 4);
    }
}
