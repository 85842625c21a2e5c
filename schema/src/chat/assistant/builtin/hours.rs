//! Opening hours: the workshop's local time, today's and the week's hours, and the day asked about.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::Lang;
use crate::accounts::workshop::{OpeningHours, Weekday};

use crate::catalog::text::{has_any, words};
use crate::chat::assistant::Question;

pub(super) fn day_name(lang: Lang, day: Weekday) -> &'static str {
    let index = Weekday::ALL.iter().position(|d| *d == day).unwrap_or(0);
    match lang {
        Lang::De => [
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
            "Sonntag",
        ][index],
        Lang::En => [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][index],
        Lang::Tr => [
            "Pazartesi",
            "Salı",
            "Çarşamba",
            "Perşembe",
            "Cuma",
            "Cumartesi",
            "Pazar",
        ][index],
        Lang::Pl => [
            "poniedziałek",
            "wtorek",
            "środa",
            "czwartek",
            "piątek",
            "sobota",
            "niedziela",
        ][index],
    }
}

pub(super) fn day_short(lang: Lang, day: Weekday) -> &'static str {
    let index = Weekday::ALL.iter().position(|d| *d == day).unwrap_or(0);
    match lang {
        Lang::De => ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"][index],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][index],
        Lang::Tr => ["Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz"][index],
        Lang::Pl => ["Pn", "Wt", "Śr", "Cz", "Pt", "Sb", "Nd"][index],
    }
}

pub(super) fn weekday_of(date: NaiveDate) -> Weekday {
    Weekday::ALL[date.weekday().num_days_from_monday() as usize]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DayAsked {
    Today,
    Tomorrow,
    On(Weekday),
}

pub(super) const DAY_WORDS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "montag*|monday*|pazartesi|poniedzial*"),
    (Weekday::Tuesday, "dienstag*|tuesday*|sali|wtor*"),
    (Weekday::Wednesday, "mittwoch*|wednesday*|carsamba|srod*"),
    (Weekday::Thursday, "donnerstag*|thursday*|persembe|czwart*"),
    (Weekday::Friday, "freitag*|friday*|cuma|piat*"),
    (
        Weekday::Saturday,
        "samstag*|sonnabend*|saturday*|cumartesi|sobot*",
    ),
    (Weekday::Sunday, "sonntag*|sunday*|pazar|niedziel*"),
];

pub(super) fn day_asked(words: &[String]) -> Option<DayAsked> {
    if let Some((day, _)) = DAY_WORDS.iter().find(|(_, p)| has_any(words, p)) {
        return Some(DayAsked::On(*day));
    }
    let tomorrow = has_any(words, "tomorrow|jutro|yarin")
        || words
            .iter()
            .enumerate()
            .any(|(i, w)| w == "morgen" && (i == 0 || words[i - 1] != "guten"));
    if tomorrow {
        return Some(DayAsked::Tomorrow);
    }
    if has_any(words, "heute|today|tonight|dzisiaj|dzis|bugun") {
        return Some(DayAsked::Today);
    }
    None
}

/// Wall-clock time in the workshop's time zone (an unknown zone counts as UTC).
pub(crate) fn local_time(zone: &str, now: DateTime<Utc>) -> NaiveDateTime {
    let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    now.with_timezone(&zone).naive_local()
}

/// When the workshop opens and closes, in its local time.
type Interval = (NaiveTime, NaiveTime);

/// Opening intervals of one day, sorted, with unreadable ones left out.
pub(super) fn intervals(hours: &[OpeningHours], day: Weekday) -> Vec<Interval> {
    let mut day_hours: Vec<_> = hours
        .iter()
        .filter(|h| h.weekday == day)
        .filter_map(|h| {
            let opens = NaiveTime::parse_from_str(h.opens.trim(), "%H:%M").ok()?;
            let closes = NaiveTime::parse_from_str(h.closes.trim(), "%H:%M").ok()?;
            (opens < closes).then_some((opens, closes))
        })
        .collect();
    day_hours.sort();
    day_hours
}

