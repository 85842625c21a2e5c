//! CSV export and import of the catalog. Import is all-or-nothing by default: every bad row is
//! reported with its line and nothing is written unless all rows are good (`dryRun` only
//! previews; `allOrNothing: false` imports the good rows).

use std::collections::{BTreeMap, HashMap, HashSet};

use async_graphql::{Context, InputObject, Object, SimpleObject};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use super::edit::{ServiceDraft, check};
use super::{ServiceQuery, VehicleClass, find_services, vehicle_prices_from_json};
use crate::auth::{ApiScope, Tenant};
use crate::context::Ctx;
use crate::db::Conn;
use crate::db::schema::{service_categories, services};
use crate::error::{ApiResult, UserError, UserErrorCode, UserErrors};
use crate::locale::{CallerLocale, messages};
use crate::plans::{Entitlements, Feature};

pub const HEADER: [&str; 9] = [
    "category",
    "name",
    "aliases",
    "description",
    "min_cents",
    "max_cents",
    "duration_minutes",
    "vehicle_prices",
    "active",
];
pub const MAX_IMPORT_ROWS: usize = 5_000;
const MAX_ROWS_IN_CATALOG: i64 = 100_000;

/// Spreadsheet programs run cells that start like a formula; such cells are refused on import
/// and defused with a leading apostrophe on export.
fn looks_like_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\n'])
}

