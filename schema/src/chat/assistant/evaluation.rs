//! The assistant's evaluation: realistic visitor questions with the service the answer must
//! quote first, answered by the built-in assistant over the standard catalog the way a chat
//! answers them (language, memory, matching, wording), without a database. The unit test holds
//! it to its bar; `./dev bench assistant` prints the score per language and the CPU time.
//!
//! The set (`tests/fixtures/assistant_eval.tsv`) has the columns `id locale lang question
//! expected class`: rows with one `id` are the turns of one chat; `expected` is a service name
//! (alternatives separated by ` | `), `-` when the catalog offers no such service (the answer
//! must then name no price), or `*` for a turn that only gives context.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::builtin::answer_now;
use super::catalog_cache::standard_entries;
use super::matching::CatalogIndex;
use super::memory::understand;
use super::{Answer, CatalogEntry, Question, Speaker, Turn, WorkshopFacts};
use crate::accounts::workshop::{OpeningHours, Weekday};
use crate::catalog::VehicleClass;
use crate::locale::Locale;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// The service to quote first (any of these).
    Service(Vec<String>),
    /// The catalog has nothing for it: no price.
    NoPrice,
    /// Context only, not scored.
    Context,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub chat: String,
    pub widget: Locale,
    pub lang: Locale,
    pub question: String,
    pub expected: Expected,
    pub class: Option<VehicleClass>,
}

/// One answered question.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: Case,
    pub answer: Answer,
    /// The language the answer was written in.
    pub answered_in: Locale,
    /// Names of the quoted services, best first.
    pub cited: Vec<String>,
    /// What was wrong, if anything.
    pub miss: Option<String>,
    /// CPU time of understanding and answering the question.
    pub cpu: Duration,
}

fn locale(code: &str) -> Result<Locale, String> {
    match code {
        "de" => Ok(Locale::De),
        "en" => Ok(Locale::En),
        "tr" => Ok(Locale::Tr),
        "pl" => Ok(Locale::Pl),
        _ => Err(format!("unknown language {code:?}")),
    }
}

/// The cases of an evaluation file.
pub fn parse(tsv: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (number, line) in tsv.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with("id\t") {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        let [chat, widget, lang, question, expected, class] = columns[..] else {
            return Err(format!("line {}: six columns expected", number + 1));
        };
        let expected = match expected.trim() {
            "-" => Expected::NoPrice,
            "*" => Expected::Context,
            names => Expected::Service(names.split(" | ").map(str::to_owned).collect()),
        };
        let class = match class.trim() {
            "" => None,
            code => Some(
                VehicleClass::parse(code)
                    .ok_or(format!("line {}: unknown class {code}", number + 1))?,
            ),
        };
        cases.push(Case {
            chat: chat.to_owned(),
            widget: locale(widget).map_err(|e| format!("line {}: {e}", number + 1))?,
            lang: locale(lang).map_err(|e| format!("line {}: {e}", number + 1))?,
            question: question.to_owned(),
            expected,
            class,
        });
    }
    Ok(cases)
}

/// The workshop the evaluation asks: open weekdays and Saturday morning.
pub fn workshop() -> WorkshopFacts {
    let day = |weekday, opens: &str, closes: &str| OpeningHours {
        weekday,
        opens: opens.to_owned(),
        closes: closes.to_owned(),
    };
    let mut opening_hours: Vec<OpeningHours> = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ]
    .into_iter()
    .map(|d| day(d, "08:00", "18:00"))
    .collect();
    opening_hours.push(day(Weekday::Saturday, "09:00", "13:00"));
    WorkshopFacts {
        name: "Autohaus Nord".to_owned(),
        phone: Some("0421 555 0192".to_owned()),
        email: Some("service@autohaus-nord.de".to_owned()),
        website: None,
        address: Some("Hafenstraße 7, 28195 Bremen".to_owned()),
        opening_hours,
        time_zone: "Europe/Berlin".to_owned(),
    }
}

/// A Tuesday morning in Bremen.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 9, 30, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

/// Answers every case, chat by chat, over the standard catalog.
pub fn run(cases: &[Case]) -> Vec<Outcome> {
    let index = CatalogIndex::new(standard_entries());
    let facts = workshop();
    let mut outcomes = Vec::new();
    let mut history: Vec<Turn> = Vec::new();
    let mut chat: Option<&str> = None;
    for case in cases {
        if chat != Some(case.chat.as_str()) {
            history.clear();
            chat = Some(&case.chat);
        }
        let started = cpu_time();
        let understood = understand(&index, &history, &case.question, case.widget);
        let question = Question {
            workshop: &facts,
            locale: understood.locale,
            history: &history,
            text: &case.question,
            catalog: &understood.entries,
            memory: &understood.memory,
            now: now(),
        };
        let answer = answer_now(&question);
        let cpu = cpu_time().saturating_sub(started);
        let cited: Vec<String> = answer
            .cited
            .iter()
            .filter_map(|id| index.entries().find(|e| e.id == *id))
            .map(|e| e.name.clone())
            .collect();
        let entries: Vec<&CatalogEntry> = answer
            .cited
            .iter()
            .filter_map(|id| index.entries().find(|e| e.id == *id))
            .collect();
        let miss = judge(case, &answer, understood.locale, &cited, &entries).map(|miss| {
            let query = super::matching::Query::of(&case.question);
            format!("{miss}\n    [{}]", index.explain(&query))
        });
        history.push(Turn {
            speaker: Speaker::Visitor,
            text: case.question.clone(),
            cited: vec![],
        });
        history.push(Turn {
            speaker: Speaker::Assistant,
            text: answer.body.clone(),
            cited: answer.cited.clone(),
        });
        outcomes.push(Outcome {
            case: case.clone(),
            answer,
            answered_in: understood.locale,
            cited,
            miss,
            cpu,
        });
    }
    outcomes
}

