//! Money amounts in an assistant's answer, and whether the catalog backs them.
//!
//! The product promises that the assistant never states a price the catalog does not back. The
//! built-in assistant only quotes catalog prices; a model may write anything, so its answer is
//! read for amounts and each one is compared with the prices of the catalog entries the model
//! was given. [`AmountGate`] does the same for an answer that arrives chunk by chunk, holding back
//! only the text from a number whose amount may still grow until it can be checked.
//!
//! An amount is a number tied to a currency marker written before or after it, with or without
//! a space (`49,90 €`, `€49.90`, `EUR 89`, `89 Euro`, `89 avro`, `1 234 zł`), and the other end
//! of a range one end of which is tied to one (`89–149 €`, `89 bis 149 Euro`, `€89–149`,
//! `89 ile 149 €`, `od 89 do 149 zł`). Numbers without a marker (years, durations, phone numbers,
//! opening hours, key numbers) are not amounts; the system prompt has the model write every
//! price with its € sign.
//!
//! A number is read the same way in every language, because a chat answer does not reliably
//! follow its locale's conventions:
//! - a `.`, `,`, `'` or space followed by exactly three digits groups thousands, provided the
//!   first group has at most three digits and all grouping separators are the same: `1.234`,
//!   `1,234`, `1 234` and `1'234` are all 1234. Nobody quotes a repair to a tenth of a cent, so
//!   three digits after a separator are never decimals;
//! - a `.` or `,` (other than the grouping separator) followed by one or two digits starts the
//!   cents: `49,90`, `49.90` and `49,9` are 49.90, `1.234,50` and `1,234.50` are 1234.50;
//! - `,-`, `.–` or `,--` after the euros mean no cents: `89,-` is 89.00.
//!
//! Where the text is unusual the reading leans towards finding an amount, since an amount found
//! wrongly only costs a model answer (the built-in assistant answers instead), while an amount
//! missed breaks the promise: a marker between two numbers (`39 € 49`) ties both, and a
//! malformed number next to a marker still yields an amount that no catalog backs.

use std::fmt;
use std::ops::Range;

use super::CatalogEntry;

/// The currency an amount is written in. Catalog prices are euros, so only euro amounts can be
/// backed; the others are recognised so that "89 $" is not waved through as a bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Currency {
    Euro,
    UsDollar,
    PoundSterling,
    SwissFranc,
    Zloty,
    Lira,
}

impl Currency {
    /// The ISO 4217 code, for logs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Euro => "EUR",
            Self::UsDollar => "USD",
            Self::PoundSterling => "GBP",
            Self::SwissFranc => "CHF",
            Self::Zloty => "PLN",
            Self::Lira => "TRY",
        }
    }
}

/// A money amount written in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    /// Hundredths of the currency's unit: euro cents for euros.
    pub cents: i64,
    pub currency: Currency,
    /// Where the amount is written (bytes of the text): the number and the marker written with
    /// it, e.g. `89` and `149 €` in `89–149 €`, `€89` and `149` in `€89–149`.
    pub range: Range<usize>,
}

/// `39.00 EUR`: the amount without any of the text it was found in, fit for logs.
impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:02} {}",
            self.cents / 100,
            self.cents % 100,
            self.currency.code()
        )
    }
}

/// An amount in an answer that the catalog does not back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the catalog does not back {0}")]
pub struct Unbacked(pub Amount);

/// Every money amount in `text`, in order.
pub fn amounts_in(text: &str) -> Vec<Amount> {
    scan(text, Reading::Complete).amounts
}

/// Whether `cents` (euro cents, VAT included) is an end of some entry's price range or of one of
/// its vehicle-class ranges. A price strictly inside a range is not backed: the assistant quotes
/// ranges as the catalog writes them, it does not pick a price within one.
pub fn backed(cents: i64, entries: &[CatalogEntry]) -> bool {
    entries.iter().any(|entry| {
        let classes = entry
            .vehicle_prices
            .iter()
            .flat_map(|(_, min, max)| [*min, *max]);
        [entry.min_cents, entry.max_cents]
            .into_iter()
            .chain(classes)
            .any(|price| i64::from(price) == cents)
    })
}

