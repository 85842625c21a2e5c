//! The data export of one person (Art. 15 DSGVO): everything the workshop holds about them as
//! one JSON document with stable field names (format `carbot.contact-export/1`, documented in
//! the README) and a readable German summary of the same.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use uuid::Uuid;

use super::subject::{Identity, Subject};
use crate::auth::Tenant;
use crate::catalog::services_by_id;
use crate::chat::{ConversationRow, MessageRow};
use crate::db::Conn;
use crate::db::schema::{conversations, lead_notes, leads, messages, outbox, workshops};
use crate::error::ApiResult;
use crate::ids::{self, NodeType};

pub const FORMAT: &str = "carbot.contact-export/1";

#[derive(Queryable, Selectable)]
#[diesel(table_name = leads)]
struct LeadRecord {
    id: Uuid,
    conversation_id: Option<Uuid>,
    status: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    vehicle_make: Option<String>,
    vehicle_model: Option<String>,
    vehicle_year: Option<i32>,
    service_ids: Vec<Uuid>,
    preferred_date: Option<NaiveDate>,
    message: Option<String>,
    consent_text: String,
    consent_text_id: Option<Uuid>,
    consent_locale: Option<String>,
    consent_at: DateTime<Utc>,
    consent_ip: Option<String>,
    consent_withdrawn_at: Option<DateTime<Utc>>,
    source_url: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    erased_at: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = outbox)]
struct MailRecord {
    id: Uuid,
    kind: String,
    recipient: String,
    subject: String,
    body_text: String,
    status: String,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

/// The export document. Field names are a promise: add, never rename.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactExport {
    pub format: &'static str,
    pub generated_at: DateTime<Utc>,
    pub controller: Controller,
    pub request: Request,
    pub leads: Vec<ExportedLead>,
    pub conversations: Vec<ExportedConversation>,
    pub emails: Vec<ExportedEmail>,
}

/// The workshop, which is responsible for the data.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Controller {
    pub workshop_id: String,
    pub name: String,
}

