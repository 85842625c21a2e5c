//! Privacy (DSGVO): a person's data exported (`exportContactData`) and erased (`eraseContact`,
//! `withdrawLeadConsent`), a visitor's own chat downloaded and deleted from the widget
//! (`visitorConversationExport`, `deleteVisitorConversation`), retention per workshop
//! (`privacySettings`, the daily [`retention`] job), and the audit log of all of it. Where
//! personal data lives is mapped in the README ("Where personal data lives"); [`erase`] visits
//! every place on that map.

pub mod audit;
pub mod erase;
pub mod export;
pub mod retention;
pub mod settings;
pub mod subject;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use self::audit::{Actor, AuditRow, PrivacyAction, PrivacyAuditEntry};
use self::erase::Erased;
use self::settings::{PrivacyChange, PrivacySettings, UpdatePrivacySettingsInput};
use self::subject::{Identity, Subject};
use crate::context::Ctx;
use crate::db::schema::{leads, privacy_audit};
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode};
use crate::ids::{self, NodeType};
use crate::pagination::{Page, PageInfo, edges};

/// Exports and erasures an owner may start per hour (each reads or rewrites many rows).
const REQUESTS_PER_HOUR: u32 = 60;

#[derive(InputObject)]
pub struct ExportContactDataInput {
    pub email: Option<String>,
    pub phone: Option<String>,
    /// One of the person's requests, when neither address nor number is known.
    pub lead_id: Option<ID>,
}

#[derive(SimpleObject, Default)]
pub struct ExportContactDataPayload {
    /// The export document (`carbot.contact-export/1`, see the README), as JSON text.
    pub json: Option<String>,
    /// The same content as a readable German summary, for the letter to the person.
    pub summary: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct EraseContactInput {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lead_id: Option<ID>,
}

#[derive(SimpleObject, Default)]
pub struct EraseContactPayload {
    /// How many records of each kind were erased (zero everywhere when nothing matched).
    pub erased: Option<Erased>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct WithdrawLeadConsentInput {
    pub lead_id: ID,
}

#[derive(InputObject)]
pub struct DeleteVisitorConversationInput {
    pub conversation_id: ID,
}

#[derive(SimpleObject)]
pub struct UpdatePrivacySettingsPayload {
    pub privacy_settings: Option<PrivacySettings>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct PrivacyAuditEdge {
    pub cursor: String,
    pub node: PrivacyAuditEntry,
}

#[derive(SimpleObject)]
pub struct PrivacyAuditConnection {
    pub edges: Vec<PrivacyAuditEdge>,
    pub page_info: PageInfo,
}

impl EraseContactPayload {
    fn of(result: Result<Erased, UserError>) -> Self {
        match result {
            Ok(erased) => Self {
                erased: Some(erased),
                user_errors: vec![],
            },
            Err(error) => Self {
                erased: None,
                user_errors: vec![error],
            },
        }
    }
}

/// Erases `subject` and records who did it and how much, in the caller's transaction; returns
/// the counts and the events that announce the erasure.
async fn erase_recorded(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant: crate::auth::Tenant,
    actor: Actor,
    action: PrivacyAction,
    subject: &Subject,
) -> ApiResult<(Erased, Vec<crate::events::Event>)> {
    let erasure = erase::erase(conn, tenant, subject).await?;
    audit::record(conn, tenant, actor, action, erasure.counts).await?;
    Ok((erasure.counts, erasure.events))
}

#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// The workshop's retention settings and privacy notice (owners).
    async fn privacy_settings(&self, ctx: &Context<'_>) -> ApiResult<PrivacySettings> {
        let tenant = ctx.principal().owner()?.tenant;
        let mut conn = ctx.platform().conn().await?;
        settings::load(&mut conn, tenant).await
    }