/// The amounts in `text` the entries do not back: those in another currency and euro amounts
/// that are no end of any of the entries' ranges.
pub fn unbacked(text: &str, entries: &[CatalogEntry]) -> Vec<Amount> {
    amounts_in(text)
        .into_iter()
        .filter(|amount| !is_backed(amount, entries))
        .collect()
}

fn is_backed(amount: &Amount, entries: &[CatalogEntry]) -> bool {
    amount.currency == Currency::Euro && backed(amount.cents, entries)
}

/// Checks an answer that streams in chunk by chunk before it reaches the visitor.
///
/// Text is released as soon as no amount in it can change any more: from the first character of
/// an amount that may still continue in the next chunk (`3` may become `39 €`, `89–` may become
/// `89–149 €`, `€` may become `€89`) everything is held back until the amount is complete and
/// checked. Text without digits and currency signs passes at once. When nothing is rejected, the
/// released pieces concatenated equal the input. After an error the answer is over: the gate is
/// not to be fed again.
///
/// Each chunk rescans the whole answer so far; answers are short (the model may write at most a
/// few hundred tokens), and rescanning keeps one reading of the text, the one [`amounts_in`]
/// uses.
#[derive(Debug)]
pub struct AmountGate<'c> {
    catalog: &'c [CatalogEntry],
    text: String,
    /// Bytes of `text` released so far.
    released: usize,
}

impl<'c> AmountGate<'c> {
    /// A gate that lets through the amounts `catalog` backs.
    pub fn new(catalog: &'c [CatalogEntry]) -> Self {
        Self {
            catalog,
            text: String::new(),
            released: 0,
        }
    }

    /// Takes the next chunk; returns the text that may reach the visitor now (possibly empty), or
    /// the first amount in the settled text that the catalog does not back.
    pub fn push(&mut self, chunk: &str) -> Result<String, Unbacked> {
        self.text.push_str(chunk);
        let scan = scan(&self.text, Reading::Growing);
        let settled = scan.open_from.unwrap_or(self.text.len());
        self.release(&scan.amounts, settled)
    }

    /// The answer is complete: returns the text still held back, once its amounts are checked.
    pub fn finish(mut self) -> Result<String, Unbacked> {
        let scan = scan(&self.text, Reading::Complete);
        let end = self.text.len();
        self.release(&scan.amounts, end)
    }

    /// Checks the amounts before `settled` and releases the text up to there.
    fn release(&mut self, amounts: &[Amount], settled: usize) -> Result<String, Unbacked> {
        if let Some(amount) = amounts
            .iter()
            .filter(|amount| amount.range.start < settled)
            .find(|amount| !is_backed(amount, self.catalog))
        {
            return Err(Unbacked(amount.clone()));
        }
        // A currency code written before an open amount ("EUR " of "EUR 8") may be out already.
        let end = settled.max(self.released);
        let released = self.text[self.released..end].to_owned();
        self.released = end;
        Ok(released)
    }
}

/// Whether more text may follow the text being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Complete,
    Growing,
}

/// Where a currency marker may stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Signs and codes: `€89`, `89 €`, `EUR 89`, `89 EUR`.
    Either,
    /// Words follow the number: `89 Euro`, `89 zł`.
    After,
}

struct Marker {
    text: &'static str,
    currency: Currency,
    placement: Placement,
    /// `TRY` is a currency, `try` is an English word.
    exact_case: bool,
}

const fn marker(text: &'static str, currency: Currency, placement: Placement) -> Marker {
    Marker {
        text,
        currency,
        placement,
        exact_case: false,
    }
}

