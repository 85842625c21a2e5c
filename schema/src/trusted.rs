//! Trusted documents: the widget's GraphQL documents (`widget/documents.graphql`) are known to
//! the server by their SHA-256, and the widget sends only the hash
//! (`extensions: {persistedQuery: {version: 1, sha256Hash}}`, the form Apollo clients use).
//! A widget visitor's token runs nothing else, and an anonymous caller reaches the widget's root
//! fields (`widgetConfig`, `startConversation`, …) only through these documents, so that a
//! copied snippet cannot be turned into a general API. The accounts' front door (`register`,
//! `login`, `refreshSession`, password reset, invitations) and `plans` stay open to any
//! document, as API.md promises integrators. The exact text of a trusted document is accepted
//! in `query` too (it has the same hash).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest,
};
use async_graphql::parser::types::{ExecutableDocument, Selection};
use async_graphql::{Request, ServerResult, Value, Variables};
use sha2::{Digest, Sha256};

use crate::error::ErrorCode;
use crate::principal::Principal;

/// The widget's documents, one operation per line.
pub const WIDGET_DOCUMENTS: &str = include_str!("../../widget/documents.graphql");

/// One trusted document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The operation's name (`SendMessage`).
    pub name: String,
    /// Lower-case hex SHA-256 of `text`.
    pub hash: String,
    pub text: Arc<str>,
}

/// The trusted documents and the root fields only they may reach for anonymous callers.
#[derive(Debug)]
pub struct TrustedDocuments {
    pub documents: Vec<Document>,
    by_hash: HashMap<String, Arc<str>>,
    texts: HashSet<Arc<str>>,
    widget_fields: HashSet<String>,
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl TrustedDocuments {
    /// Reads documents one per line (`#` comments and blank lines skipped).
    pub fn parse(source: &str) -> Self {
        let mut documents = Vec::new();
        let mut widget_fields = HashSet::new();
        for line in source.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed = async_graphql::parser::parse_query(line)
                .unwrap_or_else(|error| panic!("a trusted document does not parse: {error}"));
            widget_fields.extend(root_field_names(&parsed).map(str::to_owned));
            let name = parsed
                .operations
                .iter()
                .find_map(|(name, _)| name.map(|n| n.to_string()))
                .unwrap_or_else(|| panic!("a trusted document has no operation name: {line}"));
            documents.push(Document {
                name,
                hash: sha256_hex(line),
                text: Arc::from(line),
            });
        }
        Self {
            by_hash: documents
                .iter()
                .map(|d| (d.hash.clone(), d.text.clone()))
                .collect(),
            texts: documents.iter().map(|d| d.text.clone()).collect(),
            documents,
            widget_fields,
        }
    }

    /// The widget's documents.
    pub fn widget() -> &'static Self {
        static WIDGET: LazyLock<TrustedDocuments> =
            LazyLock::new(|| TrustedDocuments::parse(WIDGET_DOCUMENTS));
        &WIDGET
    }

    /// `{"SendMessage": "<hash>", …}`, as the widget script carries it.
    pub fn hashes_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .documents
            .iter()
            .map(|d| (d.name.clone(), d.hash.clone().into()))
            .collect();
        serde_json::Value::Object(map).to_string()
    }
}

/// The widget script of this build as it is served: `widget/widget.js` with its documents'
/// hashes filled in. Its file name carries its hash, so a URL names one content for ever, and
/// websites may pin it with Subresource Integrity; `carbot serve` keeps every release it served
/// (`widget_releases`), so a pinned snippet keeps working after the next release (whose trusted
/// documents still include the old ones: `widget/documents.graphql` only grows).
#[derive(Debug)]
pub struct WidgetRelease {
    /// `widget-<16 hex digits of its SHA-256>.js`, served at `/widget/<file>`.
    pub file: String,
    /// `sha384-<base64>`, for `integrity=`.
    pub integrity: String,
    pub script: String,
}

