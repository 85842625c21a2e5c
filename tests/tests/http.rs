//! GraphQL over HTTP: media types, status codes, limits, introspection and operations routes.

use carbot_tests::serde_json::{Value, json};
use carbot_tests::{TestApp, error_code};

#[tokio::test(flavor = "multi_thread")]
async fn post_answers_with_the_graphql_response_media_type() {
    let app = TestApp::new().await;
    let response = app
        .client
        .post(app.graphql_url())
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/graphql-response+json; charset=utf-8"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, json!({ "data": { "__typename": "Query" } }));

    let legacy = app
        .client
        .post(app.graphql_url())
        .header("accept", "application/json")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(
        legacy.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let html_only = app
        .client
        .post(app.graphql_url())
        .header("accept", "text/html")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(html_only.status(), 406);
}

#[tokio::test(flavor = "multi_thread")]
async fn get_runs_queries_and_refuses_mutations() {
    let app = TestApp::new().await;
    let response = app
        .client
        .get(app.graphql_url())
        .query(&[("query", "{ plans { code } }")])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["data"]["plans"][0]["code"], "BASIC");

    let before = app.row_counts().await;
    let mutation = "mutation { register(input: {email: \"get@example.de\", password: \"Sehr-langes-Passwort-1\", workshopName: \"Get\"}) { userErrors { code } } }";
    let response = app
        .client
        .get(app.graphql_url())
        .query(&[("query", mutation)])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    assert_eq!(
        app.row_counts().await,
        before,
        "a mutation over GET must change nothing"
    );

    let put = app
        .client
        .put(app.graphql_url())
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(put.status(), 405);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_get_4xx_without_data() {
    let app = TestApp::new().await;
    let before = app.row_counts().await;
    let send = |body: Vec<u8>, content_type: &'static str| {
        app.client
            .post(app.graphql_url())
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    let response = send(b"{\"query\": ".to_vec(), "application/json")
        .await
        .expect("send");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), "BAD_REQUEST");
    assert!(body.get("data").is_none());

    let response = send(
        b"query=%7B__typename%7D".to_vec(),
        "application/x-www-form-urlencoded",
    )
    .await
    .expect("send");
    assert_eq!(response.status(), 415);

    let huge = format!(
        "{{\"query\": \"{{ __typename }}\", \"variables\": {{\"pad\": \"{}\"}}}}",
        "x".repeat(5 * 1024 * 1024)
    );
    let response = send(huge.into_bytes(), "application/json")
        .await
        .expect("send");
    assert_eq!(response.status(), 413);

    let (status, body) = app.post(None, "{ viewer { ", json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&body), "BAD_REQUEST");
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_refuse_deep_wide_and_expensive_documents() {
    let app = TestApp::new().await;
    let owner = app
        .register("limits@autohaus-nord.de", "Autohaus Nord")
        .await;

    let nested = |levels: usize| {
        format!(
            "{{ {}__typename{} }}",
            "a: viewer { ".repeat(levels),
            " }".repeat(levels)
        )
    };
    for (levels, refusal) in [(50, "recursion depth"), (20, "nested too deep")] {
        let (status, body) = app
            .post(Some(&owner.access_token), &nested(levels), json!({}))
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .expect("message")
                .contains(refusal),
            "{levels}: {body}"
        );
    }

    let aliases: String = (0..1000).map(|i| format!("a{i}: __typename ")).collect();
    let (status, body) = app.post(None, &format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("aliases"),
        "{body}"
    );

    let directives = "{ __typename @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) }";
    let (status, _) = app.post(None, directives, json!({})).await;
    assert_eq!(status, 400);

    // A page costs `first` × its selection: five pages of 100 tokens with ten fields exceed 5,000.
    let page = "apiTokens(first: 100) { edges { node { id name prefix scopes active createdAt lastUsedAt expiresAt revokedAt } } }";
    let expensive = format!(
        "{{ {} }}",
        (0..5)
            .map(|i| format!("p{i}: {page}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (status, body) = app
        .post(
            Some(&owner.access_token),
            &format!("{{ {page} }}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "one page is affordable: {body}");
    let (status, body) = app
        .post(Some(&owner.access_token), &expensive, json!({}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("complex"),
        "{body}"
    );

    let body = app
        .gql(
            Some(&owner.access_token),
            "{ apiTokens(first: 101) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_REQUEST");
    let ids: Vec<String> = (0..101).map(|i| format!("id{i}")).collect();
    let body = app
        .gql(
            Some(&owner.access_token),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_REQUEST");
}

#[tokio::test(flavor = "multi_thread")]
async fn introspection_and_suggestions_are_for_authenticated_callers_only() {
    let app = TestApp::new().await;
    let owner = app
        .register("intro@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, api_token) = app.api_token(&owner, &["LEADS_READ"]).await;
    let introspection = "{ __schema { queryType { name } } }";

    let (status, anonymous) = app.post(None, introspection, json!({})).await;
    assert_eq!(
        (status, error_code(&anonymous)),
        (400, "UNAUTHENTICATED"),
        "{anonymous}"
    );
    let (_, nested) = app
        .post(
            None,
            "{ plans { code } ...F } fragment F on Query { __type(name: \"Plan\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&nested), "UNAUTHENTICATED", "{nested}");
    for token in [&owner.access_token, &api_token] {
        let body = app.gql(Some(token), introspection, json!({})).await;
        assert_eq!(
            body["data"]["__schema"]["queryType"]["name"], "Query",
            "{body}"
        );
    }

    let (_, anonymous) = app.post(None, "{ viewr { email } }", json!({})).await;
    let message = anonymous["errors"][0]["message"].as_str().expect("message");
    assert!(!message.contains("Did you mean"), "{message}");
    let (_, owner_body) = app
        .post(Some(&owner.access_token), "{ viewr { email } }", json!({}))
        .await;
    assert!(
        owner_body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("Did you mean"),
        "{owner_body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_errors_are_masked_and_carry_an_id() {
    let app = TestApp::new().await;
    let owner = app
        .register("masked@autohaus-nord.de", "Autohaus Nord")
        .await;
    {
        use diesel_async::RunQueryDsl;
        let mut conn = app.db().await;
        diesel::sql_query("ALTER TABLE api_tokens RENAME COLUMN token_prefix TO broken_prefix")
            .execute(&mut conn)
            .await
            .expect("break the table");
    }
    let body = app
        .gql(
            Some(&owner.access_token),
            "{ apiTokens { edges { node { prefix } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "INTERNAL");
    let error = &body["errors"][0];
    let message = error["message"].as_str().expect("message");
    assert!(
        error["extensions"]["errorId"]
            .as_str()
            .is_some_and(|id| message.contains(id)),
        "{body}"
    );
    let text = body.to_string();
    for leak in [
        "token_prefix",
        "broken_prefix",
        "does not exist",
        "SELECT",
        "api_tokens",
        ".rs",
    ] {
        assert!(!text.contains(leak), "the response leaks {leak}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn operations_endpoints_report_health_and_metrics() {
    let app = TestApp::new().await;
    let livez = app
        .client
        .get(format!("{}/livez", app.url))
        .send()
        .await
        .expect("send");
    assert_eq!(livez.status(), 200);
    let readyz = app
        .client
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .expect("send");
    assert_eq!(readyz.status(), 200);
    let ready = readyz.json::<Value>().await.expect("json");
    assert_eq!(ready["status"], "ready");
    // Each dependency by name; what the test app leaves out is said so.
    assert_eq!(
        ready["checks"],
        json!({ "database": "ok", "migrations": "current", "redis": "not configured",
                "smtp": "not configured (outbox and log)", "stripe": "not configured" }),
        "{ready}"
    );

    app.gql(None, "{ plans { code } }", json!({})).await;
    let metrics = app
        .client
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(
            "carbot_graphql_request_duration_seconds_bucket{operation_type=\"query\",outcome=\"ok\""
        ),
        "{metrics}"
    );
    assert!(metrics.contains("carbot_db_pool_connections"), "{metrics}");

    // A database whose migrations are not all applied is not ready.
    {
        use diesel_async::RunQueryDsl;
        let mut conn = app.db().await;
        diesel::sql_query("DELETE FROM __diesel_schema_migrations")
            .execute(&mut conn)
            .await
            .expect("delete");
    }
    let readyz = app
        .client
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .expect("send");
    assert_eq!(readyz.status(), 503);
    let unready = readyz.json::<Value>().await.expect("json");
    assert_eq!(unready["reason"], "migrations pending", "{unready}");
    assert_eq!(unready["checks"]["migrations"], "pending", "{unready}");

    let graphiql = app
        .client
        .get(format!("{}/graphiql", app.url))
        .send()
        .await
        .expect("send");
    assert_eq!(graphiql.status(), 200);
    assert!(graphiql.text().await.expect("text").contains("graphiql"));
}

#[test]
fn published_sdl_matches_the_code() {
    let published = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../graphql/schema.graphql"
    ))
    .expect("graphql/schema.graphql");
    assert!(
        published == carbot_schema::sdl(),
        "graphql/schema.graphql differs from the code; run `cargo run -p carbot -- schema > graphql/schema.graphql`"
    );
}

/// The schema stability check of `./dev test`: graphql-inspector with the changelog rule.
fn schema_diff(released: &str, current: &str, changelog: &str) -> (bool, String) {
    let dir = tempfile_dir();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let (old, new, log) = (
        write("released.graphql", released),
        write("schema.graphql", current),
        write("CHANGELOG.md", changelog),
    );
    let tools = carbot_tests::workspace_dir().join("tests").join("browser");
    let output = std::process::Command::new(tools.join("node_modules/.bin/graphql-inspector"))
        .arg("diff")
        .args([&old, &new])
        .arg("--rule")
        .arg(tools.join("schema-changelog-rule.cjs"))
        .env("CARBOT_SCHEMA_CHANGELOG", &log)
        .output()
        .expect("graphql-inspector runs (npm ci in tests/browser)");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("carbot-schema-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn breaking_schema_changes_need_the_changelog_and_removals_a_deprecation() {
    let released =
        "type Query { leads: Int old: Int legacy: Int @deprecated(reason: \"use leads\") }";
    let none = "# Schema changelog\n\n## Unreleased\n\nBreaking: none.\n";
    let listing = |paths: &str| {
        format!("# Schema changelog\n\n## Unreleased\n\n{paths}\n\n## 2026-11-01\n- `Query.old`\n")
    };

    // Adding is never breaking.
    let added = "type Query { leads: Int old: Int legacy: Int @deprecated(reason: \"use leads\") more: Int }";
    let (ok, text) = schema_diff(released, added, none);
    assert!(ok, "{text}");

    // A type change is breaking until the changelog lists it.
    let changed =
        "type Query { leads: String old: Int legacy: Int @deprecated(reason: \"use leads\") }";
    let (ok, text) = schema_diff(released, changed, none);
    assert!(!ok && text.contains("not listed"), "{text}");
    let (ok, text) = schema_diff(
        released,
        changed,
        &listing("- `Query.leads` is a String now"),
    );
    assert!(ok, "{text}");

    // A removal of a deprecated field passes once listed; of a field never deprecated, never
    // (an entry in an older release's section does not count).
    let without_legacy = "type Query { leads: Int old: Int }";
    assert!(!schema_diff(released, without_legacy, none).0);
    let (ok, text) = schema_diff(
        released,
        without_legacy,
        &listing("- `Query.legacy` removed"),
    );
    assert!(ok, "{text}");
    let without_old = "type Query { leads: Int legacy: Int @deprecated(reason: \"use leads\") }";
    let (ok, text) = schema_diff(released, without_old, &listing("- `Query.old` removed"));
    assert!(
        !ok && text.contains("deprecate it in a release first"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    for path in [
        "/graphql?query=%7B__typename%7D",
        "/livez",
        "/widget.js",
        "/graphiql",
        "/",
        "/no-such-page",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .expect("send");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        let csp = header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.starts_with("default-src 'none'") || csp.starts_with("default-src 'self'"),
            "{path}: {csp}"
        );
        // Served over plain http here: no HSTS (a browser ignores it there).
        assert_eq!(header("strict-transport-security"), "", "{path}");
    }
    // GraphiQL: its scripts from unpkg.com and its inline script by hash, nothing inline else.
    let graphiql = app
        .client
        .get(format!("{}/graphiql", app.url))
        .send()
        .await
        .expect("send");
    let csp = graphiql
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(csp.contains("script-src unpkg.com 'sha256-"), "{csp}");
    assert!(
        !csp.contains("script-src unpkg.com 'unsafe-inline'"),
        "{csp}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widget_release_is_served_pinned_for_a_year_and_earlier_releases_stay() {
    let app = TestApp::new().await;
    let script = app
        .gql(None, "{ widgetScript { url integrity } }", json!({}))
        .await;
    let url = script["data"]["widgetScript"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("{script}"))
        .to_owned();
    let integrity = script["data"]["widgetScript"]["integrity"]
        .as_str()
        .expect("integrity")
        .to_owned();
    assert!(
        url.starts_with(&format!("{}/widget/widget-", app.url)),
        "{url}"
    );
    let response = app.client.get(&url).send().await.expect("send");
    assert_eq!(response.status(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&response, "access-control-allow-origin"), "*");
    let body = response.bytes().await.expect("body");
    // The integrity hash as a browser checks it, computed by OpenSSL.
    let dir = std::env::temp_dir().join(format!("carbot-sri-{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&dir, &body).expect("write");
    let digest = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl dgst -sha384 -binary {} | base64 -w0",
            dir.display()
        ))
        .output()
        .expect("openssl");
    let _ = std::fs::remove_file(&dir);
    assert_eq!(
        format!("sha384-{}", String::from_utf8_lossy(&digest.stdout).trim()),
        integrity
    );
    // /widget.js is the same script, cached briefly.
    let newest = app
        .client
        .get(format!("{}/widget.js", app.url))
        .send()
        .await
        .expect("send");
    assert_eq!(header(&newest, "cache-control"), "public, max-age=300");
    assert_eq!(newest.bytes().await.expect("body"), body);
    // An earlier release stays served; a name never served is not found.
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(
            "INSERT INTO widget_releases (file, integrity, script)
             VALUES ('widget-0123456789abcdef.js', 'sha384-old', 'console.log(\"old\")')",
        )
        .execute(&mut app.db().await)
        .await
        .expect("an earlier release");
    }
    let old = app
        .client
        .get(format!("{}/widget/widget-0123456789abcdef.js", app.url))
        .send()
        .await
        .expect("send");
    assert_eq!(old.status(), 200);
    assert_eq!(old.text().await.expect("text"), "console.log(\"old\")");
    let missing = app
        .client
        .get(format!("{}/widget/widget-ffffffffffffffff.js", app.url))
        .send()
        .await
        .expect("send");
    assert_eq!(missing.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_https_platform_sends_hsts() {
    let app = TestApp::with(carbot_tests::TestOptions {
        public_url: Some("https://app.carbot.test".into()),
        ..Default::default()
    })
    .await;
    let response = app
        .client
        .get(format!("{}/livez", app.url))
        .send()
        .await
        .expect("send");
    assert_eq!(
        response
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000; includeSubDomains")
    );
}

/// Every path to a text (`String`, `ID`) inside an argument of `type_name`, through input
/// objects, as JSON with `leaf` at its end.
fn text_paths(
    inputs: &std::collections::HashMap<String, Vec<(String, async_graphql::parser::types::Type)>>,
    ty: &async_graphql::parser::types::Type,
    leaf: &Value,
    depth: usize,
) -> Vec<(String, Value)> {
    use async_graphql::parser::types::BaseType;
    match &ty.base {
        BaseType::List(inner) => text_paths(inputs, inner, leaf, depth)
            .into_iter()
            .map(|(path, value)| (format!("0.{path}"), json!([value])))
            .collect(),
        BaseType::Named(name) if matches!(name.as_str(), "String" | "ID") => {
            vec![(String::new(), leaf.clone())]
        }
        BaseType::Named(name) if depth < 4 => inputs
            .get(name.as_str())
            .into_iter()
            .flatten()
            .flat_map(|(field, ty)| {
                text_paths(inputs, ty, leaf, depth + 1)
                    .into_iter()
                    .map(move |(path, value)| {
                        let mut object = serde_json::Map::new();
                        object.insert(field.clone(), value);
                        (format!("{field}.{path}"), Value::Object(object))
                    })
            })
            .collect(),
        BaseType::Named(_) => Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_text_input_refuses_a_nul_character_before_anything_runs() {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let app = TestApp::new().await;
    let owner = app.register("nul@werkstatt.de", "Nullbyte GmbH").await;
    let schema = async_graphql::parser::parse_schema(carbot_schema::sdl()).expect("the SDL parses");
    let mut inputs = std::collections::HashMap::new();
    let mut roots = Vec::new();
    for definition in &schema.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let name = ty.node.name.node.to_string();
        match &ty.node.kind {
            TypeKind::InputObject(input) => {
                let fields = input
                    .fields
                    .iter()
                    .map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone()))
                    .collect::<Vec<_>>();
                inputs.insert(name, fields);
            }
            TypeKind::Object(object) if name == "Query" || name == "Mutation" => {
                for field in &object.fields {
                    for argument in &field.node.arguments {
                        roots.push((
                            if name == "Query" { "query" } else { "mutation" },
                            field.node.name.node.to_string(),
                            argument.node.name.node.to_string(),
                            argument.node.ty.node.clone(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    let before = content_counts(&app).await;
    let leaf = json!("Öl\u{0}wechsel");
    let mut tried = 0;
    for (operation, field, argument, ty) in &roots {
        for (path, value) in text_paths(&inputs, ty, &leaf, 0) {
            let query =
                format!("{operation}($v: {ty}) {{ {field}({argument}: $v) {{ __typename }} }}");
            let (status, body) = app
                .post(Some(&owner.access_token), &query, json!({ "v": value }))
                .await;
            let shown = format!("{field}({argument}.{path}): {body}");
            assert_eq!(status, 400, "{shown}");
            assert_eq!(error_code(&body), "BAD_REQUEST", "{shown}");
            assert!(
                body["errors"][0]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("NUL")),
                "{shown}"
            );
            tried += 1;
        }
    }
    assert!(tried >= 100, "only {tried} text inputs found");
    assert_eq!(
        content_counts(&app).await,
        before,
        "a refused input changed something"
    );

    // A visitor's message and a lead with a NUL character: typed refusals, nothing stored.
    let (_, key) = app.client_key(&owner, &[carbot_tests::chat::SITE]).await;
    let visitor = app.visitor(&key, carbot_tests::chat::SITE).await;
    let before = content_counts(&app).await;
    let (status, body) = app.say(&visitor, "Bremsen\u{0}quietschen").await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{body}");
    let (status, body) = app
        .submit_lead(&visitor, json!({ "name": "Erika\u{0}Mustermann" }))
        .await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        json!(["input", "name"]),
        "{body}"
    );
    assert_eq!(content_counts(&app).await, before);
}

/// Rows of the tables a refused input could have written to.
async fn content_counts(app: &TestApp) -> Vec<i64> {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        rows: i64,
    }
    let mut conn = app.db().await;
    let counts: Vec<Count> = diesel::sql_query(
        "SELECT count(*) AS rows FROM messages UNION ALL SELECT count(*) FROM leads
         UNION ALL SELECT count(*) FROM services UNION ALL SELECT count(*) FROM conversations
         UNION ALL SELECT count(*) FROM events UNION ALL SELECT count(*) FROM client_keys
         UNION ALL SELECT count(*) FROM workshops UNION ALL SELECT count(*) FROM users",
    )
    .load(&mut conn)
    .await
    .expect("counts");
    counts.into_iter().map(|c| c.rows).collect()
}

/// A GraphQL POST from `ip` (the tests' server trusts `X-Forwarded-For`).
async fn post_from_ip(
    app: &TestApp,
    ip: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> (u16, Option<String>, Value) {
    let mut request = app
        .client
        .post(app.graphql_url())
        .header("x-forwarded-for", ip)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, retry, response.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread")]
async fn refreshing_sessions_and_downloading_exports_are_rate_limited() {
    let app = TestApp::new().await;
    const REFRESH: &str = "mutation($t: String!) { refreshSession(input: { refreshToken: $t }) {
        userErrors { code } } }";
    // One token tried again and again: five a minute, then RATE_LIMITED with Retry-After.
    let replayed = json!({ "t": "cbr_replayed-token" });
    for _ in 0..5 {
        let (status, _, body) =
            post_from_ip(&app, "198.51.100.20", None, REFRESH, replayed.clone()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["data"]["refreshSession"]["userErrors"][0]["code"], "INVALID_TOKEN",
            "{body}"
        );
    }
    let (_, retry, body) = post_from_ip(&app, "198.51.100.20", None, REFRESH, replayed).await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
    assert!(retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| s > 0 && s <= 60)));
    // Many tokens from one address: sixty a minute.
    let mut limited = 0;
    for n in 0..61 {
        let (_, _, body) = post_from_ip(
            &app,
            "198.51.100.21",
            None,
            REFRESH,
            json!({ "t": format!("cbr_guess-{n}") }),
        )
        .await;
        if error_code(&body) == "RATE_LIMITED" {
            limited += 1;
        }
    }
    assert_eq!(limited, 1, "the 61st refresh from one address is refused");
    // Another address is not affected.
    let (_, _, body) = post_from_ip(
        &app,
        "198.51.100.22",
        None,
        REFRESH,
        json!({ "t": "cbr_other" }),
    )
    .await;
    assert_eq!(
        body["data"]["refreshSession"]["userErrors"][0]["code"], "INVALID_TOKEN",
        "{body}"
    );

    // CSV downloads: 120 per workshop and hour, through GraphQL and `GET /exports` alike.
    let owner = app.register("export@werkstatt.de", "Export GmbH").await;
    app.subscribe(&owner, "PREMIUM").await;
    let mut refused = None;
    for n in 0..121 {
        let body = if n % 2 == 0 {
            post_from_ip(
                &app,
                "198.51.100.23",
                Some(&owner.access_token),
                "mutation { exportLeads { csv } }",
                json!({}),
            )
            .await
            .2
        } else {
            let response = app
                .client
                .get(format!(
                    "{}/exports/leads.csv?from=2026-11-01&to=2026-11-30",
                    app.url
                ))
                .header("x-forwarded-for", "198.51.100.23")
                .bearer_auth(&owner.access_token)
                .send()
                .await
                .expect("send");
            if response.status().as_u16() == 200 {
                let _ = response.bytes().await;
                json!({ "data": "csv" })
            } else {
                response.json::<Value>().await.expect("json")
            }
        };
        if error_code(&body) == "RATE_LIMITED" {
            refused = Some(n);
            break;
        }
    }
    assert_eq!(refused, Some(120), "the 121st download is refused");
}