/// What the export was asked for.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lead_id: Option<String>,
    pub conversation_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedLead {
    pub id: String,
    pub status: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub vehicle: ExportedVehicle,
    pub services: Vec<String>,
    pub preferred_date: Option<NaiveDate>,
    pub message: Option<String>,
    pub source_url: Option<String>,
    pub conversation_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub erased_at: Option<DateTime<Utc>>,
    pub consent: ExportedConsent,
    pub notes: Vec<ExportedNote>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedVehicle {
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i32>,
}

/// The consent record: the exact text agreed to, its version, when and from where.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedConsent {
    pub text: String,
    pub version: Option<String>,
    pub locale: Option<String>,
    pub given_at: DateTime<Utc>,
    /// Always `"widget"`: the lead form of the chat widget.
    pub source: &'static str,
    pub ip_address: Option<String>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedNote {
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedConversation {
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub locale: String,
    pub page_url: Option<String>,
    pub erased_at: Option<DateTime<Utc>>,
    pub messages: Vec<ExportedMessage>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedMessage {
    /// `VISITOR`, `ASSISTANT` or `OWNER`.
    pub role: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedEmail {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// What the request named, as the document repeats it.
pub fn request(identity: &Identity, conversation: Option<Uuid>) -> Request {
    Request {
        email: identity.email.clone(),
        phone: identity.phone.clone(),
        lead_id: identity.lead_id.map(|id| ids::encode(NodeType::Lead, id).0),
        conversation_id: conversation.map(|id| ids::encode(NodeType::Conversation, id).0),
    }
}

/// Everything the workshop holds about the subject.
pub async fn collect(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    subject: &Subject,
    request: Request,
) -> ApiResult<ContactExport> {
    let name: String = workshops::table
        .find(tenant.workshop_id())
        .select(workshops::name)
        .first(conn)
        .await?;
    let lead_rows: Vec<LeadRecord> = tenant
        .leads()
        .filter(leads::id.eq_any(&subject.leads))
        .order((leads::created_at, leads::id))
        .select(LeadRecord::as_select())
        .load(conn)
        .await?;
    let notes: Vec<(Uuid, String, DateTime<Utc>)> = tenant
        .lead_notes()
        .filter(lead_notes::lead_id.eq_any(&subject.leads))
        .order((lead_notes::created_at, lead_notes::id))
        .select((
            lead_notes::lead_id,
            lead_notes::body,
            lead_notes::created_at,
        ))
        .load(conn)
        .await?;
    let mut service_ids: Vec<Uuid> = lead_rows
        .iter()
        .flat_map(|l| l.service_ids.iter().copied())
        .collect();
    service_ids.sort();
    service_ids.dedup();
    let services = services_by_id(conn, tenant, &service_ids).await?;
    let mut conversation_ids: Vec<Uuid> = lead_rows
        .iter()
        .filter_map(|l| l.conversation_id)
        .chain(subject.conversations.iter().copied())
        .collect();
    conversation_ids.sort();
    conversation_ids.dedup();
    let conversation_rows: Vec<(ConversationRow, Option<DateTime<Utc>>)> = tenant
        .conversations()
        .filter(conversations::id.eq_any(&conversation_ids))
        .order((conversations::created_at, conversations::id))
        .select((ConversationRow::as_select(), conversations::erased_at))
        .load(conn)
        .await?;
    let message_rows: Vec<MessageRow> = tenant
        .messages()
        .filter(messages::conversation_id.eq_any(&conversation_ids))
        .order((messages::created_at, messages::id))
        .select(MessageRow::as_select())
        .load(conn)
        .await?;
    let addresses: Vec<String> = lead_rows
        .iter()
        .filter_map(|l| l.email.clone())
        .chain(request.email.clone())
        .collect();
    let mails: Vec<MailRecord> = outbox::table
        .filter(outbox::workshop_id.eq(tenant.workshop_id()))
        .filter(
            outbox::lead_id
                .eq_any(&subject.leads)
                .or(outbox::recipient.eq_any(&addresses))
                .or(outbox::reply_to.eq_any(&addresses)),
        )
        .order((outbox::created_at, outbox::id))
        .select(MailRecord::as_select())
        .load(conn)
        .await?;
    let leads = lead_rows
        .into_iter()
        .map(|l| ExportedLead {
            id: ids::encode(NodeType::Lead, l.id).0,
            status: l.status,
            name: l.name,
            email: l.email,
            phone: l.phone,
            vehicle: ExportedVehicle {
                make: l.vehicle_make,
                model: l.vehicle_model,
                year: l.vehicle_year,
            },
            services: l
                .service_ids
                .iter()
                .filter_map(|id| services.iter().find(|s| s.id == *id))
                .map(|s| s.name.clone())
                .collect(),
            preferred_date: l.preferred_date,
            message: l.message,
            source_url: l.source_url,
            conversation_id: l
                .conversation_id
                .map(|id| ids::encode(NodeType::Conversation, id).0),
            created_at: l.created_at,
            updated_at: l.updated_at,
            erased_at: l.erased_at,
            consent: ExportedConsent {
                text: l.consent_text,
                version: l
                    .consent_text_id
                    .map(|id| ids::encode(NodeType::ConsentVersion, id).0),
                locale: l.consent_locale,
                given_at: l.consent_at,
                source: "widget",
                ip_address: l.consent_ip,
                withdrawn_at: l.consent_withdrawn_at,
            },
            notes: notes
                .iter()
                .filter(|(lead, _, _)| *lead == l.id)
                .map(|(_, body, created_at)| ExportedNote {
                    body: body.clone(),
                    created_at: *created_at,
                })
                .collect(),
        })
        .collect();
    let conversations = conversation_rows
        .into_iter()
        .map(|(c, erased_at)| ExportedConversation {
            id: ids::encode(NodeType::Conversation, c.id).0,
            started_at: c.created_at,
            locale: c.locale,
            page_url: c.page_url,
            erased_at,
            messages: message_rows
                .iter()
                .filter(|m| m.conversation_id == c.id)
                .map(|m| ExportedMessage {
                    role: m.role.clone(),
                    body: m.body.clone(),
                    created_at: m.created_at,
                })
                .collect(),
        })
        .collect();
    let emails = mails
        .into_iter()
        .map(|m| ExportedEmail {
            id: m.id.to_string(),
            kind: m.kind,
            recipient: m.recipient,
            subject: m.subject,
            body_text: m.body_text,
            status: m.status,
            created_at: m.created_at,
            sent_at: m.sent_at,
        })
        .collect();
    Ok(ContactExport {
        format: FORMAT,
        generated_at: Utc::now(),
        controller: Controller {
            workshop_id: ids::encode(NodeType::Workshop, tenant.workshop_id()).0,
            name,
        },
        request,
        leads,
        conversations,
        emails,
    })
}

fn date(at: DateTime<Utc>) -> String {
    at.format("%d.%m.%Y %H:%M UTC").to_string()
}

fn status_de(status: &str) -> &'static str {
    match status {
        "CONTACTED" => "kontaktiert",
        "QUOTED" => "Angebot erstellt",
        "BOOKED" => "Termin vereinbart",
        "WON" => "gewonnen",
        "LOST" => "verloren",
        _ => "neu",
    }
}

fn role_de(role: &str) -> &'static str {
    match role {
        "ASSISTANT" => "Assistent",
        "OWNER" => "Werkstatt",
        _ => "Besucher",
    }
}

impl ContactExport {
    /// The same content as a readable German letter-style summary.
    pub fn summary(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Auskunft über gespeicherte personenbezogene Daten (Art. 15 DSGVO)"
        );
        let _ = writeln!(out, "Verantwortlich: {}", self.controller.name);
        let _ = writeln!(out, "Erstellt am: {}", date(self.generated_at));
        let named: Vec<String> = [
            self.request.email.as_ref().map(|e| format!("E-Mail {e}")),
            self.request.phone.as_ref().map(|p| format!("Telefon {p}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !named.is_empty() {
            let _ = writeln!(out, "Angefragt für: {}", named.join(", "));
        }
        if self.leads.is_empty() && self.conversations.is_empty() && self.emails.is_empty() {
            let _ = writeln!(out, "\nZu diesen Angaben sind keine Daten gespeichert.");
            return out;
        }
        let _ = writeln!(out, "\nAnfragen ({}):", self.leads.len());
        for lead in &self.leads {
            let _ = writeln!(
                out,
                "- {} – {} (Status: {})",
                date(lead.created_at),
                lead.name,
                status_de(&lead.status)
            );
            if let Some(email) = &lead.email {
                let _ = writeln!(out, "  E-Mail: {email}");
            }
            if let Some(phone) = &lead.phone {
                let _ = writeln!(out, "  Telefon: {phone}");
            }
            let vehicle: Vec<String> = [
                lead.vehicle.make.clone(),
                lead.vehicle.model.clone(),
                lead.vehicle.year.map(|y| format!("Baujahr {y}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !vehicle.is_empty() {
                let _ = writeln!(out, "  Fahrzeug: {}", vehicle.join(" "));
            }
            if !lead.services.is_empty() {
                let _ = writeln!(out, "  Leistungen: {}", lead.services.join(", "));
            }
            if let Some(date) = lead.preferred_date {
                let _ = writeln!(out, "  Wunschtermin: {}", date.format("%d.%m.%Y"));
            }
            if let Some(message) = &lead.message {
                let _ = writeln!(out, "  Nachricht: {message}");
            }
            let _ = writeln!(
                out,
                "  Einwilligung am {}: „{}“",
                date(lead.consent.given_at),
                lead.consent.text
            );
            if let Some(at) = lead.consent.withdrawn_at {
                let _ = writeln!(out, "  Einwilligung widerrufen am {}", date(at));
            }
            for note in &lead.notes {
                let _ = writeln!(out, "  Notiz ({}): {}", date(note.created_at), note.body);
            }
        }
        let _ = writeln!(out, "\nChat-Gespräche ({}):", self.conversations.len());
        for conversation in &self.conversations {
            let _ = writeln!(
                out,
                "- begonnen am {}{}",
                date(conversation.started_at),
                conversation
                    .page_url
                    .as_ref()
                    .map(|u| format!(" auf {u}"))
                    .unwrap_or_default()
            );
            for message in &conversation.messages {
                let _ = writeln!(
                    out,
                    "  [{}] {}: {}",
                    date(message.created_at),
                    role_de(&message.role),
                    message.body
                );
            }
        }
        let _ = writeln!(out, "\nE-Mails zu diesen Anfragen ({}):", self.emails.len());
        for email in &self.emails {
            let _ = writeln!(
                out,
                "- {} an {}: {}",
                date(email.created_at),
                email.recipient,
                email.subject
            );
        }
        out
    }
}