impl WidgetRelease {
    pub fn of(script: String) -> Self {
        use base64::Engine;
        let file = format!("widget-{}.js", &sha256_hex(&script)[..16]);
        let integrity = format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD
                .encode(sha2::Sha384::digest(script.as_bytes()))
        );
        Self {
            file,
            integrity,
            script,
        }
    }

    /// This build's widget.
    pub fn current() -> &'static Self {
        static CURRENT: LazyLock<WidgetRelease> = LazyLock::new(|| {
            WidgetRelease::of(include_str!("../../widget/widget.js").replacen(
                "/*documents*/{}/*end*/",
                &TrustedDocuments::widget().hashes_json(),
                1,
            ))
        });
        &CURRENT
    }
}

/// Where this release's widget script is, and its integrity hash.
#[derive(async_graphql::SimpleObject)]
pub struct WidgetScript {
    /// The script's absolute URL; its content never changes (cached for a year).
    pub url: String,
    /// Its Subresource Integrity hash (`sha384-…`): `integrity="…" crossorigin="anonymous"`.
    pub integrity: String,
}

#[derive(Default)]
pub struct WidgetScriptQuery;

#[async_graphql::Object]
impl WidgetScriptQuery {
    /// The widget script of this release, for embed codes pinned with Subresource Integrity (the
    /// console's are). It stays served after later releases; `/widget.js` is always the newest.
    async fn widget_script(&self, ctx: &async_graphql::Context<'_>) -> WidgetScript {
        use crate::context::Ctx;
        let release = WidgetRelease::current();
        WidgetScript {
            url: ctx
                .service::<crate::mail::Mailer>()
                .link(&format!("/widget/{}", release.file)),
            integrity: release.integrity.clone(),
        }
    }
}

