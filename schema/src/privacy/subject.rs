//! Who a privacy request is about: the person named by an e-mail address, a phone number or one
//! of their leads, and everything of the workshop's that holds their data (their leads and the
//! conversations they wrote in).

use async_graphql::ID;
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::accounts::validate::email_problem;
use crate::auth::Tenant;
use crate::error::{ApiResult, UserErrorCode, UserErrors};
use crate::ids::{self, NodeType};

/// How a request names the person, checked.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// Lower case.
    pub email: Option<String>,
    /// As typed; matched by its digits (`carbot_phone_key`).
    pub phone: Option<String>,
    pub lead_id: Option<Uuid>,
}

fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl Identity {
    /// The identity of the input, or what is wrong with it (at least one way to name the person).
    pub fn parse(
        email: Option<String>,
        phone: Option<String>,
        lead_id: Option<ID>,
    ) -> Result<Self, UserErrors> {
        let mut errors = UserErrors::default();
        let email = given(email).map(|e| e.to_lowercase());
        if let Some(problem) = email.as_deref().and_then(email_problem) {
            errors.push(&["email"], UserErrorCode::Invalid, problem);
        }
        let phone = given(phone);
        if phone
            .as_deref()
            .is_some_and(|p| p.chars().filter(char::is_ascii_digit).count() < 5)
        {
            errors.push(
                &["phone"],
                UserErrorCode::Invalid,
                "Bitte eine Telefonnummer mit mindestens fünf Ziffern angeben.",
            );
        }
        let lead_id = match lead_id {
            Some(id) => match ids::decode(NodeType::Lead, &id) {
                Some(id) => Some(id),
                None => {
                    errors.push(
                        &["leadId"],
                        UserErrorCode::NotFound,
                        "Diese Anfrage gibt es nicht.",
                    );
                    None
                }
            },
            None => None,
        };
        if email.is_none() && phone.is_none() && lead_id.is_none() && errors.is_empty() {
            for field in ["email", "phone"] {
                errors.push(
                    &[field],
                    UserErrorCode::Required,
                    "Bitte E-Mail-Adresse oder Telefonnummer der Person angeben.",
                );
            }
        }
        if errors.is_empty() {
            Ok(Self {
                email,
                phone,
                lead_id,
            })
        } else {
            Err(errors)
        }
    }
}

/// The workshop's records about one person.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    pub leads: Vec<Uuid>,
    pub conversations: Vec<Uuid>,
}

impl Subject {
    pub fn is_empty(&self) -> bool {
        self.leads.is_empty() && self.conversations.is_empty()
    }

    /// One conversation and the leads sent from it (a visitor deleting their chat).
    pub async fn of_conversation(
        conn: &mut AsyncPgConnection,
        tenant: Tenant,
        conversation_id: Uuid,
    ) -> ApiResult<Self> {
        use crate::db::schema::leads;
        let leads = tenant
            .leads()
            .filter(leads::conversation_id.eq(conversation_id))
            .select(leads::id)
            .load(conn)
            .await?;
        Ok(Self {
            leads,
            conversations: vec![conversation_id],
        })
    }
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    lead_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    conversation_id: Option<Uuid>,
}

/// The person's leads (by address, number or id) and the conversations they wrote in: those of
/// their leads, and those whose visitor messages contain their e-mail address.
pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    identity: &Identity,
) -> ApiResult<Subject> {
    let rows: Vec<Found> = diesel::sql_query(
        "SELECT id AS lead_id, conversation_id FROM leads
         WHERE workshop_id = $1
           AND (id = $2 OR lower(email) = $3 OR carbot_phone_key(phone) = carbot_phone_key($4))
         UNION
         SELECT DISTINCT NULL::uuid, conversation_id FROM messages
         WHERE workshop_id = $1 AND role = 'VISITOR' AND $3 IS NOT NULL AND strpos(lower(body), $3) > 0",
    )
    .bind::<SqlUuid, _>(tenant.workshop_id())
    .bind::<Nullable<SqlUuid>, _>(identity.lead_id)
    .bind::<Nullable<Text>, _>(identity.email.as_deref())
    .bind::<Nullable<Text>, _>(identity.phone.as_deref())
    .load(conn)
    .await?;
    let mut subject = Subject::default();
    for row in rows {
        if let Some(id) = row.lead_id
            && !subject.leads.contains(&id)
        {
            subject.leads.push(id);
        }
        if let Some(id) = row.conversation_id
            && !subject.conversations.contains(&id)
        {
            subject.conversations.push(id);
        }
    }
    subject.leads.sort();
    subject.conversations.sort();
    Ok(subject)
}

/// The names, addresses and numbers the subject's leads hold, to find them in e-mails.
#[derive(QueryableByName)]
pub struct Needles {
    #[diesel(sql_type = Array<Text>)]
    pub texts: Vec<String>,
}

pub async fn needles(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    subject: &Subject,
) -> ApiResult<Vec<String>> {
    let found: Needles = diesel::sql_query(
        "SELECT coalesce(array_agg(DISTINCT t) FILTER (WHERE length(t) >= 3), '{}') AS texts
         FROM leads, unnest(ARRAY[name, email, phone]) AS t
         WHERE workshop_id = $1 AND id = ANY($2) AND erased_at IS NULL",
    )
    .bind::<SqlUuid, _>(tenant.workshop_id())
    .bind::<Array<SqlUuid>, _>(&subject.leads)
    .get_result(conn)
    .await?;
    Ok(found.texts)
}
