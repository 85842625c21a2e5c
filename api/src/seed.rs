//! The demo workshop that a fresh embedded database starts with.

use carbot_schema::Services;
use carbot_schema::accounts::session::{NewOwner, create_workshop_with_owner};
use carbot_schema::accounts::workshop::Locale;
use carbot_schema::analytics::demo;
use carbot_schema::auth::passwords;
use carbot_schema::db::schema::workshops;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub const DEMO_EMAIL: &str = "inhaber@autohaus-demo.de";

/// On an empty database: creates "Autohaus Demo" with an owner and prints the login once.
pub async fn demo_workshop(services: &Services) -> anyhow::Result<()> {
    let mut conn = services
        .pool
        .get()
        .await
        .map_err(|e| anyhow::anyhow!("database: {e}"))?;
    let any: i64 = workshops::table.count().get_result(&mut conn).await?;
    if any > 0 {
        return Ok(());
    }
    let password = demo_password();
    let hash = passwords::hash(password.clone())
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    let (_, workshop_id) = create_workshop_with_owner(
        &mut conn,
        NewOwner {
            email: DEMO_EMAIL,
            password_hash: hash,
            workshop_name: "Autohaus Demo",
            locale: Locale::De,
            verification: None,
        },
    )
    .await?;
    let opening_hours = serde_json::json!([
        { "weekday": "MONDAY", "opens": "07:30", "closes": "18:00" },
        { "weekday": "TUESDAY", "opens": "07:30", "closes": "18:00" },
        { "weekday": "WEDNESDAY", "opens": "07:30", "closes": "18:00" },
        { "weekday": "THURSDAY", "opens": "07:30", "closes": "18:00" },
        { "weekday": "FRIDAY", "opens": "07:30", "closes": "16:00" },
        { "weekday": "SATURDAY", "opens": "09:00", "closes": "12:00" },
    ]);
    diesel::update(workshops::table.find(workshop_id))
        .set((
            workshops::phone.eq("+49 40 1234567"),
            workshops::email.eq("service@autohaus-demo.de"),
            workshops::street.eq("Werkstattweg 1"),
            workshops::postal_code.eq("20095"),
            workshops::city.eq("Hamburg"),
            workshops::opening_hours.eq(opening_hours),
        ))
        .execute(&mut conn)
        .await?;
    drop(conn);
    let history = demo::generate(
        &services.pool,
        &services.assistant,
        workshop_id,
        chrono::Utc::now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("generating the demo history: {e:?}"))?;
    // Printed, not logged: the password appears once, on the operator's terminal.
    println!(
        "\n  Demo workshop \"Autohaus Demo\" created, with {} generated demo conversations and {} demo leads of the last 90 days.\n  Sign in with  {DEMO_EMAIL}  /  {password}\n",
        history.conversations, history.leads
    );
    Ok(())
}

fn demo_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