/// The root fields the document's operations select, also through fragments (spread or
/// inline) at the root, so that none hides behind one.
fn root_field_names(document: &ExecutableDocument) -> impl Iterator<Item = &str> {
    fn walk<'a>(
        document: &'a ExecutableDocument,
        set: &'a async_graphql::parser::types::SelectionSet,
        depth: usize,
        out: &mut Vec<&'a str>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => out.push(field.node.name.node.as_str()),
                Selection::InlineFragment(fragment) if depth < 8 => {
                    walk(document, &fragment.node.selection_set.node, depth + 1, out);
                }
                Selection::FragmentSpread(spread) if depth < 8 => {
                    if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                    {
                        walk(document, &fragment.node.selection_set.node, depth + 1, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for (_, operation) in document.operations.iter() {
        walk(document, &operation.node.selection_set.node, 0, &mut out);
    }
    out.into_iter()
}

/// Whether the request came as a trusted document (set while preparing the request).
struct Trusted(bool);

/// The hash in `extensions.persistedQuery.sha256Hash`, if the request names one.
fn requested_hash(request: &Request) -> Option<String> {
    match request.extensions.get("persistedQuery")? {
        Value::Object(query) => match query.get("sha256Hash")? {
            Value::String(hash) => Some(hash.to_ascii_lowercase()),
            _ => None,
        },
        _ => None,
    }
}

/// Registers the check with the schema; `enforce: false` lets any document through (a setting
/// for development and for tests that call the widget's fields with documents of their own).
pub struct TrustedDocumentCheck {
    pub enforce: bool,
}

impl ExtensionFactory for TrustedDocumentCheck {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Check {
            enforce: self.enforce,
        })
    }
}

struct Check {
    enforce: bool,
}

#[async_trait::async_trait]
impl Extension for Check {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let documents = TrustedDocuments::widget();
        if let Some(hash) = requested_hash(&request) {
            let Some(text) = documents.by_hash.get(&hash) else {
                return Err(
                    ErrorCode::BadRequest.request_error("No trusted document has this sha256Hash.")
                );
            };
            if request.query.is_empty() {
                request.query = text.to_string();
            } else if request.query != **text {
                return Err(
                    ErrorCode::BadRequest.request_error("The query does not match its sha256Hash.")
                );
            }
        }
        // Only visitors and anonymous callers are held to the trusted documents: the others
        // skip the lookup. (The principal is in the request's data over HTTP and in the
        // connection's over WebSocket.)
        let principal = request
            .data
            .get(&std::any::TypeId::of::<Principal>())
            .and_then(|p| p.downcast_ref::<Principal>())
            .or_else(|| ctx.data_opt::<Principal>());
        let held = self.enforce
            && matches!(
                principal,
                None | Some(Principal::Anonymous | Principal::Visitor(_))
            );
        if held {
            let trusted = documents.texts.contains(request.query.as_str());
            request.data.insert(Trusted(trusted));
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        // Set only for the callers held to the trusted documents.
        if ctx.data_opt::<Trusted>().is_none_or(|t| t.0) {
            return Ok(document);
        }
        match ctx.data_opt::<Principal>() {
            Some(Principal::Visitor(_)) => Err(ErrorCode::Forbidden.request_error(
                "A visitor token runs only the widget's documents (sent by their sha256Hash).",
            )),
            Some(Principal::Anonymous) | None
                if root_field_names(&document)
                    .any(|f| TrustedDocuments::widget().widget_fields.contains(f)) =>
            {
                Err(ErrorCode::Forbidden.request_error(
                    "The widget's fields are open to the widget's own documents only (sent by \
                     their sha256Hash).",
                ))
            }
            _ => Ok(document),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_released_document_stays_trusted_and_every_trusted_one_is_recorded() {
        let trusted = TrustedDocuments::widget();
        let released: Vec<(&str, &str)> = include_str!("../../widget/released-documents.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.split_once(' ').expect("`name hash`"))
            .collect();
        for (name, hash) in &released {
            assert!(
                trusted.by_hash.contains_key(*hash),
                "{name} ({hash}) was released: earlier widget scripts send it, keep it in documents.graphql"
            );
        }
        for document in &trusted.documents {
            assert!(
                released.contains(&(document.name.as_str(), document.hash.as_str())),
                "add `{} {}` to widget/released-documents.txt (and never change a released line: give a changed document a new name)",
                document.name,
                document.hash
            );
        }
    }

    #[test]
    fn a_release_is_named_and_pinned_by_its_content() {
        let one = WidgetRelease::of("console.log(1)".into());
        let two = WidgetRelease::of("console.log(2)".into());
        assert_ne!(one.file, two.file);
        assert!(one.file.starts_with("widget-") && one.file.ends_with(".js"));
        // 48 bytes of SHA-384 are 64 characters of base64.
        assert!(one.integrity.starts_with("sha384-") && one.integrity.len() == 7 + 64);
    }

    #[test]
    fn the_widget_documents_parse_with_names_and_hashes() {
        let documents = TrustedDocuments::widget();
        let names: Vec<&str> = documents
            .documents
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        for name in [
            "WidgetConfig",
            "StartConversation",
            "SendMessage",
            "SubmitLead",
        ] {
            assert!(names.contains(&name), "{names:?}");
        }
        let send = documents
            .documents
            .iter()
            .find(|d| d.name == "SendMessage")
            .expect("SendMessage");
        assert_eq!(send.hash, sha256_hex(&send.text));
        assert_eq!(send.hash.len(), 64);
        assert!(documents.widget_fields.contains("startConversation"));
        assert!(!documents.widget_fields.contains("login"));
        // A widget field behind a fragment is still a widget field.
        let hidden = async_graphql::parser::parse_query(
            "query { ...F ... on Query { plans { code } } } fragment F on Query { widgetConfig(clientKey: \"k\") { locale } }",
        )
        .expect("parses");
        let fields: Vec<&str> = root_field_names(&hidden).collect();
        assert!(
            fields.contains(&"widgetConfig") && fields.contains(&"plans"),
            "{fields:?}"
        );
        let json: serde_json::Value = serde_json::from_str(&documents.hashes_json()).expect("json");
        assert_eq!(json["SendMessage"], send.hash.as_str());
    }
}
