//! Erasure: a person's data removed from every place that holds it (the map is in the README,
//! "Where personal data lives"), inside the caller's transaction. What the workshop's numbers
//! count stays: a lead keeps its status, services, estimate and dates; a conversation and its
//! messages stay as rows whose text is a marker. So KPIs of a period do not change when a person
//! of that period is erased.

use async_graphql::SimpleObject;
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::subject::{Subject, needles};
use crate::auth::Tenant;
use crate::db::schema::leads;
use crate::error::ApiResult;
use crate::events::{Event, LeadChange};

/// What an erased text reads.
pub const ERASED: &str = "[gelöscht]";

/// How many records of each kind an erasure changed.
#[derive(SimpleObject, Serialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Erased {
    /// Leads whose contact data, vehicle and message were removed.
    pub leads: i32,
    /// Conversations whose page address was removed and whose messages were erased.
    pub conversations: i32,
    /// Messages whose text was replaced by a marker.
    pub messages: i32,
    /// Notes of the workshop on those leads, deleted.
    pub notes: i32,
    /// E-mails in the outbox about the person, emptied (and not sent when still waiting).
    pub emails: i32,
}

impl Erased {
    pub fn add(&mut self, other: Self) {
        self.leads += other.leads;
        self.conversations += other.conversations;
        self.messages += other.messages;
        self.notes += other.notes;
        self.emails += other.emails;
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

fn count(rows: usize) -> i32 {
    i32::try_from(rows).unwrap_or(i32::MAX)
}

/// What an erasure did: its counts, and the events that tell open screens, subscribers and
/// integrators (a lead's `lead.updated` with change `ERASED`, a conversation's
/// `conversation.erased`), to be stored in the same transaction.
pub struct Erasure {
    pub counts: Erased,
    pub events: Vec<Event>,
}

#[derive(QueryableByName)]
struct ErasedLead {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    conversation_id: Option<Uuid>,
}

#[derive(QueryableByName)]
struct ErasedConversation {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Erases the subject's personal data; call inside a transaction. Already erased records are
/// not counted (nor announced) again.
pub async fn erase(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    subject: &Subject,
) -> ApiResult<Erasure> {
    if subject.is_empty() {
        return Ok(Erasure {
            counts: Erased::default(),
            events: vec![],
        });
    }
    let workshop = tenant.workshop_id();
    // Looked up before the leads are emptied: the texts to find in e-mails.
    let texts = needles(conn, tenant, subject).await?;
    let emails = diesel::sql_query(
        "UPDATE outbox SET subject = $3, body_text = $3, body_html = $3, reply_to = NULL,
                recipient = CASE WHEN recipient = ANY($4) THEN $3 ELSE recipient END,
                status = CASE WHEN status = 'PENDING' THEN 'ERASED' ELSE status END
         WHERE workshop_id = $1 AND body_text <> $3
           AND (lead_id = ANY($2) OR recipient = ANY($4) OR reply_to = ANY($4)
                OR EXISTS (SELECT 1 FROM unnest($4) AS t(text)
                           WHERE strpos(outbox.subject, t.text) > 0 OR strpos(outbox.body_text, t.text) > 0))",
    )
    .bind::<SqlUuid, _>(workshop)
    .bind::<Array<SqlUuid>, _>(&subject.leads)
    .bind::<Text, _>(ERASED)
    .bind::<Array<Text>, _>(&texts)
    .execute(conn)
    .await?;
    let notes =
        diesel::sql_query("DELETE FROM lead_notes WHERE workshop_id = $1 AND lead_id = ANY($2)")
            .bind::<SqlUuid, _>(workshop)
            .bind::<Array<SqlUuid>, _>(&subject.leads)
            .execute(conn)
            .await?;
    // The consent stays as the fact that it was given (when, to which text version), without
    // the address it came from.
    let leads: Vec<ErasedLead> = diesel::sql_query(
        "UPDATE leads SET name = $3, email = NULL, phone = NULL, vehicle_make = NULL,
                vehicle_model = NULL, vehicle_year = NULL, message = NULL, preferred_date = NULL,
                consent_ip = NULL, source_url = NULL, erased_at = now(), updated_at = now()
         WHERE workshop_id = $1 AND id = ANY($2) AND erased_at IS NULL
         RETURNING id, conversation_id",
    )
    .bind::<SqlUuid, _>(workshop)
    .bind::<Array<SqlUuid>, _>(&subject.leads)
    .bind::<Text, _>(ERASED)
    .load(conn)
    .await?;
    // A lead's conversation is the person's too (also of a lead erased before).
    let linked: Vec<Option<Uuid>> = tenant
        .leads()
        .filter(leads::id.eq_any(&subject.leads))
        .select(leads::conversation_id)
        .load(conn)
        .await?;
    let mut conversations: Vec<Uuid> = linked.into_iter().flatten().collect();
    conversations.extend(subject.conversations.iter().copied());
    conversations.sort();
    conversations.dedup();
    let messages = diesel::sql_query(
        "UPDATE messages SET body = $3
         WHERE workshop_id = $1 AND conversation_id = ANY($2) AND body <> $3",
    )
    .bind::<SqlUuid, _>(workshop)
    .bind::<Array<SqlUuid>, _>(&conversations)
    .bind::<Text, _>(ERASED)
    .execute(conn)
    .await?;
    let erased_conversations: Vec<ErasedConversation> = diesel::sql_query(
        "UPDATE conversations SET page_url = NULL, erased_at = now()
         WHERE workshop_id = $1 AND id = ANY($2) AND erased_at IS NULL
         RETURNING id",
    )
    .bind::<SqlUuid, _>(workshop)
    .bind::<Array<SqlUuid>, _>(&conversations)
    .load(conn)
    .await?;
    let counts = Erased {
        leads: count(leads.len()),
        conversations: count(erased_conversations.len()),
        messages: count(messages),
        notes: count(notes),
        emails: count(emails),
    };
    let events = erased_conversations
        .into_iter()
        .map(|c| Event::ConversationErased {
            conversation_id: c.id,
        })
        .chain(leads.into_iter().map(|lead| Event::LeadUpdated {
            lead_id: lead.id,
            conversation_id: lead.conversation_id,
            change: LeadChange::Erased,
        }))
        .collect();
    Ok(Erasure { counts, events })
}