/// What is wrong with an answer, if anything: the first quoted service, a price where there is
/// none, the language, the vehicle class, or an amount the quoted services do not back.
fn judge(
    case: &Case,
    answer: &Answer,
    answered_in: Locale,
    cited: &[String],
    entries: &[&CatalogEntry],
) -> Option<String> {
    let unbacked = unbacked_amounts(&answer.body, entries);
    if !unbacked.is_empty() {
        return Some(format!("amounts the catalog does not back: {unbacked:?}"));
    }
    match &case.expected {
        Expected::Context => return None,
        Expected::NoPrice if !cited.is_empty() => {
            return Some(format!("quoted {cited:?} for a service the catalog lacks"));
        }
        Expected::NoPrice => {}
        Expected::Service(names) => match cited.first() {
            None => return Some("no service quoted".to_owned()),
            Some(first) if !names.contains(first) => {
                return Some(format!("quoted {cited:?} first instead of {names:?}"));
            }
            Some(_) => {}
        },
    }
    if answered_in != case.lang {
        return Some(format!("answered in {answered_in:?}"));
    }
    if let Some(class) = case.class
        && let Expected::Service(_) = case.expected
    {
        let priced = entries
            .first()
            .is_some_and(|e| e.vehicle_prices.iter().any(|(c, _, _)| *c == class));
        let label = super::builtin::class_name(case.lang, class);
        if priced && !answer.body.contains(label) {
            return Some(format!("no price for the {class:?} class"));
        }
    }
    None
}

/// Amounts in `body` that none of `entries` has as an end of a price range.
fn unbacked_amounts(body: &str, entries: &[&CatalogEntry]) -> Vec<i64> {
    let owned: Vec<CatalogEntry> = entries.iter().map(|e| (*e).clone()).collect();
    super::amounts::unbacked(body, &owned)
        .into_iter()
        .map(|a| a.cents)
        .collect()
}

/// CPU time this thread has run, from the kernel's scheduler statistics (nanoseconds); zero
/// where they cannot be read.
pub fn cpu_time() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|stat| stat.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// Right answers and questions per language.
#[derive(Debug, Default, Clone, Copy)]
pub struct Score {
    pub right: usize,
    pub scored: usize,
}

impl Score {
    pub fn share(self) -> f64 {
        if self.scored == 0 {
            1.0
        } else {
            self.right as f64 / self.scored as f64
        }
    }
}

/// The score of the scored outcomes, in all and per language (de, en, tr, pl).
pub fn score(outcomes: &[Outcome]) -> (Score, [Score; 4]) {
    let mut all = Score::default();
    let mut per_language = [Score::default(); 4];
    for outcome in outcomes {
        if outcome.case.expected == Expected::Context {
            continue;
        }
        let slot = match outcome.case.lang {
            Locale::De => 0,
            Locale::En => 1,
            Locale::Tr => 2,
            Locale::Pl => 3,
        };
        for score in [&mut all, &mut per_language[slot]] {
            score.scored += 1;
            score.right += usize::from(outcome.miss.is_none());
        }
    }
    (all, per_language)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_evaluation_set_is_answered_right() {
        let cases = parse(include_str!(
            "../../../../tests/fixtures/assistant_eval.tsv"
        ))
        .expect("the evaluation set parses");
        let outcomes = run(&cases);
        let (all, per_language) = score(&outcomes);
        let misses: Vec<String> = outcomes
            .iter()
            .filter_map(|o| {
                o.miss.as_ref().map(|m| {
                    format!(
                        "{} {:?}: {m}\n    {}",
                        o.case.chat,
                        o.case.question,
                        o.answer.body.replace('\n', " / ")
                    )
                })
            })
            .collect();
        let report = format!(
            "{} of {} right ({:.1} %; de {:.1}, en {:.1}, tr {:.1}, pl {:.1}):\n{}",
            all.right,
            all.scored,
            100.0 * all.share(),
            100.0 * per_language[0].share(),
            100.0 * per_language[1].share(),
            100.0 * per_language[2].share(),
            100.0 * per_language[3].share(),
            misses.join("\n")
        );
        // `CARBOT_EVAL_REPORT=1 cargo test -p carbot-schema evaluation -- --nocapture` prints
        // every miss with the matcher's view of it.
        if std::env::var_os("CARBOT_EVAL_REPORT").is_some() {
            println!("{report}");
        }
        assert!(all.scored >= 150, "{} scored questions", all.scored);
        assert!(
            !report.contains("do not back"),
            "invented amounts: {report}"
        );
        // Where the assistant stands: 97.6 % right first citations (371 of 380) and no price
        // for any service the catalog lacks; these floors keep what has been reached.
        let priced_what_is_missing = misses
            .iter()
            .filter(|m| m.contains("for a service the catalog lacks"))
            .count();
        assert!(
            priced_what_is_missing == 0,
            "{priced_what_is_missing} prices for services the catalog lacks: {report}"
        );
        assert!(all.share() >= 0.96, "{report}");
    }
}
