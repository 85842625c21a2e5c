//! The standard German catalog every new workshop starts from (`standard_catalog.csv`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::VehicleClass;
use crate::auth::Tenant;
use crate::db::schema::{service_categories, services};
use crate::locale::Locale;

#[derive(Debug, Clone)]
pub struct StandardService {
    pub category: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub description: String,
    pub min_cents: i32,
    pub max_cents: i32,
    pub duration_minutes: Option<i32>,
    pub vehicle_prices: BTreeMap<VehicleClass, (i32, i32)>,
    /// English, Turkish and Polish: per language the short translation shown to visitors
    /// first, then other phrasings customers use.
    pub translations: Vec<(Locale, Vec<String>)>,
}

impl StandardService {
    /// The aliases a workshop gets: the German ones and every translation.
    pub fn all_aliases(&self) -> Vec<String> {
        let mut all = self.aliases.clone();
        for phrase in self.translations.iter().flat_map(|(_, p)| p) {
            if !all.iter().any(|a| a.eq_ignore_ascii_case(phrase)) {
                all.push(phrase.clone());
            }
        }
        all
    }

    /// The short translation into `locale`.
    pub fn translation(&self, locale: Locale) -> Option<&str> {
        self.translations
            .iter()
            .find(|(l, _)| *l == locale)
            .and_then(|(_, phrases)| <[String]>::first(phrases))
            .map(String::as_str)
    }
}

/// The standard service a workshop's service was installed from, by its standard name.
pub fn by_name(standard_name: &str) -> Option<&'static StandardService> {
    static BY_NAME: LazyLock<std::collections::HashMap<&'static str, usize>> =
        LazyLock::new(|| {
            STANDARD_CATALOG
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.as_str(), i))
                .collect()
        });
    BY_NAME.get(standard_name).map(|i| &STANDARD_CATALOG[*i])
}

#[derive(serde::Deserialize)]
struct Row {
    category: String,
    name: String,
    aliases: String,
    description: String,
    min_cents: i32,
    max_cents: i32,
    duration_minutes: Option<i32>,
    vehicle_prices: String,
    #[serde(default)]
    translations: String,
}

/// `en=oil change;engine oil change|tr=…|pl=…`.
fn parse_translations(text: &str) -> Result<Vec<(Locale, Vec<String>)>, String> {
    text.split('|')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (code, phrases) = part
                .split_once('=')
                .ok_or(format!("bad translation {part}"))?;
            let locale = match code {
                "en" => Locale::En,
                "tr" => Locale::Tr,
                "pl" => Locale::Pl,
                _ => return Err(format!("unknown language {code}")),
            };
            let phrases: Vec<String> = phrases
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect();
            if phrases.is_empty() {
                return Err(format!("no translation for {code}"));
            }
            Ok((locale, phrases))
        })
        .collect()
}

fn parse_vehicle_prices(text: &str) -> Result<BTreeMap<VehicleClass, (i32, i32)>, String> {
    text.split('|')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (class, range) = part
                .split_once('=')
                .ok_or(format!("bad vehicle price {part}"))?;
            let class =
                VehicleClass::parse(class).ok_or(format!("unknown vehicle class {class}"))?;
            let (min, max) = range.split_once('-').ok_or(format!("bad range {range}"))?;
            let min = min.parse().map_err(|_| format!("bad amount {min}"))?;
            let max = max.parse().map_err(|_| format!("bad amount {max}"))?;
            Ok((class, (min, max)))
        })
        .collect()
}

fn parse(csv_text: &str) -> Result<Vec<StandardService>, String> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    reader
        .deserialize::<Row>()
        .enumerate()
        .map(|(index, row)| {
            let row = row.map_err(|e| format!("line {}: {e}", index + 2))?;
            Ok(StandardService {
                vehicle_prices: parse_vehicle_prices(&row.vehicle_prices)
                    .map_err(|e| format!("line {}: {e}", index + 2))?,
                translations: parse_translations(&row.translations)
                    .map_err(|e| format!("line {}: {e}", index + 2))?,
                category: row.category,
                name: row.name,
                aliases: row
                    .aliases
                    .split('|')
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect(),
                description: row.description,
                min_cents: row.min_cents,
                max_cents: row.max_cents,
                duration_minutes: row.duration_minutes,
            })
        })
        .collect()
}

/// The catalog, parsed once. It ships with the binary; a test checks it parses and is sound.
pub static STANDARD_CATALOG: LazyLock<Vec<StandardService>> = LazyLock::new(|| {
    parse(include_str!("standard_catalog.csv")).expect("the standard catalog is valid")
});

