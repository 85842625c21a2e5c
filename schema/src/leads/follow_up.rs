//! The workshop's follow-up on a lead: moving it along the pipeline and adding notes.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::lead::{Lead, LeadNote, LeadPayload, LeadRow, LeadStatus, NoteRow, lead_not_found};
use crate::auth::ApiScope;
use crate::context::Ctx;
use crate::db::schema::{lead_notes, leads};
use crate::error::{ApiResult, UserError, UserErrorCode};
use crate::events::{Event, LeadChange};
use crate::facts::{self, Answered, Fact};
use crate::ids::{self, NodeType};

const MAX_NOTE: usize = 5_000;

#[derive(InputObject)]
pub struct UpdateLeadStatusInput {
    pub lead_id: ID,
    pub status: LeadStatus,
}

#[derive(InputObject)]
pub struct AddLeadNoteInput {
    pub lead_id: ID,
    pub body: String,
}

#[derive(SimpleObject)]
pub struct AddLeadNotePayload {
    pub note: Option<LeadNote>,
    pub lead: Option<Lead>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct FollowUpMutation;

#[Object]
impl FollowUpMutation {
    async fn update_lead_status(
        &self,
        ctx: &Context<'_>,
        input: UpdateLeadStatusInput,
    ) -> ApiResult<LeadPayload> {
        let tenant = ctx.principal().tenant(Some(ApiScope::LeadsWrite))?;
        let Some(id) = ids::decode(NodeType::Lead, &input.lead_id) else {
            return Ok(LeadPayload {
                lead: None,
                user_errors: vec![lead_not_found()],
            });
        };
        let platform = ctx.platform();
        let conn = platform.conn().await?;
        let next = input.status;
        let result = platform
            .commit(conn, tenant, async move |conn| {
                let current: Option<String> = tenant
                    .leads()
                    .filter(leads::id.eq(id))
                    .select(leads::status)
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                let Some(current) = current else {
                    return Ok((Err(lead_not_found()), vec![]));
                };
                let current = LeadStatus::parse(&current);
                if !current.may_become(next) {
                    let refused = UserError::new(
                        &["status"],
                        UserErrorCode::InvalidTransition,
                        format!(
                            "Eine Anfrage im Status {} kann nicht zu {} wechseln.",
                            current.as_str(),
                            next.as_str()
                        ),
                    );
                    return Ok((Err(refused), vec![]));
                }
                let row: LeadRow = diesel::update(leads::table.find(id))
                    .set((
                        leads::status.eq(next.as_str()),
                        leads::updated_at.eq(Utc::now()),
                    ))
                    .returning(LeadRow::as_returning())
                    .get_result(conn)
                    .await?;
                let changed = Fact::lead_status_changed(row.place(tenant), row.id, next.as_str());
                facts::record(conn, vec![changed]).await?;
                facts::first_response(conn, tenant, Answered::Lead(row.id), row.updated_at).await?;
                let updated = Event::LeadUpdated {
                    lead_id: row.id,
                    conversation_id: row.conversation_id,
                    change: LeadChange::Status,
                };
                Ok((Ok(row), vec![updated]))
            })
            .await?;
        Ok(match result {
            Ok(row) => LeadPayload {
                lead: Some(Lead { row, tenant }),
                user_errors: vec![],
            },
            Err(error) => LeadPayload {
                lead: None,
                user_errors: vec![error],
            },
        })
    }

    async fn add_lead_note(
        &self,
        ctx: &Context<'_>,
        input: AddLeadNoteInput,
    ) -> ApiResult<AddLeadNotePayload> {
        let principal = ctx.principal();
        let tenant = principal.tenant(Some(ApiScope::LeadsWrite))?;
        let author = principal.member().ok().map(|m| m.user_id);
        let refused = |error| AddLeadNotePayload {
            note: None,
            lead: None,
            user_errors: vec![error],
        };
        let body = input.body.trim().to_owned();
        if body.is_empty() {
            return Ok(refused(UserError::new(
                &["body"],
                UserErrorCode::Required,
                "Bitte eine Notiz eingeben.",
            )));
        }
        if body.chars().count() > MAX_NOTE {
            return Ok(refused(UserError::new(
                &["body"],
                UserErrorCode::TooLong,
                format!("Höchstens {MAX_NOTE} Zeichen."),
            )));
        }
        let Some(id) = ids::decode(NodeType::Lead, &input.lead_id) else {
            return Ok(refused(lead_not_found()));
        };
        let platform = ctx.platform();
        let conn = platform.conn().await?;
        let result = platform
            .commit(conn, tenant, async move |conn| {
                let lead: Option<LeadRow> = diesel::update(tenant.leads().filter(leads::id.eq(id)))
                    .set(leads::updated_at.eq(Utc::now()))
                    .returning(LeadRow::as_returning())
                    .get_result(conn)
                    .await
                    .optional()?;
                let Some(lead) = lead else {
                    return Ok((None, vec![]));
                };
                let note: NoteRow = diesel::insert_into(lead_notes::table)
                    .values((
                        lead_notes::id.eq(Uuid::now_v7()),
                        lead_notes::lead_id.eq(id),
                        lead_notes::workshop_id.eq(tenant.workshop_id()),
                        lead_notes::author_id.eq(author),
                        lead_notes::body.eq(body),
                    ))
                    .returning(NoteRow::as_returning())
                    .get_result(conn)
                    .await?;
                facts::first_response(conn, tenant, Answered::Lead(lead.id), note.created_at)
                    .await?;
                let updated = Event::LeadUpdated {
                    lead_id: lead.id,
                    conversation_id: lead.conversation_id,
                    change: LeadChange::Note,
                };
                Ok((Some((lead, note)), vec![updated]))
            })
            .await?;
        let Some((lead, note)) = result else {
            return Ok(refused(lead_not_found()));
        };
        Ok(AddLeadNotePayload {
            note: Some(LeadNote(note)),
            lead: Some(Lead { row: lead, tenant }),
            user_errors: vec![],
        })
    }
}