/// Markers in German, English, Turkish and Polish writing; words match in any ASCII case.
const MARKERS: &[Marker] = &[
    marker("€", Currency::Euro, Placement::Either),
    marker("EUR", Currency::Euro, Placement::Either),
    marker("Euro", Currency::Euro, Placement::After),
    marker("Euros", Currency::Euro, Placement::After),
    marker("avro", Currency::Euro, Placement::After),
    marker("$", Currency::UsDollar, Placement::Either),
    marker("US$", Currency::UsDollar, Placement::Either),
    marker("USD", Currency::UsDollar, Placement::Either),
    marker("Dollar", Currency::UsDollar, Placement::After),
    marker("Dollars", Currency::UsDollar, Placement::After),
    marker("dolar", Currency::UsDollar, Placement::After),
    marker("dolary", Currency::UsDollar, Placement::After),
    marker("dolarów", Currency::UsDollar, Placement::After),
    marker("£", Currency::PoundSterling, Placement::Either),
    marker("GBP", Currency::PoundSterling, Placement::Either),
    marker("CHF", Currency::SwissFranc, Placement::Either),
    marker("zł", Currency::Zloty, Placement::After),
    marker("złoty", Currency::Zloty, Placement::After),
    marker("złote", Currency::Zloty, Placement::After),
    marker("złotych", Currency::Zloty, Placement::After),
    marker("PLN", Currency::Zloty, Placement::Either),
    marker("₺", Currency::Lira, Placement::Either),
    marker("TL", Currency::Lira, Placement::Either),
    Marker {
        exact_case: true,
        ..marker("TRY", Currency::Lira, Placement::Either)
    },
    marker("lira", Currency::Lira, Placement::After),
];

/// Words that join the two ends of a range ("89 bis 149 €", "od 89 do 149 zł") or list
/// alternatives ("49 oder 59 €"); written with spaces around them.
const WORD_CONNECTORS: &[&str] = &[
    "bis", "und", "oder", "to", "and", "or", "ile", "ve", "veya", "do", "i", "a", "lub", "albo",
];

/// Spaces within a line, including the no-break spaces French and Polish use in `1 234 zł`.
fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{a0}' | '\u{2007}' | '\u{2009}' | '\u{202f}'
    )
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '\u{2011}' | '\u{2212}')
}

fn is_group_separator(c: char) -> bool {
    matches!(c, '.' | ',' | '\'' | '’') || is_space(c)
}