    /// Exports, erasures and retention runs, newest first (owners).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn privacy_audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<PrivacyAuditConnection> {
        let tenant = ctx.principal().owner()?.tenant;
        let page = Page::new(first, after)?;
        let mut conn = ctx.platform().conn().await?;
        let mut query = tenant
            .privacy_audit()
            .order((privacy_audit::created_at.desc(), privacy_audit::id.desc()))
            .limit(page.limit())
            .select(AuditRow::as_select())
            .into_boxed();
        if let Some((at, id)) = page.after {
            query = query.filter(
                privacy_audit::created_at
                    .lt(at)
                    .or(privacy_audit::created_at
                        .eq(at)
                        .and(privacy_audit::id.lt(id))),
            );
        }
        let rows: Vec<AuditRow> = query.load(&mut conn).await?;
        let (edges, page_info) = edges(&page, rows, |r| (r.created_at, r.id));
        Ok(PrivacyAuditConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, row)| PrivacyAuditEdge {
                    cursor,
                    node: PrivacyAuditEntry(row),
                })
                .collect(),
            page_info,
        })
    }

    /// The visitor's own conversation and the requests sent from it, as the same JSON document
    /// as `exportContactData` (the widget's "Chat herunterladen").
    async fn visitor_conversation_export(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
    ) -> ApiResult<String> {
        let (tenant, id) = ctx.principal().visitor_conversation(
            ids::decode(NodeType::Conversation, &conversation_id),
            "This is the visitor's own download; the workshop uses exportContactData.",
        )?;
        let mut conn = ctx.platform().conn().await?;
        let subject = Subject::of_conversation(&mut conn, tenant, id).await?;
        let request = export::request(&Identity::default(), Some(id));
        let document = export::collect(&mut conn, tenant, &subject, request).await?;
        serde_json::to_string_pretty(&document).map_err(ApiError::internal)
    }
}