/// Installs the standard catalog into the tenant's workshop; services that are already there
/// (by standard name, or by name within their category) are kept as they are. Returns how many
/// services were added.
pub async fn install(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
) -> Result<usize, diesel::result::Error> {
    let workshop_id = tenant.workshop_id();
    let mut categories: Vec<&str> = Vec::new();
    for service in STANDARD_CATALOG.iter() {
        if !categories.contains(&service.category.as_str()) {
            categories.push(&service.category);
        }
    }
    let existing_max: Option<i32> = service_categories::table
        .filter(service_categories::workshop_id.eq(workshop_id))
        .select(diesel::dsl::max(service_categories::sort_order))
        .first(conn)
        .await?;
    let base = existing_max.map_or(0, |m| m + 1);
    let new_categories: Vec<_> = categories
        .iter()
        .enumerate()
        .map(|(i, name)| {
            (
                service_categories::id.eq(Uuid::now_v7()),
                service_categories::workshop_id.eq(workshop_id),
                service_categories::name.eq(*name),
                service_categories::sort_order.eq(base + i as i32),
            )
        })
        .collect();
    diesel::insert_into(service_categories::table)
        .values(&new_categories)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    let category_ids: BTreeMap<String, Uuid> = service_categories::table
        .filter(service_categories::workshop_id.eq(workshop_id))
        .select((service_categories::name, service_categories::id))
        .load::<(String, Uuid)>(conn)
        .await?
        .into_iter()
        .collect();
    let now = Utc::now();
    let aliases: Vec<Vec<String>> = STANDARD_CATALOG
        .iter()
        .map(StandardService::all_aliases)
        .collect();
    let rows: Vec<_> = STANDARD_CATALOG
        .iter()
        .zip(&aliases)
        .enumerate()
        .filter_map(|(i, (s, aliases))| {
            Some((
                services::id.eq(Uuid::now_v7()),
                services::workshop_id.eq(workshop_id),
                services::category_id.eq(*category_ids.get(&s.category)?),
                services::name.eq(&s.name),
                services::description.eq(&s.description),
                services::aliases.eq(aliases),
                services::min_price_cents.eq(s.min_cents),
                services::max_price_cents.eq(s.max_cents),
                services::vehicle_prices.eq(super::vehicle_prices_json(&s.vehicle_prices)),
                services::duration_minutes.eq(s.duration_minutes),
                services::sort_order.eq(i as i32),
                services::standard_name.eq(&s.name),
                services::updated_at.eq(now),
            ))
        })
        .collect();
    diesel::insert_into(services::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_catalog_is_large_sound_and_german() {
        let catalog = &*STANDARD_CATALOG;
        assert!(catalog.len() >= 250, "{} services", catalog.len());
        let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
        let mut names = std::collections::HashSet::new();
        for s in catalog {
            *per_category.entry(&s.category).or_default() += 1;
            assert!(names.insert(s.name.to_lowercase()), "duplicate {}", s.name);
            assert!(
                0 < s.min_cents && s.min_cents <= s.max_cents && s.max_cents <= 100_000_000,
                "{}",
                s.name
            );
            assert!(!s.name.is_empty() && s.name.chars().count() <= 120);
            for (class, (min, max)) in &s.vehicle_prices {
                assert!(
                    s.min_cents <= *min && min <= max && *max <= s.max_cents,
                    "{} {class:?}",
                    s.name
                );
            }
        }
        assert!(per_category.len() >= 12, "{per_category:?}");
        for category in [
            "Motor",
            "Bremsen",
            "Reifen & Räder",
            "Karosserie & Lack",
            "HU/AU & Prüfungen",
            "Elektro & Hybrid",
        ] {
            assert!(per_category.contains_key(category), "{category}");
        }
        let timing_belt = catalog
            .iter()
            .find(|s| s.name == "Zahnriemenwechsel")
            .expect("Zahnriemenwechsel");
        assert!(timing_belt.aliases.iter().any(|a| a == "Steuerriemen"));
        assert_eq!(
            timing_belt.translation(Locale::En),
            Some("timing belt change")
        );
        for s in catalog {
            for locale in [Locale::En, Locale::Tr, Locale::Pl] {
                assert!(s.translation(locale).is_some(), "{} {locale:?}", s.name);
            }
        }
        assert_eq!(
            (timing_belt.min_cents, timing_belt.max_cents),
            (30_000, 90_000)
        );
    }

    #[test]
    fn malformed_rows_are_reported_with_their_line() {
        let bad = "category,name,aliases,description,min_cents,max_cents,duration_minutes,vehicle_prices\n\
                   Motor,Ölwechsel,,x,10,80,30,\n\
                   Motor,Kaputt,,x,zehn,80,30,\n";
        assert!(parse(bad).expect_err("refused").starts_with("line 3"));
        assert!(parse_vehicle_prices("LKW=1-2").is_err());
        assert!(parse_translations("fr=vidange").is_err());
        assert!(parse_translations("en=").is_err());
    }
}
