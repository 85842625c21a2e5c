//! 90 days of generated history for the demo workshop, so that a newcomer's first dashboard
//! shows what CarBot does: German conversations answered by the real built-in assistant over the
//! workshop's catalog, leads in every status with their follow-up, busy Monday mornings and
//! evenings after work, and a few questions the catalog cannot answer. Deterministic (a fixed
//! seed; only the dates move with the day it runs) and clearly marked: the widget key is
//! labelled "Demo-Website", the pages are on `autohaus-demo.de`, and every lead is named
//! "[Demo] …" with an `example.invalid` address.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::accounts::workshop;
use crate::auth::Tenant;
use crate::chat::assistant::builtin::{Intent, answer_now, detect_intents, question_intent};
use crate::chat::assistant::memory::understand;
use crate::chat::assistant::{Answer, Question, Speaker, Turn};
use crate::chat::reply::{AssistantSetup, facts as workshop_facts};
use crate::db::schema::{client_keys, conversations, leads, messages};
use crate::db::{Conn, Pool};
use crate::error::{ApiError, ApiResult};
use crate::facts::{self, Fact, OpenHours, Place};

pub const DEMO_KEY_LABEL: &str = "Demo-Website";
const DAYS: i64 = 90;

/// What the visitors of the demo ask: (question, weight). The last ones have no service in
/// the standard catalog.
const QUESTIONS: [(&str, u32); 16] = [
    ("Was kostet ein Ölwechsel?", 12),
    ("Was kostet die Inspektion für meinen VW Golf 7?", 9),
    ("Wie teuer sind neue Bremsbeläge vorne?", 8),
    ("Was kostet die Hauptuntersuchung bei euch?", 8),
    ("Wie lange dauert ein Reifenwechsel?", 6),
    ("Habt ihr am Samstag geöffnet?", 5),
    ("Was kostet ein Klimaservice?", 6),
    ("Was kostet ein Zahnriemenwechsel beim Passat?", 4),
    ("Kann ich nächste Woche einen Termin bekommen?", 5),
    ("Wie kann ich euch telefonisch erreichen?", 3),
    ("Hallo!", 4),
    ("Was kostet eine neue Batterie?", 5),
    ("Macht ihr auch Wallboxen?", 2),
    ("Repariert ihr auch Rasenmäher?", 1),
    ("Verkauft ihr Gebrauchtwagen?", 2),
    ("Lackiert ihr auch Motorradtanks?", 1),
];

const FOLLOW_UPS: [&str; 4] = [
    "Und für einen SUV?",
    "Wie lange dauert das?",
    "Danke!",
    "Kann ich das online buchen?",
];

const PAGES: [&str; 4] = [
    "https://autohaus-demo.de/",
    "https://autohaus-demo.de/leistungen",
    "https://autohaus-demo.de/preise",
    "https://autohaus-demo.de/kontakt",
];

/// A small deterministic generator (xorshift64*).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(u64::from(total)) as u32;
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        &items[0].0
    }
}

/// Conversations per hour of the day: mornings before work and evenings after it.
const HOURS: [u32; 24] = [
    0, 0, 0, 0, 0, 0, 1, 4, 6, 5, 3, 2, 3, 2, 2, 2, 3, 6, 8, 6, 4, 2, 1, 0,
];

/// What was generated.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    pub conversations: usize,
    pub messages: usize,
    pub leads: usize,
}

struct Rows {
    conversations: Vec<ConversationInsert>,
    messages: Vec<MessageInsert>,
    leads: Vec<LeadInsert>,
    facts: Vec<Fact>,
}

#[derive(Insertable)]
#[diesel(table_name = conversations)]
struct ConversationInsert {
    id: Uuid,
    workshop_id: Uuid,
    client_key_id: Uuid,
    locale: &'static str,
    page_url: Option<&'static str>,
    message_count: i32,
    last_message_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = messages)]
struct MessageInsert {
    id: Uuid,
    conversation_id: Uuid,
    workshop_id: Uuid,
    role: &'static str,
    body: String,
    cited_service_ids: Vec<Uuid>,
    offer_lead_form: bool,
    assistant: Option<&'static str>,
    created_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = leads)]
struct LeadInsert {
    id: Uuid,
    workshop_id: Uuid,
    conversation_id: Option<Uuid>,
    client_key_id: Option<Uuid>,
    status: &'static str,
    name: String,
    email: Option<String>,
    service_ids: Vec<Uuid>,
    message: Option<String>,
    consent_text: String,
    consent_at: DateTime<Utc>,
    source_url: Option<&'static str>,
    estimated_min_cents: Option<i32>,
    estimated_max_cents: Option<i32>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    first_response_at: Option<DateTime<Utc>>,
}

