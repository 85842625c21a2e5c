//! `exportLeads`: every lead as CSV, for spreadsheets (Premium and Enterprise).

use async_graphql::{Context, Object, SimpleObject};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::lead::LeadRow;
use crate::auth::ApiScope;
use crate::catalog::csv_io::defuse;
use crate::context::Ctx;
use crate::db::schema::leads;
use crate::error::{ApiError, ApiResult};
use crate::plans::{Entitlements, Feature};

#[derive(SimpleObject)]
pub struct ExportLeadsPayload {
    /// CSV (comma-separated, UTF-8); cells that spreadsheets would run as formulas are defused.
    pub csv: String,
}

#[derive(Default)]
pub struct ExportLeadsMutation;

#[Object]
impl ExportLeadsMutation {
    // All leads as CSV, newest first (Premium and Enterprise).
    async fn export_leads(&self, ctx: &Context<'_>) -> ApiResult<ExportLeadsPayload> {
        let tenant = ctx.principal().tenant(Some(ApiScope::LeadsRead))?;
        crate::limits::export(
            ctx.platform().limiter.as_ref(),
            tenant.workshop_id(),
            ctx.client_ip(),
        )
        .await?;
        let mut conn = ctx.platform().conn().await?;
        Entitlements::load(&mut conn, tenant)
            .await?
            .require(Feature::CsvExport)?;
        let rows: Vec<LeadRow> = tenant
            .leads()
            .select(LeadRow::as_select())
            .order((leads::created_at.desc(), leads::id.desc()))
            .load(&mut conn)
            .await?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        let header = [
            "created_at",
            "status",
            "name",
            "email",
            "phone",
            "vehicle_make",
            "vehicle_model",
            "vehicle_year",
            "preferred_date",
            "estimated_min_cents",
            "estimated_max_cents",
            "message",
            "over_plan_limit",
        ];
        writer.write_record(header).map_err(ApiError::internal)?;
        for row in rows {
            let cells = [
                row.created_at.to_rfc3339(),
                row.status,
                row.name,
                row.email.unwrap_or_default(),
                row.phone.unwrap_or_default(),
                row.vehicle_make.unwrap_or_default(),
                row.vehicle_model.unwrap_or_default(),
                row.vehicle_year.map(|y| y.to_string()).unwrap_or_default(),
                row.preferred_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                row.estimated_min_cents
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                row.estimated_max_cents
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                row.message.unwrap_or_default(),
                row.over_plan_limit.to_string(),
            ];
            writer
                .write_record(cells.iter().map(|c| defuse(c)))
                .map_err(ApiError::internal)?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| ApiError::internal(e.into_error()))?;
        Ok(ExportLeadsPayload {
            csv: String::from_utf8(bytes).map_err(ApiError::internal)?,
        })
    }
}
