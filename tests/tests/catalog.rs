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
