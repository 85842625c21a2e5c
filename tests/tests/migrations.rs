//! Migrations are reversible: every `down.sql` undoes its `up.sql`, and `up` works again after.

use carbot_tests::TestApp;
use diesel_migrations::MigrationHarness;

#[tokio::test(flavor = "multi_thread")]
async fn every_migration_reverts_and_reapplies() {
    let app = TestApp::new().await;
    let owner = app
        .register("migration@autohaus-nord.de", "Autohaus Nord")
        .await;
    assert!(!owner.access_token.is_empty());
    let url = app.database_url.clone();
    let tables = tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        use diesel::RunQueryDsl;
        type Wrapper = diesel_async::async_connection_wrapper::AsyncConnectionWrapper<diesel_async::AsyncPgConnection>;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            count: i64,
        }
        let count_tables = |conn: &mut Wrapper| {
            diesel::sql_query(
                "SELECT count(*) AS count FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
            )
            .get_result::<Count>(conn)
            .expect("count")
            .count
        };
        let mut conn = Wrapper::establish(&url).expect("connect");
        let before = count_tables(&mut conn);
        let reverted = conn.revert_all_migrations(carbot_schema::db::MIGRATIONS).expect("revert").len();
        let after_down = count_tables(&mut conn);
        let applied = conn.run_pending_migrations(carbot_schema::db::MIGRATIONS).expect("re-apply").len();
        (before, reverted, after_down, applied, count_tables(&mut conn))
    })
    .await
    .expect("join");
    let (before, reverted, after_down, applied, after_up) = tables;
    assert!(before > 0);
    assert_eq!(reverted, applied);
    assert_eq!(after_down, 0, "down.sql leaves no table behind");
    assert_eq!(after_up, before);
}