pub(super) fn format_intervals(lang: Lang, intervals: &[Interval], joiner: &str) -> String {
    let parts: Vec<String> = intervals
        .iter()
        .map(|(opens, closes)| format!("{}–{}", opens.format("%H:%M"), closes.format("%H:%M")))
        .collect();
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            let and = match (lang, joiner) {
                (_, ", ") => ", ",
                (Lang::De, _) => " und ",
                (Lang::En, _) => " and ",
                (Lang::Tr, _) => " ve ",
                (Lang::Pl, _) => " i ",
            };
            format!("{}{and}{last}", rest.join(", "))
        }
        _ => parts.concat(),
    }
}

/// The week in one line, equal neighbouring days joined: "Mo–Fr 08:00–17:00; Sa 09:00–13:00;
/// So geschlossen".
pub(crate) fn week_summary(lang: Lang, hours: &[OpeningHours]) -> String {
    week_line(lang, hours)
}

pub(super) fn week_line(lang: Lang, hours: &[OpeningHours]) -> String {
    let closed = match lang {
        Lang::De => "geschlossen",
        Lang::En => "closed",
        Lang::Tr => "kapalı",
        Lang::Pl => "nieczynne",
    };
    let mut groups: Vec<(Weekday, Weekday, Vec<Interval>)> = Vec::new();
    for day in Weekday::ALL {
        let day_intervals = intervals(hours, day);
        match groups.last_mut() {
            Some((_, last, same)) if *same == day_intervals => *last = day,
            _ => groups.push((day, day, day_intervals)),
        }
    }
    groups
        .iter()
        .map(|(first, last, day_intervals)| {
            let days = if first == last {
                day_short(lang, *first).to_owned()
            } else {
                format!("{}–{}", day_short(lang, *first), day_short(lang, *last))
            };
            let times = if day_intervals.is_empty() {
                closed.to_owned()
            } else {
                format_intervals(lang, day_intervals, ", ")
            };
            format!("{days} {times}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The opening-hours paragraph and whether any hours are on file.
pub(super) fn opening_hours(lang: Lang, question: &Question<'_>) -> (String, bool) {
    let hours = &question.workshop.opening_hours;
    if Weekday::ALL
        .iter()
        .all(|day| intervals(hours, *day).is_empty())
    {
        let text = match lang {
            Lang::De => "Die Öffnungszeiten habe ich leider nicht vorliegen. Hinterlassen Sie \
                         gern eine Anfrage über das Formular, dann meldet sich die Werkstatt bei \
                         Ihnen."
                .to_owned(),
            Lang::En => "I'm afraid I don't have the opening hours. Please leave a request via \
                         the form and the workshop will get back to you."
                .to_owned(),
            Lang::Tr => "Maalesef çalışma saatleri elimde yok. Form üzerinden bir talep \
                         bırakabilirsiniz; atölye sizinle iletişime geçecektir."
                .to_owned(),
            Lang::Pl => "Niestety nie mam godzin otwarcia. Proszę zostawić zapytanie przez \
                         formularz, a warsztat się odezwie."
                .to_owned(),
        };
        return (text, false);
    }
    let now = local_time(&question.workshop.time_zone, question.now);
    let today = weekday_of(now.date());
    let tomorrow = weekday_of(now.date().succ_opt().unwrap_or(now.date()));
    let asked = match day_asked(&words(question.text)) {
        Some(DayAsked::On(day)) if day == today => DayAsked::Today,
        Some(DayAsked::Tomorrow) => DayAsked::On(tomorrow),
        Some(asked) => asked,
        None => DayAsked::Today,
    };
    let mut text = match asked {
        DayAsked::On(day) => {
            let day_intervals = intervals(hours, day);
            let name = day_name(lang, day);
            match (lang, day_intervals.is_empty()) {
                (Lang::De, true) => format!("Am {name} haben wir geschlossen."),
                (Lang::De, false) => format!(
                    "Am {name} haben wir {} geöffnet.",
                    format_intervals(lang, &day_intervals, " und ")
                ),
                (Lang::En, true) => format!("On {name} we are closed."),
                (Lang::En, false) => format!(
                    "On {name} we are open {}.",
                    format_intervals(lang, &day_intervals, " and ")
                ),
                (Lang::Tr, true) => format!("{name} günü kapalıyız."),
                (Lang::Tr, false) => format!(
                    "{name} günü {} saatleri arasında açığız.",
                    format_intervals(lang, &day_intervals, " ve ")
                ),
                (Lang::Pl, true) => format!("W dniu {name} jest nieczynne."),
                (Lang::Pl, false) => format!(
                    "W dniu {name} jesteśmy otwarci w godzinach {}.",
                    format_intervals(lang, &day_intervals, " i ")
                ),
            }
        }
        DayAsked::Today | DayAsked::Tomorrow => today_sentence(lang, hours, today, now.time()),
    };
    text.push(' ');
    text.push_str(match lang {
        Lang::De => "Unsere Öffnungszeiten: ",
        Lang::En => "Our opening hours: ",
        Lang::Tr => "Çalışma saatlerimiz: ",
        Lang::Pl => "Nasze godziny otwarcia: ",
    });
    text.push_str(&week_line(lang, hours));
    text.push('.');
    (text, true)
}

pub(super) fn today_sentence(
    lang: Lang,
    hours: &[OpeningHours],
    today: Weekday,
    time: NaiveTime,
) -> String {
    let day_intervals = intervals(hours, today);
    let name = day_name(lang, today);
    if day_intervals.is_empty() {
        return match lang {
            Lang::De => format!("Heute ({name}) haben wir geschlossen."),
            Lang::En => format!("Today ({name}) we are closed."),
            Lang::Tr => format!("Bugün ({name}) kapalıyız."),
            Lang::Pl => format!("Dziś ({name}) jest nieczynne."),
        };
    }
    let open_now = day_intervals
        .iter()
        .find(|(opens, closes)| *opens <= time && time < *closes);
    let opens_later = day_intervals.iter().find(|(opens, _)| time < *opens);
    let times = format_intervals(lang, &day_intervals, " ");
    match (lang, open_now, opens_later) {
        (Lang::De, Some((_, closes)), _) => format!(
            "Heute ({name}) haben wir {times} geöffnet – gerade sind wir für Sie da, bis {}.",
            closes.format("%H:%M")
        ),
        (Lang::De, None, Some((opens, _))) => format!(
            "Heute ({name}) haben wir {times} geöffnet – wir öffnen heute wieder um {}.",
            opens.format("%H:%M")
        ),
        (Lang::De, None, None) => format!(
            "Heute ({name}) hatten wir {times} geöffnet – für heute haben wir bereits \
             geschlossen."
        ),
        (Lang::En, Some((_, closes)), _) => format!(
            "Today ({name}) we are open {times} – we are open right now, until {}.",
            closes.format("%H:%M")
        ),
        (Lang::En, None, Some((opens, _))) => format!(
            "Today ({name}) we are open {times} – we open again today at {}.",
            opens.format("%H:%M")
        ),
        (Lang::En, None, None) => {
            format!("Today ({name}) we were open {times} – we have already closed for today.")
        }
        (Lang::Tr, Some((_, closes)), _) => format!(
            "Bugün ({name}) {times} saatleri arasında açığız – şu an açığız, kapanış saati {}.",
            closes.format("%H:%M")
        ),
        (Lang::Tr, None, Some((opens, _))) => format!(
            "Bugün ({name}) {times} saatleri arasında açığız – bugün saat {} itibarıyla \
             tekrar açığız.",
            opens.format("%H:%M")
        ),
        (Lang::Tr, None, None) => {
            format!("Bugün ({name}) {times} saatleri arasında açıktık – bugün için kapandık.")
        }
        (Lang::Pl, Some((_, closes)), _) => format!(
            "Dziś ({name}) jesteśmy otwarci w godzinach {times} – teraz jesteśmy do \
             dyspozycji, do {}.",
            closes.format("%H:%M")
        ),
        (Lang::Pl, None, Some((opens, _))) => format!(
            "Dziś ({name}) jesteśmy otwarci w godzinach {times} – otwieramy ponownie o {}.",
            opens.format("%H:%M")
        ),
        (Lang::Pl, None, None) => {
            format!("Dziś ({name}) byliśmy otwarci w godzinach {times} – na dziś już zamknęliśmy.")
        }
    }
}