/// `a` equals `b`, ignoring ASCII case unless `exact`.
fn same(a: &[u8], b: &[u8], exact: bool) -> bool {
    if exact {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

/// `text` (to its end) is where `marker` begins: `E` of `EUR`.
fn begins(text: &str, marker: &Marker) -> bool {
    let (text, marker_text) = (text.as_bytes(), marker.text.as_bytes());
    text.len() <= marker_text.len() && same(text, &marker_text[..text.len()], marker.exact_case)
}

/// Where a sign or code at the end of growing text begins, whole or cut ("ab €", "ab EU"): a
/// number may follow it.
fn trailing_marker(text: &str) -> Option<usize> {
    let trimmed = text.trim_end_matches(is_space);
    MARKERS
        .iter()
        .filter(|marker| marker.placement == Placement::Either)
        .filter_map(|marker| {
            let whole = marker.text.len();
            (1..=whole)
                .filter(|len| marker.text.is_char_boundary(*len))
                .find_map(|len| {
                    // Spaces may follow a whole marker only.
                    let text = if len == whole { trimmed } else { text };
                    let start = text.len().checked_sub(len)?;
                    let written = same(
                        &text.as_bytes()[start..],
                        &marker.text.as_bytes()[..len],
                        marker.exact_case,
                    );
                    (written && starts_word(text, start, marker)).then_some(start)
                })
        })
        .min()
}

/// A marker beginning with a letter is not the end of a longer word ("TEUR").
fn starts_word(text: &str, start: usize, marker: &Marker) -> bool {
    let starts_with_letter = marker.text.chars().next().is_some_and(char::is_alphabetic);
    !(starts_with_letter
        && text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphabetic))
}

/// A number as written, before it is known to be an amount.
#[derive(Debug)]
struct Number {
    start: usize,
    end: usize,
    cents: i64,
    /// A marker written before the number, and whether it is the previous number's marker too.
    before: Option<(Range<usize>, Currency, bool)>,
    after: Option<(Range<usize>, Currency)>,
}

impl Number {
    /// Where the number and its own markers begin.
    fn first(&self) -> usize {
        match &self.before {
            Some((range, _, false)) => range.start,
            _ => self.start,
        }
    }

    /// Where the number and its own markers end.
    fn last(&self) -> usize {
        self.after.as_ref().map_or(self.end, |(range, _)| range.end)
    }

    /// The currency of its own markers; another currency wins over euros, as it cannot be backed.
    fn marked(&self) -> Option<Currency> {
        let before = self.before.as_ref().map(|(_, currency, _)| *currency);
        let after = self.after.as_ref().map(|(_, currency)| *currency);
        match (before, after) {
            (Some(Currency::Euro), Some(other)) | (Some(other), _) | (None, Some(other)) => {
                Some(other)
            }
            (None, None) => None,
        }
    }
}

/// What a reading found: the amounts and, for growing text, where the text stops being settled.
struct Scan {
    amounts: Vec<Amount>,
    /// The first byte that more text might turn into (part of) an amount or change the amount of.
    open_from: Option<usize>,
}

/// Reads `text` for amounts. For growing text, every look at the text's end that might see
/// something else once more text arrives is noted: only the last number, the range it ends and
/// the text after it can look that far, so that range, from its first character, is what stays
/// open.
fn scan(text: &str, reading: Reading) -> Scan {
    let mut reader = Reader {
        text,
        growing: reading == Reading::Growing,
        touched_end: false,
    };
    let mut numbers = reader.numbers();
    for index in 0..numbers.len() {
        let before = reader.marker_before(numbers[index].start);
        let after = reader.marker_after(numbers[index].end);
        let shared = index > 0
            && matches!((&before, &numbers[index - 1].after),
                (Some((this, _)), Some((previous, _))) if this == previous);
        numbers[index].before = before.map(|(range, currency)| (range, currency, shared));
        numbers[index].after = after;
    }
    let joined: Vec<bool> = numbers
        .windows(2)
        .map(|pair| {
            let shared = matches!(pair[1].before, Some((_, _, true)));
            !shared
                && text
                    .get(pair[0].last()..pair[1].first())
                    .is_some_and(is_connector)
        })
        .collect();
    let mut currencies: Vec<Option<Currency>> = numbers.iter().map(Number::marked).collect();
    for index in (0..joined.len()).rev() {
        if joined[index] && currencies[index].is_none() {
            currencies[index] = currencies[index + 1];
        }
    }
    for index in 0..joined.len() {
        if joined[index] && currencies[index + 1].is_none() {
            currencies[index + 1] = currencies[index];
        }
    }

    let mut open_from = None;
    if let Some(last) = numbers.last() {
        if reader.growing && currencies.last() == Some(&None) && may_join(&text[last.last()..]) {
            reader.touched_end = true;
        }
        if reader.touched_end {
            // The last range is open, but an end with a marker of its own before its last number
            // keeps its amount whatever follows, and so do the ends before it.
            let last = numbers.len() - 1;
            let range_start = last - joined.iter().rev().take_while(|joined| **joined).count();
            let open = (range_start..last)
                .rev()
                .find(|index| numbers[*index].marked().is_some())
                .map_or(range_start, |index| index + 1);
            open_from = Some(numbers[open].first());
        }
    }
    if reader.growing
        && let Some(at) = trailing_marker(text)
    {
        let after_last = numbers
            .last()
            .and_then(|n| n.after.as_ref())
            .is_some_and(|(range, _)| range.contains(&at));
        if !after_last {
            open_from = Some(open_from.map_or(at, |open: usize| open.min(at)));
        }
    }

    let amounts = numbers
        .iter()
        .zip(currencies)
        .filter_map(|(number, currency)| {
            Some(Amount {
                cents: number.cents,
                currency: currency?,
                range: number.first()..number.last(),
            })
        })
        .collect();
    Scan { amounts, open_from }
}

struct Reader<'t> {
    text: &'t str,
    growing: bool,
    /// A decision looked at the end of a growing text.
    touched_end: bool,
}

