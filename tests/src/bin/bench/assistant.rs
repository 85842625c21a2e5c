//! `assistant`: the evaluation set (`tests/fixtures/assistant_eval.tsv`) answered by the
//! built-in assistant over the standard catalog: right first citations per language, and the
//! CPU time of understanding and answering one question, next to the CPU time of folding the
//! same question into words (the cheapest thing that reads it at all) as the baseline; and the
//! CPU time of the catalog search alone (the question's terms against the standard catalog's
//! services), aimed under 1 ms.

use std::time::Duration;

use carbot_schema::catalog::text::words;
use carbot_schema::chat::assistant::catalog_cache::standard_entries;
use carbot_schema::chat::assistant::evaluation::{self, cpu_time};
use carbot_schema::chat::assistant::matching::{CatalogIndex, Query};

use crate::aims::{self, Aim};

const ROUNDS: usize = 20;

pub fn run() -> anyhow::Result<()> {
    let cases = evaluation::parse(include_str!("../../../fixtures/assistant_eval.tsv"))
        .map_err(anyhow::Error::msg)?;
    let outcomes = evaluation::run(&cases);
    let (all, per_language) = evaluation::score(&outcomes);
    println!("assistant: evaluation set, right first citations");
    for (name, score) in ["de", "en", "tr", "pl"].iter().zip(per_language) {
        println!(
            "  {name}: {:>3} of {:>3} ({:.1} %)",
            score.right,
            score.scored,
            100.0 * score.share()
        );
    }
    println!(
        "  all: {} of {} ({:.1} %)",
        all.right,
        all.scored,
        100.0 * all.share()
    );
    let mut answering = Duration::ZERO;
    for _ in 0..ROUNDS {
        answering += evaluation::run(&cases)
            .iter()
            .map(|o| o.cpu)
            .sum::<Duration>();
    }
    let started = cpu_time();
    let mut folded = 0;
    for _ in 0..ROUNDS {
        for case in &cases {
            folded += words(&case.question).len();
        }
    }
    let folding = cpu_time().saturating_sub(started);
    let answers = (ROUNDS * cases.len()) as f64;
    let per_answer = answering.as_secs_f64() / answers;
    let per_fold = folding.as_secs_f64() / answers;
    println!(
        "  CPU per answer: {:.0} µs; folding the question into words: {:.1} µs ({folded} words); \
         ratio {:.0}",
        per_answer * 1e6,
        per_fold * 1e6,
        per_answer / per_fold.max(1e-9)
    );
    let index = CatalogIndex::new(standard_entries());
    let started = cpu_time();
    for _ in 0..ROUNDS {
        for case in &cases {
            std::hint::black_box(index.select(&Query::of(&case.question)));
        }
    }
    let per_search = cpu_time().saturating_sub(started).as_secs_f64() / answers;
    println!(
        "  {}",
        aims::check(
            &format!(
                "assistant: CPU per catalog search over {} services (µs)",
                index.len()
            ),
            per_search * 1e6,
            Aim::AtMost(1000.0)
        )
    );
    Ok(())
}