/// Writes the history of the `DAYS` days before `now` into the demo workshop, in one
/// transaction; the caller runs it once, right after creating the workshop.
pub async fn generate(
    pool: &Pool,
    assistant: &AssistantSetup,
    workshop_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Generated> {
    let tenant = crate::principal::tenant_of_new_session(workshop_id);
    let mut conn: Conn<'_> = pool.get().await.map_err(ApiError::from)?;
    let row = workshop::load(&mut conn, tenant).await?;
    let catalog = assistant
        .catalogs
        .get(&mut conn, tenant, row.catalog_revision)
        .await?;
    let facts_of_workshop = workshop_facts(&row);
    let hours = OpenHours::parse(&row.opening_hours, &row.time_zone);
    let zone: chrono_tz::Tz = row.time_zone.parse().unwrap_or(chrono_tz::Europe::Berlin);
    let key_id = Uuid::now_v7();
    let mut dice = Dice(0x00c4_4b07_d3e0_2026);
    let mut rows = Rows {
        conversations: Vec::new(),
        messages: Vec::new(),
        leads: Vec::new(),
        facts: Vec::new(),
    };
    let mut generated = Generated::default();
    let mut answers: HashMap<String, Answer> = HashMap::new();
    let today = now.with_timezone(&zone).date_naive();
    for back in (1..=DAYS).rev() {
        let day = today - Duration::days(back);
        let weekday = day.weekday().num_days_from_monday();
        let base = [12, 8, 8, 8, 9, 5, 3][weekday as usize];
        let count = base * 7 / 10 + dice.below(base * 6 / 10 + 1);
        for _ in 0..count {
            let mut weights: Vec<(u32, u32)> = (0..24).map(|h| (h, HOURS[h as usize])).collect();
            if weekday == 0 {
                for (hour, weight) in &mut weights {
                    if (7..=10).contains(hour) {
                        *weight *= 3;
                    }
                }
            }
            let hour = *dice.weighted(&weights);
            let minute = dice.below(60) as u32;
            let Some(started) = zone
                .with_ymd_and_hms(day.year(), day.month(), day.day(), hour, minute, 0)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
            else {
                continue;
            };
            let page = PAGES[dice.below(PAGES.len() as u64) as usize];
            let conversation_id = Uuid::now_v7();
            let place = Place {
                tenant,
                client_key_id: Some(key_id),
                conversation_id: Some(conversation_id),
            };
            let opened = Place {
                conversation_id: None,
                ..place
            };
            rows.facts.push(
                Fact::widget_opened(opened, Some(page.to_owned()))
                    .happened_at(started - Duration::seconds(5)),
            );
            rows.facts.push(
                Fact::conversation_started(place, Some(page.to_owned())).happened_at(started),
            );
            let mut at = started;
            let mut history: Vec<Turn> = Vec::new();
            let mut cited_all: Vec<Uuid> = Vec::new();
            let mut asked: Vec<&str> = Vec::new();
            // One in eight visitors opens the chat and writes nothing.
            let questions = if dice.chance(12) {
                0
            } else {
                1 + dice.below(3) as usize
            };
            for n in 0..questions {
                let text = if n == 0 {
                    *dice.weighted(&QUESTIONS)
                } else {
                    FOLLOW_UPS[dice.below(FOLLOW_UPS.len() as u64) as usize]
                };
                at += Duration::seconds(20 + dice.below(90) as i64);
                let question_id = Uuid::now_v7();
                rows.messages.push(MessageInsert {
                    id: question_id,
                    conversation_id,
                    workshop_id,
                    role: "VISITOR",
                    body: text.to_owned(),
                    cited_service_ids: Vec::new(),
                    offer_lead_form: false,
                    assistant: None,
                    created_at: at,
                });
                rows.facts
                    .push(Fact::visitor_message(place, question_id).happened_at(at));
                // The same chat so far gets the same answer; only questions about opening
                // hours and appointments also depend on the hour they are asked.
                asked.push(text);
                let timed = detect_intents(text)
                    .iter()
                    .any(|i| matches!(i, Intent::OpeningHours | Intent::Appointment));
                let local = at.with_timezone(&zone);
                let key = if timed {
                    format!("{}@{}:{}", asked.join("|"), local.weekday(), local.hour())
                } else {
                    asked.join("|")
                };
                let answer = match answers.get(&key) {
                    Some(answer) => answer.clone(),
                    None => {
                        let understood =
                            understand(&catalog.index, &history, text, workshop::Locale::De);
                        let question = Question {
                            workshop: &facts_of_workshop,
                            locale: understood.locale,
                            history: &history,
                            text,
                            catalog: &understood.entries,
                            memory: &understood.memory,
                            now: at,
                        };
                        let answer = answer_now(&question);
                        answers.insert(key, answer.clone());
                        answer
                    }
                };
                at += Duration::seconds(2);
                let intent = question_intent(text, !answer.cited.is_empty());
                rows.messages.push(MessageInsert {
                    id: Uuid::now_v7(),
                    conversation_id,
                    workshop_id,
                    role: "ASSISTANT",
                    body: answer.body.clone(),
                    cited_service_ids: answer.cited.clone(),
                    offer_lead_form: answer.offer_lead_form,
                    assistant: Some("builtin"),
                    created_at: at,
                });
                rows.facts.push(
                    Fact::assistant_answer(place, question_id, intent, answer.cited.clone())
                        .happened_at(at),
                );
                cited_all.extend(answer.cited.iter().copied());
                history.push(Turn {
                    speaker: Speaker::Visitor,
                    text: text.to_owned(),
                    cited: vec![],
                });
                history.push(Turn {
                    speaker: Speaker::Assistant,
                    text: answer.body,
                    cited: answer.cited,
                });
            }
            generated.conversations += 1;
            generated.messages += questions * 2;
            rows.conversations.push(ConversationInsert {
                id: conversation_id,
                workshop_id,
                client_key_id: key_id,
                locale: "de",
                page_url: Some(page),
                message_count: (questions * 2) as i32,
                last_message_at: (questions > 0).then_some(at),
                created_at: started,
            });
            if questions == 0 || !dice.chance(30) {
                continue;
            }
            // A lead: the services the chat was about; its follow-up by age.
            let lead_at = at + Duration::seconds(60 + dice.below(240) as i64);
            let lead_id = Uuid::now_v7();
            cited_all.dedup();
            cited_all.truncate(2);
            let (min, max) = cited_all
                .iter()
                .filter_map(|id| catalog.index.entries().find(|e| e.id == *id))
                .fold((0, 0), |(min, max), e| {
                    (min + e.min_cents, max + e.max_cents)
                });
            let age = now - lead_at;
            // Four days, not two: on a Monday morning the last two days are a weekend, and a
            // demo without a single new lead would show an empty inbox.
            let status = if age < Duration::days(4) && dice.chance(70) {
                "NEW"
            } else {
                *dice.weighted(&[
                    ("CONTACTED", 15),
                    ("QUOTED", 15),
                    ("BOOKED", 15),
                    ("WON", 35),
                    ("LOST", 20),
                ])
            };
            let responded = (status != "NEW").then(|| {
                // Within the hour when open, else the next morning.
                let delay = if hours.seconds_open(lead_at, lead_at + Duration::minutes(1)) > 0 {
                    Duration::minutes(5 + dice.below(90) as i64)
                } else {
                    Duration::hours(8 + dice.below(20) as i64)
                };
                (lead_at + delay).min(now)
            });
            generated.leads += 1;
            let number = generated.leads;
            rows.leads.push(LeadInsert {
                id: lead_id,
                workshop_id,
                conversation_id: Some(conversation_id),
                client_key_id: Some(key_id),
                status,
                name: format!("[Demo] Kundin {number}"),
                email: Some(format!("demo{number}@example.invalid")),
                service_ids: cited_all.clone(),
                message: Some("Demodaten: diese Anfrage ist erfunden.".to_owned()),
                consent_text: "Demodaten: keine echte Einwilligung.".to_owned(),
                consent_at: lead_at,
                source_url: Some(page),
                estimated_min_cents: (max > 0).then_some(min),
                estimated_max_cents: (max > 0).then_some(max),
                created_at: lead_at,
                updated_at: responded.unwrap_or(lead_at),
                first_response_at: responded,
            });
            let lead_place = place;
            rows.facts.push(
                Fact::lead_submitted(lead_place, lead_id, Some(page.to_owned()), cited_all)
                    .happened_at(lead_at),
            );
            if let Some(responded) = responded {
                let seconds = (responded - lead_at).num_seconds();
                rows.facts.push(
                    Fact::first_response(
                        lead_place,
                        lead_id,
                        seconds,
                        hours.seconds_open(lead_at, responded),
                    )
                    .happened_at(responded),
                );
                rows.facts.push(
                    Fact::lead_status_changed(lead_place, lead_id, status).happened_at(responded),
                );
            }
        }
    }
    write(&mut conn, tenant, key_id, rows).await?;
    tracing::info!(
        conversations = generated.conversations,
        leads = generated.leads,
        "generated the demo workshop's history"
    );
    Ok(generated)
}

async fn write(conn: &mut Conn<'_>, tenant: Tenant, key_id: Uuid, rows: Rows) -> ApiResult<()> {
    use diesel_async::AsyncConnection;
    let workshop_id = tenant.workshop_id();
    conn.transaction::<_, ApiError, _>(async |conn| {
        diesel::insert_into(client_keys::table)
            .values((
                client_keys::id.eq(key_id),
                client_keys::workshop_id.eq(workshop_id),
                client_keys::key.eq(format!("cb_pub_{}", Uuid::new_v4().simple())),
                client_keys::label.eq(DEMO_KEY_LABEL),
                client_keys::allowed_origins.eq(vec!["https://autohaus-demo.de".to_owned()]),
            ))
            .execute(conn)
            .await?;
        for chunk in rows.conversations.chunks(1_000) {
            diesel::insert_into(conversations::table)
                .values(chunk)
                .execute(conn)
                .await?;
        }
        for chunk in rows.messages.chunks(1_000) {
            diesel::insert_into(messages::table)
                .values(chunk)
                .execute(conn)
                .await?;
        }
        for chunk in rows.leads.chunks(500) {
            diesel::insert_into(leads::table)
                .values(chunk)
                .execute(conn)
                .await?;
        }
        let mut rest = rows.facts;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(1_000));
            facts::record(conn, rest).await?;
            rest = tail;
        }
        Ok(())
    })
    .await
}