#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// Everything the workshop holds about a person (Art. 15 DSGVO), as JSON and as a German
    /// summary; recorded in the privacy audit log (owners).
    async fn export_contact_data(
        &self,
        ctx: &Context<'_>,
        input: ExportContactDataInput,
    ) -> ApiResult<ExportContactDataPayload> {
        let member = ctx.principal().owner()?;
        let identity = match Identity::parse(input.email, input.phone, input.lead_id) {
            Ok(identity) => identity,
            Err(errors) => {
                return Ok(ExportContactDataPayload {
                    user_errors: errors.into_vec(),
                    ..Default::default()
                });
            }
        };
        let platform = ctx.platform();
        platform
            .limit(
                &format!("privacy:{}", member.tenant.workshop_id()),
                REQUESTS_PER_HOUR,
                crate::limits::HOUR,
            )
            .await?;
        let mut conn = platform.conn().await?;
        let tenant = member.tenant;
        let subject = subject::find(&mut conn, tenant, &identity).await?;
        if let Some(id) = identity.lead_id
            && !subject.leads.contains(&id)
        {
            return Ok(ExportContactDataPayload {
                user_errors: vec![crate::leads::lead::lead_not_found()],
                ..Default::default()
            });
        }
        let document = export::collect(
            &mut conn,
            tenant,
            &subject,
            export::request(&identity, None),
        )
        .await?;
        let json = serde_json::to_string_pretty(&document).map_err(ApiError::internal)?;
        let counts = serde_json::json!({
            "leads": document.leads.len(),
            "conversations": document.conversations.len(),
            "emails": document.emails.len(),
        });
        audit::record(
            &mut conn,
            tenant,
            Actor::User(member.user_id),
            PrivacyAction::Export,
            counts,
        )
        .await?;
        Ok(ExportContactDataPayload {
            summary: Some(document.summary()),
            json: Some(json),
            user_errors: vec![],
        })
    }

    /// Erases a person's data everywhere the workshop holds it (Art. 17 DSGVO), in one
    /// transaction; what KPIs count stays, anonymous. Recorded in the audit log (owners).
    async fn erase_contact(
        &self,
        ctx: &Context<'_>,
        input: EraseContactInput,
    ) -> ApiResult<EraseContactPayload> {
        let member = ctx.principal().owner()?;
        let identity = match Identity::parse(input.email, input.phone, input.lead_id) {
            Ok(identity) => identity,
            Err(errors) => {
                return Ok(EraseContactPayload {
                    erased: None,
                    user_errors: errors.into_vec(),
                });
            }
        };
        let platform = ctx.platform();
        platform
            .limit(
                &format!("privacy:{}", member.tenant.workshop_id()),
                REQUESTS_PER_HOUR,
                crate::limits::HOUR,
            )
            .await?;
        let tenant = member.tenant;
        let conn = platform.conn().await?;
        let erased = platform
            .commit(conn, tenant, async |conn| {
                let subject = subject::find(conn, tenant, &identity).await?;
                if let Some(id) = identity.lead_id
                    && !subject.leads.contains(&id)
                {
                    return Ok((Err(crate::leads::lead::lead_not_found()), vec![]));
                }
                let actor = Actor::User(member.user_id);
                let (erased, events) =
                    erase_recorded(conn, tenant, actor, PrivacyAction::Erase, &subject).await?;
                Ok((Ok(erased), events))
            })
            .await?;
        Ok(EraseContactPayload::of(erased))
    }

    /// Records that the person behind a lead withdrew their consent; the lead's contact data
    /// and its conversation are erased at once (owners).
    async fn withdraw_lead_consent(
        &self,
        ctx: &Context<'_>,
        input: WithdrawLeadConsentInput,
    ) -> ApiResult<EraseContactPayload> {
        let member = ctx.principal().owner()?;
        let tenant = member.tenant;
        let Some(lead_id) = ids::decode(NodeType::Lead, &input.lead_id) else {
            return Ok(EraseContactPayload::of(Err(
                crate::leads::lead::lead_not_found(),
            )));
        };
        let platform = ctx.platform();
        let conn = platform.conn().await?;
        let erased = platform
            .commit(conn, tenant, async |conn| {
                let withdrawn_at: Option<Option<DateTime<Utc>>> = tenant
                    .leads()
                    .filter(leads::id.eq(lead_id))
                    .select(leads::consent_withdrawn_at)
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                match withdrawn_at {
                    None => return Ok((Err(crate::leads::lead::lead_not_found()), vec![])),
                    Some(Some(_)) => {
                        let refused = UserError::new(
                            &["leadId"],
                            UserErrorCode::InvalidTransition,
                            "Die Einwilligung ist bereits widerrufen.",
                        );
                        return Ok((Err(refused), vec![]));
                    }
                    Some(None) => {}
                }
                diesel::update(tenant.leads().filter(leads::id.eq(lead_id)))
                    .set(leads::consent_withdrawn_at.eq(Utc::now()))
                    .execute(conn)
                    .await?;
                let subject = Subject {
                    leads: vec![lead_id],
                    conversations: vec![],
                };
                let actor = Actor::User(member.user_id);
                let (erased, events) = erase_recorded(
                    conn,
                    tenant,
                    actor,
                    PrivacyAction::WithdrawConsent,
                    &subject,
                )
                .await?;
                Ok((Ok(erased), events))
            })
            .await?;
        Ok(EraseContactPayload::of(erased))
    }

    /// The visitor deletes their own chat from the widget ("Chat löschen"): the same erasure as
    /// the workshop's, for this conversation and the requests sent from it. The visitor token
    /// is good for nothing afterwards.
    async fn delete_visitor_conversation(
        &self,
        ctx: &Context<'_>,
        input: DeleteVisitorConversationInput,
    ) -> ApiResult<EraseContactPayload> {
        let (tenant, id) = ctx.principal().visitor_conversation(
            ids::decode(NodeType::Conversation, &input.conversation_id),
            "This is the visitor's own deletion; the workshop uses eraseContact.",
        )?;
        let platform = ctx.platform();
        let conn = platform.conn().await?;
        let erased = platform
            .commit(conn, tenant, async |conn| {
                let subject = Subject::of_conversation(conn, tenant, id).await?;
                erase_recorded(
                    conn,
                    tenant,
                    Actor::Visitor,
                    PrivacyAction::VisitorDelete,
                    &subject,
                )
                .await
            })
            .await?;
        // The conversation's open connections (the visitor's other tabs) end.
        ctx.platform().access_changed(tenant).await;
        Ok(EraseContactPayload::of(Ok(erased)))
    }

    /// Retention periods and the privacy notice's address (owners).
    async fn update_privacy_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdatePrivacySettingsInput,
    ) -> ApiResult<UpdatePrivacySettingsPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let change = match PrivacyChange::parse(input) {
            Ok(change) => change,
            Err(errors) => {
                return Ok(UpdatePrivacySettingsPayload {
                    privacy_settings: None,
                    user_errors: errors.into_vec(),
                });
            }
        };
        let mut conn = ctx.platform().conn().await?;
        change.apply(&mut conn, tenant).await?;
        Ok(UpdatePrivacySettingsPayload {
            privacy_settings: Some(settings::load(&mut conn, tenant).await?),
            user_errors: vec![],
        })
    }
}