impl Reader<'_> {
    /// The character at byte `at`, noting a look at the end of the text.
    fn char_at(&mut self, at: usize) -> Option<char> {
        let c = self.text[at..].chars().next();
        if c.is_none() && self.growing {
            self.touched_end = true;
        }
        c
    }

    /// The number of ASCII digits from byte `at`.
    fn digits_at(&mut self, at: usize) -> usize {
        let count = self.text.as_bytes()[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        // The run may go on in the next chunk.
        self.char_at(at + count);
        count
    }

    /// Bytes of the dashes from byte `at`.
    fn dashes_at(&mut self, at: usize) -> usize {
        let mut end = at;
        while let Some(c) = self.char_at(end).filter(|c| is_dash(*c)) {
            end += c.len_utf8();
        }
        end - at
    }

    /// Every number in the text that does not belong to a word ("A4", "X5", "R16").
    fn numbers(&mut self) -> Vec<Number> {
        let mut numbers = Vec::new();
        let mut at = 0;
        while let Some(c) = self.text[at..].chars().next() {
            if !c.is_ascii_digit() {
                at += c.len_utf8();
                continue;
            }
            let in_word = self.text[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && self.marker_ending_at(at).is_none();
            if in_word {
                at += self.text[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric())
                    .map(char::len_utf8)
                    .sum::<usize>();
                continue;
            }
            let (end, cents) = self.number_at(at);
            numbers.push(Number {
                start: at,
                end,
                cents,
                before: None,
                after: None,
            });
            if self.touched_end {
                // The number may swallow what follows ("1 4" may become "1 499"), so that is no
                // number of its own yet.
                break;
            }
            at = end;
        }
        numbers
    }

    /// Reads the number starting at byte `start` (a digit): its end and its value in cents.
    fn number_at(&mut self, start: usize) -> (usize, i64) {
        let text = self.text;
        let bytes = text.as_bytes();
        let value = |range: Range<usize>| {
            bytes[range].iter().fold(0_i64, |value, digit| {
                value
                    .saturating_mul(10)
                    .saturating_add(i64::from(digit - b'0'))
            })
        };
        let first = self.digits_at(start);
        let mut end = start + first;
        let mut units = value(start..end);
        let mut grouping = None;
        if first <= 3 {
            while let Some(separator) = self.char_at(end).filter(|c| is_group_separator(*c)) {
                if grouping.is_some_and(|g| g != separator) {
                    break;
                }
                let group = end + separator.len_utf8();
                if self.digits_at(group) != 3 {
                    break;
                }
                units = units
                    .saturating_mul(1000)
                    .saturating_add(value(group..group + 3));
                grouping = Some(separator);
                end = group + 3;
            }
        }
        let mut cents = 0;
        if let Some(separator @ ('.' | ',')) = self.char_at(end) {
            let fraction = end + 1;
            match self.digits_at(fraction) {
                digits @ (1 | 2) if grouping != Some(separator) => {
                    cents = value(fraction..fraction + digits) * if digits == 1 { 10 } else { 1 };
                    end = fraction + digits;
                }
                0 => {
                    // "89,-": no cents; "89,–149" is a range instead.
                    let dashes = self.dashes_at(fraction);
                    if dashes > 0
                        && !self
                            .char_at(fraction + dashes)
                            .is_some_and(|c| c.is_ascii_digit())
                    {
                        end = fraction + dashes;
                    }
                }
                _ => {}
            }
        }
        (end, units.saturating_mul(100).saturating_add(cents))
    }

    /// The marker written at byte `at`, the longest if several fit.
    fn marker_at(&mut self, at: usize) -> Option<(Range<usize>, Currency)> {
        let text = self.text;
        let rest = &text[at..];
        let mut found: Option<(Range<usize>, Currency)> = None;
        for marker in MARKERS {
            let len = marker.text.len();
            if rest.len() < len {
                if begins(rest, marker) && self.growing {
                    self.touched_end = true;
                }
                continue;
            }
            if !same(
                &rest.as_bytes()[..len],
                marker.text.as_bytes(),
                marker.exact_case,
            ) {
                continue;
            }
            // "89 Europa" is no amount; a sign needs no space after it.
            let ends_in_letter = marker
                .text
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            if ends_in_letter && self.char_at(at + len).is_some_and(char::is_alphanumeric) {
                continue;
            }
            if found.as_ref().is_none_or(|(range, _)| range.len() < len) {
                found = Some((at..at + len, marker.currency));
            }
        }
        found
    }

    /// A sign or code that ends at byte `end` and does not end a longer word ("TEUR").
    fn marker_ending_at(&self, end: usize) -> Option<(Range<usize>, Currency)> {
        let before = &self.text.as_bytes()[..end];
        MARKERS
            .iter()
            .filter(|marker| marker.placement == Placement::Either)
            .filter(|marker| {
                let len = marker.text.len();
                before.len() >= len
                    && same(
                        &before[before.len() - len..],
                        marker.text.as_bytes(),
                        marker.exact_case,
                    )
            })
            .filter(|marker| starts_word(self.text, end - marker.text.len(), marker))
            .max_by_key(|marker| marker.text.len())
            .map(|marker| (end - marker.text.len()..end, marker.currency))
    }

    /// A sign or code before the number starting at byte `start`, spaces allowed between.
    fn marker_before(&self, start: usize) -> Option<(Range<usize>, Currency)> {
        let end = self.text[..start].trim_end_matches(is_space).len();
        self.marker_ending_at(end)
    }

    /// A marker after the number ending at byte `end`, spaces allowed between.
    fn marker_after(&mut self, end: usize) -> Option<(Range<usize>, Currency)> {
        let mut at = end;
        while let Some(c) = self.char_at(at).filter(|c| is_space(*c)) {
            at += c.len_utf8();
        }
        self.marker_at(at)
    }
}

/// The text between two numbers makes them ends of one range or alternatives of one price:
/// a dash (`89–149`, `89 - 149`, `89,–149`), `/`, `…`, or a connector word with spaces around.
fn is_connector(between: &str) -> bool {
    let inner = between.trim_matches(is_space);
    let dashes = inner.strip_prefix(['.', ',']).unwrap_or(inner);
    let symbol =
        (!dashes.is_empty() && dashes.chars().all(is_dash)) || ["/", "…", "..."].contains(&inner);
    let spaced = between.starts_with(is_space) && between.ends_with(is_space);
    symbol
        || (spaced
            && WORD_CONNECTORS
                .iter()
                .any(|word| inner.eq_ignore_ascii_case(word)))
}

/// `rest`, the growing text after a number without a currency, may still become a connector to
/// a next number (and that number's marker): "89 –", "89 bi", "89 bis €". Every prefix of what
/// [`is_connector`] accepts, followed by a sign or code, must count here.
fn may_join(rest: &str) -> bool {
    let inner = rest.trim_start_matches(is_space);
    if inner.is_empty() {
        return true;
    }
    let dashes = inner.strip_prefix(['.', ',']).unwrap_or(inner);
    if dashes.is_empty() {
        return true;
    }
    let after_dashes = dashes.trim_start_matches(is_dash);
    if after_dashes.len() < dashes.len() {
        return may_be_marker_before_number(after_dashes);
    }
    for symbol in ["/", "…", "..."] {
        if symbol.starts_with(inner) {
            return true;
        }
        if let Some(after) = inner.strip_prefix(symbol) {
            return may_be_marker_before_number(after);
        }
    }
    let spaced = inner.len() < rest.len();
    spaced
        && WORD_CONNECTORS.iter().any(|word| {
            if inner.len() <= word.len() {
                return inner
                    .as_bytes()
                    .eq_ignore_ascii_case(&word.as_bytes()[..inner.len()]);
            }
            // The word is ASCII, so a match ends on a character boundary.
            inner.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes())
                && inner[word.len()..].starts_with(is_space)
                && may_be_marker_before_number(&inner[word.len()..])
        })
}

/// `rest`, growing text after a connector, may still be spaces and a sign or code before the
/// next number.
fn may_be_marker_before_number(rest: &str) -> bool {
    let inner = rest.trim_start_matches(is_space);
    inner.is_empty()
        || MARKERS
            .iter()
            .filter(|marker| marker.placement == Placement::Either)
            .any(|marker| {
                begins(inner, marker)
                    || (inner.len() > marker.text.len()
                        && same(
                            &inner.as_bytes()[..marker.text.len()],
                            marker.text.as_bytes(),
                            marker.exact_case,
                        )
                        && inner[marker.text.len()..].chars().all(is_space))
            })
}

#[cfg(test)]
mod tests;
