//! The service catalog: the standard German catalog, listing, filters and customer search.

use carbot_tests::serde_json::{Value, json};
use carbot_tests::{TestApp, error_code};

const SEARCH: &str =
    "query($search: String, $first: Int) { services(first: $first, filter: {search: $search}) {
    totalCount edges { node { name price { min { amountCents } max { amountCents } } } } } }";

#[tokio::test(flavor = "multi_thread")]
async fn new_workshops_start_with_the_standard_catalog_and_reinstalling_adds_nothing() {
    let app = TestApp::new().await;
    let owner = app
        .register("katalog@autohaus-nord.de", "Autohaus Nord")
        .await;
    let token = Some(owner.access_token.as_str());
    let body = app.gql(token, "{ serviceCategories(first: 100) { totalCount edges { node { name } } } services { totalCount } }", json!({})).await;
    let categories = body["data"]["serviceCategories"]["totalCount"]
        .as_i64()
        .expect("count");
    let services = body["data"]["services"]["totalCount"]
        .as_i64()
        .expect("count");
    assert!(
        categories >= 12 && services >= 250,
        "{categories} categories, {services} services"
    );
    assert_eq!(
        body["data"]["serviceCategories"]["edges"][0]["node"]["name"],
        "Inspektion & Wartung"
    );

    let body = app
        .gql(
            token,
            "mutation { installStandardCatalog { installedCount userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["installStandardCatalog"]["installedCount"], 0);
    let again = app
        .gql(token, "{ services { totalCount } }", json!({}))
        .await;
    assert_eq!(again["data"]["services"]["totalCount"], services);

    let zahnriemen = app
        .gql(token, SEARCH, json!({ "search": "Zahnriemen", "first": 1 }))
        .await;
    let top = &zahnriemen["data"]["services"]["edges"][0]["node"];
    assert_eq!(top["name"], "Zahnriemenwechsel", "{zahnriemen}");
    assert_eq!(top["price"]["min"]["amountCents"], 30_000);
    assert_eq!(top["price"]["max"]["amountCents"], 90_000);
}

#[tokio::test(flavor = "multi_thread")]
async fn customer_phrasings_find_the_services_they_mean() {
    let app = TestApp::new().await;
    let owner = app
        .register("suche@autohaus-nord.de", "Autohaus Nord")
        .await;
    let corpus = include_str!("../fixtures/search_corpus.tsv");
    let mut misses = Vec::new();
    let mut cases = 0;
    for line in corpus.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let (phrase, expected) = line.split_once('\t').expect("phrase<TAB>expected");
        let expected: Vec<&str> = expected.split('|').collect();
        let body = app
            .gql(
                Some(&owner.access_token),
                SEARCH,
                json!({ "search": phrase, "first": 5 }),
            )
            .await;
        let found: Vec<String> = body["data"]["services"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
            .collect();
        if !found.iter().any(|name| expected.contains(&name.as_str())) {
            misses.push(format!(
                "{phrase:?} → {found:?}, expected one of {expected:?}"
            ));
        }
        cases += 1;
    }
    assert!(cases >= 40, "the corpus has {cases} phrasings");
    assert!(
        misses.is_empty(),
        "{} of {cases} phrasings missed:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_pages_and_scopes() {
    let app = TestApp::new().await;
    let owner = app
        .register("filter@autohaus-nord.de", "Autohaus Nord")
        .await;
    let token = Some(owner.access_token.as_str());
    let categories = app
        .gql(
            token,
            "{ serviceCategories(first: 100) { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    let bremsen = categories["data"]["serviceCategories"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|e| e["node"]["name"] == "Bremsen")
        .map(|e| e["node"]["id"].clone())
        .expect("Bremsen");
    let body = app
        .gql(token, "query($c: ID!) { services(first: 100, filter: {categoryId: $c}) { totalCount edges { node { category { name } } } } }", json!({ "c": bremsen }))
        .await;
    let edges = body["data"]["services"]["edges"].as_array().expect("edges");
    assert!(
        !edges.is_empty()
            && edges
                .iter()
                .all(|e| e["node"]["category"]["name"] == "Bremsen"),
        "{body}"
    );

    let body = app
        .gql(token, "{ services(first: 100, filter: {vehicleClass: SUV}) { totalCount edges { node { vehiclePrices { vehicleClass price { min { amountCents } } } } } } }", json!({}))
        .await;
    let edges = body["data"]["services"]["edges"].as_array().expect("edges");
    assert!(!edges.is_empty());
    assert!(edges.iter().all(|e| {
        e["node"]["vehiclePrices"]
            .as_array()
            .expect("prices")
            .iter()
            .any(|p| p["vehicleClass"] == "SUV")
    }));

    // Paging through everything visits every service once.
    let total = app
        .gql(token, "{ services { totalCount } }", json!({}))
        .await["data"]["services"]["totalCount"]
        .as_i64()
        .expect("total");
    let mut after: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    loop {
        let page = app
            .gql(token, "query($after: String) { services(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }", json!({ "after": after }))
            .await;
        for edge in page["data"]["services"]["edges"].as_array().expect("edges") {
            assert!(seen.insert(edge["node"]["id"].as_str().expect("id").to_owned()));
        }
        if page["data"]["services"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["data"]["services"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(seen.len() as i64, total);

    let (_, catalog_token) = app.api_token(&owner, &["CATALOG_READ"]).await;
    let (_, leads_token) = app.api_token(&owner, &["LEADS_READ"]).await;
    let body = app
        .gql(
            Some(&catalog_token),
            "{ services(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["services"]["totalCount"], total);
    let body = app
        .gql(
            Some(&leads_token),
            "{ services(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app
        .gql(
            Some(&catalog_token),
            "mutation { installStandardCatalog { installedCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app
        .gql(None, "{ services { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let body: Value = app
        .gql(
            token,
            "{ services(filter: {categoryId: \"bogus\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_REQUEST");
}

const CREATE: &str = "mutation($input: CreateServiceInput!) { createService(input: $input) {
    service { id name description aliases active durationMinutes category { name } price { min { amountCents } max { amountCents } isFixed }
              vehiclePrices { vehicleClass price { min { amountCents } max { amountCents } } } }
    userErrors { field code message } } }";

async fn category_id(app: &TestApp, token: &str, name: &str) -> String {
    let body = app
        .gql(
            Some(token),
            "{ serviceCategories(first: 100) { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    body["data"]["serviceCategories"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|e| e["node"]["name"] == name)
        .and_then(|e| e["node"]["id"].as_str())
        .expect("category")
        .to_owned()
}

async fn service_count(app: &TestApp, token: &str) -> i64 {
    app.gql(Some(token), "{ services { totalCount } }", json!({}))
        .await["data"]["services"]["totalCount"]
        .as_i64()
        .expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn owners_add_change_and_delete_services() {
    let app = TestApp::new().await;
    let owner = app
        .register("leistung@autohaus-nord.de", "Autohaus Nord")
        .await;
    let token = owner.access_token.as_str();
    let motor = category_id(&app, token, "Motor").await;
    let body = app
        .gql(
            Some(token),
            CREATE,
            json!({ "input": {
                "categoryId": motor, "name": "  Wankelmotor-Service ", "description": "Dichtleisten prüfen.",
                "minPriceCents": 19_900, "maxPriceCents": 49_900, "durationMinutes": 120, "aliases": ["Wankel", " ", "Wankel"],
                "vehiclePrices": [{ "vehicleClass": "MITTELKLASSE", "minPriceCents": 24_900, "maxPriceCents": 39_900 }]
            } }),
        )
        .await;
    let payload = &body["data"]["createService"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    let service = &payload["service"];
    assert_eq!(service["name"], "Wankelmotor-Service");
    assert_eq!(service["aliases"], json!(["Wankel"]));
    assert_eq!(service["category"]["name"], "Motor");
    assert_eq!(
        service["price"],
        json!({ "min": { "amountCents": 19_900 }, "max": { "amountCents": 49_900 }, "isFixed": false })
    );
    assert_eq!(service["vehiclePrices"][0]["vehicleClass"], "MITTELKLASSE");
    let id = service["id"].as_str().expect("id").to_owned();

    let found = app
        .gql(
            Some(token),
            SEARCH,
            json!({ "search": "wankel", "first": 1 }),
        )
        .await;
    assert_eq!(
        found["data"]["services"]["edges"][0]["node"]["name"],
        "Wankelmotor-Service"
    );

    let update = "mutation($input: UpdateServiceInput!) { updateService(input: $input) {
        service { name active durationMinutes price { min { amountCents } max { amountCents } isFixed } } userErrors { field code } } }";
    let body = app
        .gql(Some(token), update, json!({ "input": { "id": id, "minPriceCents": 24_000, "maxPriceCents": 39_900, "active": false, "durationMinutes": null } }))
        .await;
    assert_eq!(
        body["data"]["updateService"]["userErrors"],
        json!([]),
        "{body}"
    );
    assert_eq!(body["data"]["updateService"]["service"]["active"], false);
    assert_eq!(
        body["data"]["updateService"]["service"]["durationMinutes"],
        Value::Null
    );
    // The Mittelklasse price (24,900) now lies below the new minimum: refused, nothing changes.
    let body = app
        .gql(
            Some(token),
            update,
            json!({ "input": { "id": id, "minPriceCents": 30_000 } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateService"]["userErrors"][0]["field"],
        json!(["input", "vehiclePrices", "MITTELKLASSE"])
    );
    let body = app.gql(Some(token), update, json!({ "input": { "id": id, "minPriceCents": 30_000, "maxPriceCents": 30_000, "vehiclePrices": [] } })).await;
    assert_eq!(
        body["data"]["updateService"]["service"]["price"]["isFixed"], true,
        "{body}"
    );

    let before = service_count(&app, token).await;
    let delete = "mutation($id: ID!) { deleteService(input: {id: $id}) { deletedServiceId userErrors { code } } }";
    let body = app.gql(Some(token), delete, json!({ "id": id })).await;
    assert_eq!(body["data"]["deleteService"]["deletedServiceId"], json!(id));
    assert_eq!(service_count(&app, token).await, before - 1);
    let body = app
        .gql(
            Some(token),
            "query($id: ID!) { node(id: $id) { ... on Service { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["node"]["name"], "Wankelmotor-Service",
        "a deleted service stays readable by id (for old leads)"
    );
    let body = app.gql(Some(token), delete, json!({ "id": id })).await;
    assert_eq!(
        body["data"]["deleteService"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    let body = app
        .gql(
            Some(token),
            update,
            json!({ "input": { "id": id, "name": "Wieder da" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateService"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_services_get_precise_user_errors_and_change_nothing() {
    let app = TestApp::new().await;
    let owner = app
        .register("fehler@autohaus-nord.de", "Autohaus Nord")
        .await;
    let token = owner.access_token.as_str();
    let motor = category_id(&app, token, "Motor").await;
    let base = json!({ "categoryId": motor, "name": "Neue Leistung", "minPriceCents": 1000, "maxPriceCents": 2000 });
    let with = |key: &str, value: Value| {
        let mut input = base.clone();
        input[key] = value;
        input
    };
    let before = app.row_counts().await;
    let services_before = service_count(&app, token).await;
    let cases: Vec<(Value, Vec<&str>, &str)> = vec![
        (
            with("minPriceCents", json!(-100)),
            vec!["input", "minPriceCents"],
            "OUT_OF_RANGE",
        ),
        (
            with("minPriceCents", json!(5000)),
            vec!["input", "maxPriceCents"],
            "INVALID",
        ),
        (
            with("maxPriceCents", json!(100_000_001)),
            vec!["input", "maxPriceCents"],
            "OUT_OF_RANGE",
        ),
        (
            with("categoryId", json!("bogus")),
            vec!["input", "categoryId"],
            "NOT_FOUND",
        ),
        (with("name", json!("")), vec!["input", "name"], "REQUIRED"),
        (
            with("name", json!("x".repeat(300))),
            vec!["input", "name"],
            "TOO_LONG",
        ),
        (
            with("name", json!("zahnriemenwechsel")),
            vec!["input", "name"],
            "DUPLICATE",
        ),
        (
            with("durationMinutes", json!(0)),
            vec!["input", "durationMinutes"],
            "OUT_OF_RANGE",
        ),
        (
            with(
                "vehiclePrices",
                json!([{ "vehicleClass": "SUV", "minPriceCents": 500, "maxPriceCents": 1500 }]),
            ),
            vec!["input", "vehiclePrices", "SUV"],
            "OUT_OF_RANGE",
        ),
    ];
    for (input, field, code) in cases {
        let body = app
            .gql(Some(token), CREATE, json!({ "input": input }))
            .await;
        let payload = &body["data"]["createService"];
        assert_eq!(payload["service"], Value::Null, "{input}");
        assert_eq!(
            (
                payload["userErrors"][0]["field"].clone(),
                payload["userErrors"][0]["code"].clone()
            ),
            (json!(field), json!(code)),
            "{input}: {body}"
        );
    }
    assert_eq!(app.row_counts().await, before);
    assert_eq!(service_count(&app, token).await, services_before);
}

const EXPORT: &str = "mutation { exportServices { csv userErrors { code } } }";
const IMPORT: &str = "mutation($csv: String!, $dryRun: Boolean) { importServices(input: {csv: $csv, dryRun: $dryRun}) {
    imported errors { line message } userErrors { field code message } } }";
const HEADER: &str =
    "category,name,aliases,description,min_cents,max_cents,duration_minutes,vehicle_prices,active";

async fn export(app: &TestApp, token: &str) -> String {
    let body = app.gql(Some(token), EXPORT, json!({})).await;
    body["data"]["exportServices"]["csv"]
        .as_str()
        .expect("csv")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn export_then_import_into_a_new_workshop_gives_the_same_catalog() {
    let app = TestApp::new().await;
    let nord = app
        .register("export@autohaus-nord.de", "Autohaus Nord")
        .await;
    let token = nord.access_token.as_str();
    let motor = category_id(&app, token, "Motor").await;
    let body = app
        .gql(
            Some(token),
            CREATE,
            json!({ "input": { "categoryId": motor, "name": "=HYPERLINK(\"http://böse.example\")", "description": "Test, mit \"Anführungszeichen\"",
                               "minPriceCents": 5000, "maxPriceCents": 5000, "aliases": ["eins", "zwei"], "active": false,
                               "vehiclePrices": [{ "vehicleClass": "SUV", "minPriceCents": 5000, "maxPriceCents": 5000 }] } }),
        )
        .await;
    assert_eq!(
        body["data"]["createService"]["userErrors"],
        json!([]),
        "{body}"
    );
    let csv = export(&app, token).await;
    assert!(csv.starts_with(HEADER));
    assert!(
        csv.contains("'=HYPERLINK"),
        "formula cells are defused on export"
    );

    let sued = app
        .register("import@autohaus-sued.de", "Autohaus Süd")
        .await;
    // The export's defused cell comes back as its text, apostrophe included: importing it is
    // safe, but the name differs. Import the catalog without that line, then compare.
    let without_formula: String = csv
        .lines()
        .filter(|l| !l.contains("HYPERLINK"))
        .map(|l| format!("{l}\n"))
        .collect();
    let body = app
        .gql(
            Some(&sued.access_token),
            IMPORT,
            json!({ "csv": without_formula, "dryRun": false }),
        )
        .await;
    let payload = &body["data"]["importServices"];
    assert_eq!(payload["errors"], json!([]), "{body}");
    assert_eq!(
        payload["imported"].as_i64(),
        Some(without_formula.lines().count() as i64 - 1)
    );
    assert_eq!(export(&app, &sued.access_token).await, without_formula);
}

#[tokio::test(flavor = "multi_thread")]
async fn imports_report_every_bad_row_and_apply_nothing() {
    let app = TestApp::new().await;
    let owner = app
        .register("import@autohaus-nord.de", "Autohaus Nord")
        .await;
    let token = owner.access_token.as_str();
    let before = export(&app, token).await;

    let csv = format!(
        "{HEADER}\n\
         Motor,Neue Leistung,,Gut,1000,2000,60,,true\n\
         Motor,Negativ,,x,-5,2000,,,true\n\
         Motor,Verdreht,,x,3000,2000,,,true\n\
         Mondfahrt,Rakete,,x,1000,2000,,,true\n\
         Motor,=HYPERLINK(\"http://x\"),,x,1000,2000,,,true\n\
         Motor,{},,x,1000,2000,,,true\n\
         Motor,Zu teuer,,x,1000,100000001,,,true\n\
         Motor,Neue Leistung,,doppelt,1000,2000,,,true\n\
         Motor,Kaputte Klasse,,x,1000,2000,,LKW=1-2,true\n",
        "x".repeat(300)
    );
    let body = app.gql(Some(token), IMPORT, json!({ "csv": csv })).await;
    let payload = &body["data"]["importServices"];
    assert_eq!(payload["imported"], 0, "{body}");
    let lines: Vec<i64> = payload["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["line"].as_i64().expect("line"))
        .collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9, 10], "{body}");
    let messages = payload["errors"].to_string();
    for expected in [
        "negativ",
        "Höchstpreis",
        "Mondfahrt",
        "Formeln",
        "Höchstens 120",
        "1.000.000",
        "zweimal",
        "LKW=1-2",
    ] {
        assert!(
            messages.contains(expected),
            "{expected} missing in {messages}"
        );
    }
    assert_eq!(export(&app, token).await, before, "nothing was applied");

    let partial = app
        .gql(
            Some(token),
            "mutation($csv: String!) { importServices(input: {csv: $csv, allOrNothing: false}) { imported errors { line } } }",
            json!({ "csv": format!("{HEADER}\nMotor,Teilimport,,x,100,200,,,true\nMotor,Kaputt,,x,300,200,,,true\n") }),
        )
        .await;
    assert_eq!(
        partial["data"]["importServices"]["imported"], 1,
        "{partial}"
    );
    assert_eq!(
        partial["data"]["importServices"]["errors"],
        json!([{ "line": 3 }])
    );
    let before = export(&app, token).await;
    assert!(before.contains("Teilimport"));

    let good = format!(
        "{HEADER}\nMotor,Neue Leistung,Neu,Gut,1000,2000,60,SUV=1500-2000,true\nMotor,Ölwechsel Spezial,,x,900,900,,,false\n"
    );
    let dry = app
        .gql(Some(token), IMPORT, json!({ "csv": good, "dryRun": true }))
        .await;
    assert_eq!(dry["data"]["importServices"]["imported"], 2, "{dry}");
    assert_eq!(
        export(&app, token).await,
        before,
        "a dry run writes nothing"
    );

    let semicolons = good.replace(',', ";");
    let body = app
        .gql(
            Some(token),
            IMPORT,
            json!({ "csv": format!("\u{feff}{semicolons}") }),
        )
        .await;
    assert_eq!(body["data"]["importServices"]["imported"], 2, "{body}");
    let found = app
        .gql(
            Some(token),
            SEARCH,
            json!({ "search": "Neue Leistung", "first": 1 }),
        )
        .await;
    assert_eq!(
        found["data"]["services"]["edges"][0]["node"]["name"],
        "Neue Leistung"
    );
    // Importing the same rows again updates them instead of adding duplicates.
    let count = service_count(&app, token).await;
    app.gql(Some(token), IMPORT, json!({ "csv": good })).await;
    assert_eq!(service_count(&app, token).await, count);

    for (csv, code) in [
        ("name,price\nÖlwechsel,10".to_owned(), "INVALID"),
        (HEADER.to_owned(), "REQUIRED"),
        (
            format!(
                "{HEADER}\n{}",
                "Motor,Massenware,,x,1,2,,,true\n".repeat(100_000)
            ),
            "TOO_LONG",
        ),
    ] {
        let (status, body) = app.post(Some(token), IMPORT, json!({ "csv": csv })).await;
        if status == 413 {
            // 100,000 rows exceed the 1 MiB request limit before they reach the import.
            assert!(csv.len() > 1024 * 1024);
            continue;
        }
        assert_eq!(
            body["data"]["importServices"]["userErrors"][0]["code"], code,
            "{body}"
        );
    }
    let many = format!(
        "{HEADER}\n{}",
        (0..5001)
            .map(|i| format!("Motor,M{i},,x,1,2,,,true\n"))
            .collect::<String>()
    );
    let body = app.gql(Some(token), IMPORT, json!({ "csv": many })).await;
    assert_eq!(
        body["data"]["importServices"]["userErrors"][0]["code"], "TOO_LONG",
        "{body}"
    );
}