/// A cell as every CSV export writes it: a leading apostrophe before anything that looks like a
/// formula, so that a spreadsheet shows it as text.
pub fn defuse(cell: &str) -> String {
    if looks_like_formula(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The catalog as CSV, in catalog order.
pub async fn export(conn: &mut Conn<'_>, tenant: Tenant) -> ApiResult<String> {
    let rows = find_services(
        conn,
        tenant,
        &ServiceQuery::default(),
        MAX_ROWS_IN_CATALOG,
        0,
    )
    .await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| crate::error::ApiError::internal(e);
    writer.write_record(HEADER).map_err(io)?;
    for row in rows {
        let vehicle_prices = vehicle_prices_from_json(&row.vehicle_prices)
            .iter()
            .map(|p| {
                format!(
                    "{}={}-{}",
                    p.vehicle_class.as_str(),
                    p.price.min.amount_cents,
                    p.price.max.amount_cents
                )
            })
            .collect::<Vec<_>>()
            .join("|");
        writer
            .write_record([
                defuse(&row.category_name),
                defuse(&row.name),
                defuse(&row.aliases.join("|")),
                defuse(&row.description),
                row.min_price_cents.to_string(),
                row.max_price_cents.to_string(),
                row.duration_minutes
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                vehicle_prices,
                row.active.to_string(),
            ])
            .map_err(io)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| crate::error::ApiError::internal(e.into_error()))?;
    Ok(String::from_utf8(bytes).unwrap_or_default())
}

#[derive(SimpleObject)]
pub struct ExportServicesPayload {
    /// The catalog as CSV (UTF-8, comma-separated, header line first).
    pub csv: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ImportServicesInput {
    /// CSV with the header `category,name,aliases,description,min_cents,max_cents,duration_minutes,vehicle_prices,active`
    /// (comma or semicolon separated). Rows update the service of the same name in the same
    /// category, or add one.
    pub csv: String,
    /// Check and count, but write nothing.
    pub dry_run: Option<bool>,
    /// `true` (the default): one bad row stops the whole import. `false`: the good rows are
    /// imported and the bad ones reported.
    pub all_or_nothing: Option<bool>,
}

/// A refused row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: i32,
    /// German, as the code writes it: `column: problem`, several joined by `; `.
    pub message: String,
}

/// A refused row.
#[Object]
impl ImportError {
    /// Line in the CSV text, counting the header as line 1.
    async fn line(&self) -> i32 {
        self.line
    }
    /// What is wrong with the line, in the caller's language: `column: problem`, several
    /// joined by `; ` (the column names stay as the header has them).
    async fn message(&self, ctx: &Context<'_>) -> String {
        let locale = ctx
            .data_opt::<CallerLocale>()
            .copied()
            .unwrap_or_default()
            .0;
        self.message
            .split("; ")
            .map(|problem| match problem.split_once(": ") {
                Some((column, rest))
                    if column
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') =>
                {
                    format!("{column}: {}", messages::translate(rest, locale))
                }
                _ => messages::translate(problem, locale).into_owned(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[derive(SimpleObject)]
pub struct ImportServicesPayload {
    /// Rows imported (or, with `dryRun`, that would be).
    pub imported: i32,
    pub errors: Vec<ImportError>,
    pub user_errors: Vec<UserError>,
}

impl ImportServicesPayload {
    fn refused(field: &str, code: UserErrorCode, message: impl Into<String>) -> Self {
        Self {
            imported: 0,
            errors: vec![],
            user_errors: vec![UserError::new(&[field], code, message)],
        }
    }
}

fn parse_vehicle_prices(text: &str) -> Result<BTreeMap<VehicleClass, (i32, i32)>, String> {
    let mut prices = BTreeMap::new();
    for part in text.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        let parsed = part.split_once('=').and_then(|(class, range)| {
            let (min, max) = range.split_once('-')?;
            Some((
                VehicleClass::parse(class.trim())?,
                (min.trim().parse().ok()?, max.trim().parse().ok()?),
            ))
        });
        let (class, range) =
            parsed.ok_or_else(|| format!("vehicle_prices: \"{part}\" ist nicht KLASSE=min-max"))?;
        if prices.insert(class, range).is_some() {
            return Err(format!("vehicle_prices: {} doppelt", class.as_str()));
        }
    }
    Ok(prices)
}

fn parse_cents(column: &str, text: &str) -> Result<i32, String> {
    text.trim()
        .parse::<i32>()
        .map_err(|_| format!("{column}: \"{text}\" ist kein Betrag in Cent"))
}

/// Updates services of the same name in the same category and adds the others.
async fn apply(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant: Tenant,
    drafts: &[ServiceDraft],
) -> Result<(), diesel::result::Error> {
    let existing: HashMap<(Uuid, String), Uuid> = tenant
        .services()
        .filter(services::deleted_at.is_null())
        .select((services::category_id, services::name, services::id))
        .load::<(Uuid, String, Uuid)>(conn)
        .await?
        .into_iter()
        .map(|(category, name, id)| ((category, name.to_lowercase()), id))
        .collect();
    let mut next_sort: i32 = tenant
        .services()
        .select(diesel::dsl::max(services::sort_order))
        .first::<Option<i32>>(conn)
        .await?
        .map_or(0, |s| s + 1);
    for draft in drafts {
        let values = draft.columns();
        match existing.get(&(draft.category_id, draft.name.to_lowercase())) {
            Some(id) => {
                diesel::update(services::table.find(*id))
                    .set(values)
                    .execute(conn)
                    .await?;
            }
            None => {
                diesel::insert_into(services::table)
                    .values((
                        services::id.eq(Uuid::now_v7()),
                        services::workshop_id.eq(tenant.workshop_id()),
                        services::sort_order.eq(next_sort),
                        values,
                    ))
                    .execute(conn)
                    .await?;
                next_sort += 1;
            }
        }
    }
    Ok(())
}

#[derive(Default)]
pub struct CsvMutation;

#[Object]
impl CsvMutation {
    /// Imports services from CSV: all rows or none; `dryRun` only checks.
    async fn import_services(
        &self,
        ctx: &Context<'_>,
        input: ImportServicesInput,
    ) -> ApiResult<ImportServicesPayload> {
        let tenant = ctx.principal().writer(ApiScope::CatalogWrite)?;
        let text = input.csv.strip_prefix('\u{feff}').unwrap_or(&input.csv);
        let first_line = text.lines().next().unwrap_or("");
        let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
            b';'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = match reader.headers() {
            Ok(header) => header.iter().map(|h| h.trim().to_lowercase()).collect(),
            Err(_) => {
                return Ok(ImportServicesPayload::refused(
                    "csv",
                    UserErrorCode::Invalid,
                    "Die CSV-Datei ist nicht lesbar.",
                ));
            }
        };
        if header != HEADER {
            return Ok(ImportServicesPayload::refused(
                "csv",
                UserErrorCode::Invalid,
                format!("Die Kopfzeile muss lauten: {}", HEADER.join(",")),
            ));
        }
        let records: Vec<(i32, Result<csv::StringRecord, csv::Error>)> = reader
            .records()
            .map(|r| {
                let line = match &r {
                    Ok(record) => record.position().map_or(0, |p| p.line()),
                    Err(e) => e.position().map_or(0, |p| p.line()),
                };
                (i32::try_from(line).unwrap_or(i32::MAX), r)
            })
            .collect();
        if records.len() > MAX_IMPORT_ROWS {
            return Ok(ImportServicesPayload::refused(
                "csv",
                UserErrorCode::TooLong,
                format!(
                    "Höchstens {MAX_IMPORT_ROWS} Zeilen je Import ({} erhalten).",
                    records.len()
                ),
            ));
        }
        if records.is_empty() {
            return Ok(ImportServicesPayload::refused(
                "csv",
                UserErrorCode::Required,
                "Die Datei enthält keine Leistungen.",
            ));
        }

        let mut conn = ctx.platform().conn().await?;
        let categories: HashMap<String, Uuid> = tenant
            .service_categories()
            .select((service_categories::name, service_categories::id))
            .load::<(String, Uuid)>(&mut conn)
            .await?
            .into_iter()
            .map(|(name, id)| (name.to_lowercase(), id))
            .collect();

        let mut errors = Vec::new();
        let mut drafts = Vec::new();
        let mut seen = HashSet::new();
        for (line, record) in records {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    errors.push(ImportError {
                        line,
                        message: format!("Zeile nicht lesbar: {error}"),
                    });
                    continue;
                }
            };
            let cell = |i: usize| record.get(i).unwrap_or("").trim();
            let mut problems: Vec<String> = Vec::new();
            if record.len() != HEADER.len() {
                problems.push(format!("{} Spalten statt {}", record.len(), HEADER.len()));
            }
            for (i, column) in HEADER.iter().enumerate() {
                if looks_like_formula(cell(i))
                    && !matches!(*column, "min_cents" | "max_cents" | "duration_minutes")
                {
                    problems.push(format!("{column}: Formeln sind nicht erlaubt"));
                }
            }
            let category_id = categories.get(&cell(0).to_lowercase()).copied();
            if category_id.is_none() {
                problems.push(format!(
                    "category: \"{}\" ist keine Kategorie dieser Werkstatt",
                    cell(0)
                ));
            }
            let min = parse_cents("min_cents", cell(4))
                .map_err(|e| problems.push(e))
                .unwrap_or(0);
            let max = parse_cents("max_cents", cell(5))
                .map_err(|e| problems.push(e))
                .unwrap_or(0);
            let duration = match cell(6) {
                "" => None,
                text => text
                    .parse::<i32>()
                    .map_err(|_| {
                        problems.push(format!("duration_minutes: \"{text}\" ist keine Zahl"))
                    })
                    .ok(),
            };
            let vehicle_prices = parse_vehicle_prices(cell(7))
                .map_err(|e| problems.push(e))
                .unwrap_or_default();
            let active = match cell(8).to_lowercase().as_str() {
                "" | "true" | "ja" | "1" => true,
                "false" | "nein" | "0" => false,
                other => {
                    problems.push(format!("active: \"{other}\" ist weder true noch false"));
                    true
                }
            };
            let mut draft = ServiceDraft {
                category_id: category_id.unwrap_or_default(),
                name: cell(1).to_owned(),
                description: cell(3).to_owned(),
                min_cents: min,
                max_cents: max,
                vehicle_prices,
                duration_minutes: duration,
                aliases: cell(2).split('|').map(str::to_owned).collect(),
                active,
            };
            let mut checks = UserErrors::default();
            check(&mut checks, &mut draft);
            for error in checks.into_vec() {
                let field = error.field.map(|f| f[1..].join(".")).unwrap_or_default();
                problems.push(format!("{field}: {}", error.message));
            }
            if !seen.insert((draft.category_id, draft.name.to_lowercase())) {
                problems.push("name: kommt in dieser Kategorie in der Datei zweimal vor".into());
            }
            if problems.is_empty() {
                drafts.push(draft);
            } else {
                errors.push(ImportError {
                    line,
                    message: problems.join("; "),
                });
            }
        }
        if !errors.is_empty() && input.all_or_nothing != Some(false) {
            return Ok(ImportServicesPayload {
                imported: 0,
                errors,
                user_errors: vec![],
            });
        }
        let imported = i32::try_from(drafts.len()).unwrap_or(i32::MAX);
        if input.dry_run != Some(true) {
            conn.transaction::<_, diesel::result::Error, _>(async |conn| {
                apply(conn, tenant, &drafts).await
            })
            .await?;
        }
        Ok(ImportServicesPayload {
            imported,
            errors,
            user_errors: vec![],
        })
    }

    /// The catalog as CSV (cells that a spreadsheet would run as formulas are defused).
    async fn export_services(&self, ctx: &Context<'_>) -> ApiResult<ExportServicesPayload> {
        let tenant = ctx.principal().tenant(Some(ApiScope::CatalogRead))?;
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
        let csv = export(&mut conn, tenant).await?;
        Ok(ExportServicesPayload {
            csv: Some(csv),
            user_errors: vec![],
        })
    }
}
