//! Prices and durations as the owner types and reads them (euros, not cents).

use crate::ctx::Ctx;
use crate::i18n::{Key, Lang, amount};

/// Euros as typed (`49`, `49,90`, `1.200`, `12.5 €`) in cents; `None` when it is no amount.
fn parse_euros(text: &str) -> Option<i64> {
    let text: String = text
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return None;
    }
    let normal = if text.contains(',') {
        text.replace('.', "").replace(',', ".")
    } else if text.rsplit_once('.').is_some_and(|(_, d)| d.len() == 3) {
        text.replace('.', "")
    } else {
        text
    };
    let (whole, fraction) = normal.split_once('.').unwrap_or((&normal, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || whole.len() > 7
    {
        return None;
    }
    let euros: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    Some(euros * 100 + cents)
}

/// Cents as an amount to edit, as the viewer's language writes it (`49,90` or `49.90`).
pub(super) fn amount_text(lang: Lang, cents: i64) -> String {
    amount(lang, cents)
}

/// Checks the typed prices: `(min, max)` in cents, or the errors under the price fields. An
/// empty maximum means a fixed price.
pub(super) fn prices(ctx: &Ctx, min: &str, max: &str) -> Result<(i64, i64), Vec<(String, String)>> {
    let mut errors = Vec::new();
    let low = parse_euros(min);
    if low.is_none() {
        errors.push((
            "minPriceCents".to_owned(),
            ctx.t(Key::SvcAmountInvalid).to_owned(),
        ));
    }
    let high = if max.trim().is_empty() {
        low
    } else {
        let high = parse_euros(max);
        if high.is_none() {
            errors.push((
                "maxPriceCents".to_owned(),
                ctx.t(Key::SvcAmountInvalid).to_owned(),
            ));
        }
        high
    };
    match (low, high) {
        (Some(low), Some(high)) if errors.is_empty() => Ok((low, high)),
        _ => Err(errors),
    }
}

pub(super) fn duration_text(ctx: &Ctx, minutes: Option<i64>) -> String {
    match minutes {
        None => "–".to_owned(),
        Some(m) if m >= 60 && m % 60 == 0 => format!("{} {}", m / 60, ctx.t(Key::SvcHoursShort)),
        Some(m) if m >= 60 => format!(
            "{} {} {} {}",
            m / 60,
            ctx.t(Key::SvcHoursShort),
            m % 60,
            ctx.t(Key::SvcMinutesShort)
        ),
        Some(m) => format!("{m} {}", ctx.t(Key::SvcMinutesShort)),
    }
}

#[cfg(test)]
mod tests {
    use super::{amount_text, parse_euros};
    use crate::i18n::Lang;

    #[test]
    fn amounts_are_read_as_owners_type_them() {
        assert_eq!(parse_euros("49"), Some(4900));
        assert_eq!(parse_euros("49,90"), Some(4990));
        assert_eq!(parse_euros("1.200"), Some(120_000));
        assert_eq!(parse_euros("12.5 €"), Some(1250));
        assert_eq!(parse_euros(" 0,5"), Some(50));
    }

    #[test]
    fn what_is_no_amount_is_refused() {
        for text in ["", "€", "abc", "12,345", "-5", "12345678"] {
            assert_eq!(parse_euros(text), None, "{text:?}");
        }
    }

    #[test]
    fn an_amount_edits_as_it_was_shown() {
        assert_eq!(amount_text(Lang::De, 4900), "49");
        assert_eq!(amount_text(Lang::De, 4990), "49,90");
        assert_eq!(amount_text(Lang::De, 5), "0,05");
        assert_eq!(amount_text(Lang::En, 4990), "49.90");
        for lang in [Lang::De, Lang::En] {
            for cents in [5, 4990, 120_000, 120_050] {
                assert_eq!(
                    parse_euros(&amount_text(lang, cents)),
                    Some(cents),
                    "{lang:?}"
                );
            }
        }
    }
}
