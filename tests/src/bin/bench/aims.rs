//! The figures the benchmarks aim at (issue by issue, in the README): each benchmark hands its
//! figure to [`check`], which prints it beside its aim; at the end [`report`] lists them all and
//! the run fails when one is missed.

use std::sync::Mutex;

#[derive(Debug, Clone, Copy)]
pub enum Aim {
    AtLeast(f64),
    AtMost(f64),
}

impl Aim {
    fn met(self, value: f64) -> bool {
        match self {
            Self::AtLeast(aim) => value >= aim,
            Self::AtMost(aim) => value <= aim,
        }
    }

    fn shown(self) -> String {
        match self {
            Self::AtLeast(aim) => format!("≥ {aim}"),
            Self::AtMost(aim) => format!("≤ {aim}"),
        }
    }
}

struct Checked {
    name: String,
    value: f64,
    aim: Aim,
}

static CHECKED: Mutex<Vec<Checked>> = Mutex::new(Vec::new());

/// Records `value` of the figure `name` against its aim and returns the line that shows it.
pub fn check(name: &str, value: f64, aim: Aim) -> String {
    let line = format!(
        "{name}: {value:.2} (aim {}: {})",
        aim.shown(),
        verdict(aim.met(value))
    );
    CHECKED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(Checked {
            name: name.to_owned(),
            value,
            aim,
        });
    line
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// Prints every checked figure; returns how many missed their aim.
pub fn report() -> usize {
    let checked = CHECKED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if checked.is_empty() {
        return 0;
    }
    println!("aims:");
    let width = checked.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in checked.iter() {
        println!(
            "  {:<width$}  {:>10.2}  {:<8}  {}",
            c.name,
            c.value,
            c.aim.shown(),
            verdict(c.aim.met(c.value))
        );
    }
    checked.iter().filter(|c| !c.aim.met(c.value)).count()
}
