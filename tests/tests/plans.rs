//! Plans as data and the entitlements they grant: trial, paid and inactive workshops.

use carbot_tests::serde_json::json;
use carbot_tests::{TestApp, error_code};

#[tokio::test(flavor = "multi_thread")]
async fn the_price_list_is_public_and_states_the_limits() {
    let app = TestApp::new().await;
    let body = app
        .gql(None, "{ plans { code name price { amountCents currency } limits { clientKeys leadsPerMonth csvExports apiAccess } } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["plans"],
        json!([
            { "code": "BASIC", "name": "Basic", "price": { "amountCents": 4900, "currency": "EUR" },
              "limits": { "clientKeys": 3, "leadsPerMonth": 100, "csvExports": false, "apiAccess": false } },
            { "code": "PREMIUM", "name": "Premium", "price": { "amountCents": 9900, "currency": "EUR" },
              "limits": { "clientKeys": 10, "leadsPerMonth": null, "csvExports": true, "apiAccess": false } },
            { "code": "ENTERPRISE", "name": "Enterprise", "price": { "amountCents": 19900, "currency": "EUR" },
              "limits": { "clientKeys": null, "leadsPerMonth": null, "csvExports": true, "apiAccess": true } },
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn features_follow_the_plan_and_its_status() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::new().await;
    let owner = app
        .register("tarif@autohaus-nord.de", "Autohaus Nord")
        .await;
    let token = Some(owner.access_token.as_str());
    let status = "{ workshop { plan { code } planStatus trialEndsAt } }";
    let export = "mutation { exportServices { csv } }";

    let body = app.gql(token, status, json!({})).await;
    assert_eq!(body["data"]["workshop"]["planStatus"], "TRIALING");
    assert!(
        app.gql(token, export, json!({})).await["data"]["exportServices"]["csv"].is_string(),
        "the Premium trial exports"
    );

    // The trial ends without a subscription: paid features close, with a clear code.
    let mut conn = app.db().await;
    diesel::sql_query("UPDATE workshops SET trial_ends_at = now() - interval '1 day'")
        .execute(&mut conn)
        .await
        .expect("expire");
    let body = app.gql(token, status, json!({})).await;
    assert_eq!(body["data"]["workshop"]["planStatus"], "INACTIVE");
    let body = app.gql(token, export, json!({})).await;
    assert_eq!(error_code(&body), "PLAN_LIMIT_REACHED", "{body}");

    app.subscribe(&owner, "BASIC").await;
    let body = app.gql(token, status, json!({})).await;
    assert_eq!(
        (
            body["data"]["workshop"]["planStatus"].clone(),
            body["data"]["workshop"]["plan"]["code"].clone()
        ),
        (json!("ACTIVE"), json!("BASIC"))
    );
    let body = app.gql(token, export, json!({})).await;
    assert_eq!(
        error_code(&body),
        "PLAN_LIMIT_REACHED",
        "Basic has no CSV exports"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("Premium"),
        "{body}"
    );

    app.subscribe(&owner, "PREMIUM").await;
    assert!(app.gql(token, export, json!({})).await["data"]["exportServices"]["csv"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn api_tokens_answer_only_while_the_plan_includes_api_access() {
    let app = TestApp::new().await;
    let owner = app
        .register("api-plan@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, token) = app.api_token(&owner, &["CATALOG_READ"]).await;
    let query = "{ workshop { name } }";
    assert_eq!(
        app.gql(Some(&token), query, json!({})).await["data"]["workshop"]["name"],
        "Autohaus Nord"
    );

    app.subscribe(&owner, "PREMIUM").await;
    let (status, body) = app.post(Some(&token), query, json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "PLAN_LIMIT_REACHED"),
        "{body}"
    );

    app.subscribe(&owner, "ENTERPRISE").await;
    assert_eq!(
        app.gql(Some(&token), query, json!({})).await["data"]["workshop"]["name"],
        "Autohaus Nord"
    );
}
