//! The workshop's profile, its legal notice and its opening hours (`updateWorkshop`, owners).

use std::rc::Rc;

use yew::prelude::*;

use crate::api;
use crate::components::color_field::ColorField;
use crate::components::field::Field;
use crate::components::load::{Load, failed_view, loading_view};
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::i18n::Key;

const WEEKDAYS: [(Key, api::update_workshop::Weekday); 7] = [
    (Key::SetDayMon, api::update_workshop::Weekday::MONDAY),
    (Key::SetDayTue, api::update_workshop::Weekday::TUESDAY),
    (Key::SetDayWed, api::update_workshop::Weekday::WEDNESDAY),
    (Key::SetDayThu, api::update_workshop::Weekday::THURSDAY),
    (Key::SetDayFri, api::update_workshop::Weekday::FRIDAY),
    (Key::SetDaySat, api::update_workshop::Weekday::SATURDAY),
    (Key::SetDaySun, api::update_workshop::Weekday::SUNDAY),
];

const TIME_ZONES: [&str; 6] = [
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Warsaw",
    "Europe/Istanbul",
    "Europe/Luxembourg",
];

const LOCALES: [(&str, &str); 4] = [
    ("DE", "Deutsch"),
    ("EN", "English"),
    ("TR", "Türkçe"),
    ("PL", "Polski"),
];

/// The profile form as typed; opening hours per weekday (Monday first), empty when closed.
#[derive(Clone, Debug, Default, PartialEq)]
struct Profile {
    name: String,
    phone: String,
    email: String,
    website: String,
    street: String,
    postal_code: String,
    city: String,
    country: String,
    brand_color: String,
    time_zone: String,
    locale: String,
    legal_name: String,
    managing_director: String,
    commercial_register: String,
    vat_id: String,
    hours: [Vec<(String, String)>; 7],
}

struct Edit(Box<dyn FnOnce(&mut Profile)>);

impl Reducible for Profile {
    type Action = Edit;

    fn reduce(self: Rc<Self>, action: Edit) -> Rc<Self> {
        let mut next = (*self).clone();
        (action.0)(&mut next);
        Rc::new(next)
    }
}

fn profile_from(data: api::workshop_settings::ResponseData) -> Profile {
    use api::workshop_settings::{Locale, Weekday};
    let w = data.workshop;
    let mut hours: [Vec<(String, String)>; 7] = Default::default();
    for interval in w.opening_hours {
        let day = match interval.weekday {
            Weekday::MONDAY => 0,
            Weekday::TUESDAY => 1,
            Weekday::WEDNESDAY => 2,
            Weekday::THURSDAY => 3,
            Weekday::FRIDAY => 4,
            Weekday::SATURDAY => 5,
            Weekday::SUNDAY => 6,
            Weekday::Other(_) => continue,
        };
        hours[day].push((interval.opens, interval.closes));
    }
    for day in &mut hours {
        day.sort();
    }
    Profile {
        name: w.name,
        phone: w.phone.unwrap_or_default(),
        email: w.email.unwrap_or_default(),
        website: w.website.unwrap_or_default(),
        street: w.address.street.unwrap_or_default(),
        postal_code: w.address.postal_code.unwrap_or_default(),
        city: w.address.city.unwrap_or_default(),
        country: w.address.country,
        brand_color: w.brand_color.unwrap_or_default(),
        time_zone: w.time_zone,
        locale: match w.locale {
            Locale::EN => "EN",
            Locale::TR => "TR",
            Locale::PL => "PL",
            _ => "DE",
        }
        .to_owned(),
        legal_name: w.impressum.legal_name.unwrap_or_default(),
        managing_director: w.impressum.managing_director.unwrap_or_default(),
        commercial_register: w.impressum.commercial_register.unwrap_or_default(),
        vat_id: w.impressum.vat_id.unwrap_or_default(),
        hours,
    }
}

/// The input for `updateWorkshop`, and for each interval sent its `(weekday, interval)` place.
fn input_from(
    profile: &Profile,
) -> (
    api::update_workshop::UpdateWorkshopInput,
    Vec<(usize, usize)>,
) {
    use api::update_workshop::{Locale, OpeningHoursInput, UpdateWorkshopInput};
    let mut places = Vec::new();
    let mut hours = Vec::new();
    for (day, intervals) in profile.hours.iter().enumerate() {
        for (index, (opens, closes)) in intervals.iter().enumerate() {
            places.push((day, index));
            hours.push(OpeningHoursInput {
                weekday: WEEKDAYS[day].1.clone(),
                opens: opens.clone(),
                closes: closes.clone(),
            });
        }
    }
    let input = UpdateWorkshopInput {
        name: Some(profile.name.clone()),
        locale: Some(match profile.locale.as_str() {
            "EN" => Locale::EN,
            "TR" => Locale::TR,
            "PL" => Locale::PL,
            _ => Locale::DE,
        }),
        time_zone: Some(profile.time_zone.clone()),
        phone: Some(profile.phone.clone()),
        email: Some(profile.email.clone()),
        website: Some(profile.website.clone()),
        street: Some(profile.street.clone()),
        postal_code: Some(profile.postal_code.clone()),
        city: Some(profile.city.clone()),
        country: Some(profile.country.clone()),
        brand_color: Some(profile.brand_color.clone()),
        legal_name: Some(profile.legal_name.clone()),
        managing_director: Some(profile.managing_director.clone()),
        commercial_register: Some(profile.commercial_register.clone()),
        vat_id: Some(profile.vat_id.clone()),
        opening_hours: Some(hours),
        // Set on its own in the notifications' section.
        lead_reminder_minutes: None,
    };
    (input, places)
}

/// The field ids of the form, in the order a reader meets them (for moving focus to the
/// first mistake).
const FIELD_ORDER: [&str; 16] = [
    "name",
    "phone",
    "email",
    "website",
    "street",
    "postalCode",
    "city",
    "country",
    "brandColor",
    "timeZone",
    "locale",
    "legalName",
    "managingDirector",
    "commercialRegister",
    "vatId",
    "openingHours",
];

#[function_component(WorkshopProfile)]
pub(super) fn workshop_profile() -> Html {
    let ctx = use_ctx();
    let loaded = use_state(|| Load::<()>::Loading);
    let reload = use_state(|| 0u32);
    let form = use_reducer(Profile::default);
    let errors = use_state(Vec::<(String, String)>::new);
    // Where each interval sent stood in the form, to put its error next to it.
    let places = use_state(Vec::<(usize, usize)>::new);
    let busy = use_state(|| false);

    {
        let (ctx, loaded, form) = (ctx.clone(), loaded.clone(), form.clone());
        use_effect_with(*reload, move |_| {
            loaded.set(Load::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::WorkshopSettings>(
                    ctx.token().as_deref(),
                    api::workshop_settings::Variables {},
                )
                .await;
                match result {
                    Ok(data) => {
                        let profile = profile_from(data);
                        form.dispatch(Edit(Box::new(move |p| *p = profile)));
                        loaded.set(Load::Ready(()));
                    }
                    Err(error) => loaded.set(Load::from_result(&ctx, Err(error))),
                }
            });
        });
    }

    let retry = {
        let reload = reload.clone();
        Callback::from(move |_| reload.set(*reload + 1))
    };
    match &*loaded {
        Load::Loading => {
            return html! { <section><h2>{ ctx.t(Key::SetProfile) }</h2>{ loading_view(&ctx) }</section> };
        }
        Load::Failed(message) => {
            return html! { <section><h2>{ ctx.t(Key::SetProfile) }</h2>{ failed_view(&ctx, message, retry) }</section> };
        }
        Load::Ready(()) => {}
    }

    let text = |apply: fn(&mut Profile, String)| {
        let form = form.clone();
        Callback::from(move |value: String| form.dispatch(Edit(Box::new(move |p| apply(p, value)))))
    };
    let select = |apply: fn(&mut Profile, String)| {
        let form = form.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let value = select.value();
            form.dispatch(Edit(Box::new(move |p| apply(p, value))));
        })
    };

    let onsubmit = {
        let (ctx, form, errors, places, busy) = (
            ctx.clone(),
            form.clone(),
            errors.clone(),
            places.clone(),
            busy.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (input, sent) = input_from(&form);
            let (ctx, errors, places, busy) =
                (ctx.clone(), errors.clone(), places.clone(), busy.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::UpdateWorkshop>(
                    ctx.token().as_deref(),
                    api::update_workshop::Variables { input },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.update_workshop;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        places.set(sent);
                        if let Some(workshop) = payload.workshop.filter(|_| found.is_empty()) {
                            errors.set(vec![]);
                            ctx.notify.emit(ctx.t(Key::PgSaved).to_owned());
                            if let Some(session) = ctx.session.clone() {
                                ctx.set_session.emit(Some(session.renamed(workshop.name)));
                            }
                        } else {
                            let first = FIELD_ORDER.iter().find(|name| {
                                found.iter().any(|(path, _)| {
                                    path == *name || path.starts_with(&format!("{name}."))
                                })
                            });
                            errors.set(found);
                            if let Some(first) = first {
                                focus_id(&format!("field-{first}"));
                            }
                        }
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };

    // The errors about one interval: `(only its closing time, message)`.
    let hours_errors = |day: usize, index: usize| -> Vec<(bool, String)> {
        places
            .iter()
            .enumerate()
            .filter(|(_, place)| **place == (day, index))
            .flat_map(|(sent, _)| {
                let own = format!("openingHours.{sent}");
                errors.iter().filter_map(move |(path, message)| {
                    if *path == own {
                        Some((false, message.clone()))
                    } else {
                        path.strip_prefix(&format!("{own}."))
                            .map(|rest| (rest == "closes", message.clone()))
                    }
                })
            })
            .collect()
    };

    let days = WEEKDAYS.iter().enumerate().map(|(day, (key, _))| {
        let intervals = form.hours[day].clone();
        let open = !intervals.is_empty();
        let day_name = ctx.t(*key);
        let toggle = {
            let form = form.clone();
            Callback::from(move |_| {
                form.dispatch(Edit(Box::new(move |p| {
                    p.hours[day] = if p.hours[day].is_empty() {
                        vec![("08:00".into(), "17:00".into())]
                    } else {
                        vec![]
                    };
                })))
            })
        };
        let add = {
            let form = form.clone();
            Callback::from(move |_| {
                form.dispatch(Edit(Box::new(move |p| {
                    let closes = p.hours[day]
                        .last()
                        .map_or("17:00".to_owned(), |(_, closes)| closes.clone());
                    if let Some(first) = p.hours[day].last_mut() {
                        first.1 = "12:00".into();
                    }
                    p.hours[day].push(("13:00".into(), closes));
                })))
            })
        };
        let rows = intervals.iter().enumerate().map(|(index, (opens, closes))| {
            let set = |closing: bool| {
                let form = form.clone();
                Callback::from(move |event: InputEvent| {
                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                    let value = input.value();
                    form.dispatch(Edit(Box::new(move |p| {
                        if let Some(interval) = p.hours[day].get_mut(index) {
                            if closing {
                                interval.1 = value;
                            } else {
                                interval.0 = value;
                            }
                        }
                    })))
                })
            };
            let remove = {
                let form = form.clone();
                Callback::from(move |_| {
                    form.dispatch(Edit(Box::new(move |p| {
                        if index < p.hours[day].len() {
                            p.hours[day].remove(index);
                        }
                    })))
                })
            };
            let problems = hours_errors(day, index);
            let closes_invalid = (!problems.is_empty()).then_some("true");
            let opens_invalid = problems.iter().any(|(closes, _)| !closes).then_some("true");
            let error_id = format!("hours-{day}-{index}-error");
            let messages: Vec<String> = problems.into_iter().map(|(_, m)| m).collect();
            html! {
                <div class="interval">
                    <input type="time" id={format!("hours-{day}-{index}-opens")} value={opens.clone()}
                        oninput={set(false)} aria-invalid={opens_invalid}
                        aria-describedby={opens_invalid.map(|_| error_id.clone())}
                        aria-label={format!("{day_name}: {}", ctx.t(Key::SetOpens))} required=true />
                    <span aria-hidden="true">{ "–" }</span>
                    <input type="time" id={format!("hours-{day}-{index}-closes")} value={closes.clone()}
                        oninput={set(true)} aria-invalid={closes_invalid}
                        aria-describedby={closes_invalid.map(|_| error_id.clone())}
                        aria-label={format!("{day_name}: {}", ctx.t(Key::SetCloses))} required=true />
                    if index > 0 {
                        <button type="button" class="link" onclick={remove}
                            aria-label={format!("{day_name}: {}", ctx.t(Key::SetRemoveInterval))}>{ "✕" }</button>
                    }
                    if !messages.is_empty() {
                        <p class="error" id={error_id}>{ messages.join(" ") }</p>
                    }
                </div>
            }
        });
        html! {
            <div class="day" role="group" aria-label={day_name}>
                <span class="day-name">{ day_name }</span>
                <label class="check">
                    <input type="checkbox" checked={open} onchange={toggle} />
                    { ctx.t(Key::SetOpen) }
                </label>
                <div class="intervals">
                    if open {
                        { for rows }
                        if intervals.len() < 2 {
                            <button type="button" class="link add-interval" onclick={add}>{ ctx.t(Key::SetAddBreak) }</button>
                        }
                    } else {
                        <span class="muted">{ ctx.t(Key::SetClosed) }</span>
                    }
                </div>
            </div>
        }
    });
    let copy_weekdays = {
        let form = form.clone();
        Callback::from(move |_| {
            form.dispatch(Edit(Box::new(|p| {
                let monday = p.hours[0].clone();
                for day in 1..5 {
                    p.hours[day] = monday.clone();
                }
            })))
        })
    };
    let hours_general = error_for(&errors, "openingHours");
    let rest = other_errors(&errors, &FIELD_ORDER);

    html! {
        <section class="settings" aria-label={ctx.t(Key::SetProfile)}>
            <form class="stack" {onsubmit} novalidate=true>
                <fieldset class="card stack">
                    <legend>{ ctx.t(Key::SetProfile) }</legend>
                    <Field label={ctx.t(Key::WorkshopName)} name="name" value={form.name.clone()}
                        oninput={text(|p, v| p.name = v)} error={error_for(&errors, "name")} required=true />
                    <div class="two">
                        <Field label={ctx.t(Key::SetPhone)} name="phone" kind="tel" value={form.phone.clone()}
                            oninput={text(|p, v| p.phone = v)} error={error_for(&errors, "phone")} />
                        <Field label={ctx.t(Key::Email)} name="email" kind="email" value={form.email.clone()}
                            oninput={text(|p, v| p.email = v)} error={error_for(&errors, "email")} />
                    </div>
                    <Field label={ctx.t(Key::SetWebsite)} name="website" kind="url" value={form.website.clone()}
                        oninput={text(|p, v| p.website = v)} error={error_for(&errors, "website")} />
                    <Field label={ctx.t(Key::SetStreet)} name="street" value={form.street.clone()}
                        oninput={text(|p, v| p.street = v)} error={error_for(&errors, "street")} />
                    <div class="two">
                        <Field label={ctx.t(Key::SetPostalCode)} name="postalCode" value={form.postal_code.clone()}
                            oninput={text(|p, v| p.postal_code = v)} error={error_for(&errors, "postalCode")} />
                        <Field label={ctx.t(Key::SetCity)} name="city" value={form.city.clone()}
                            oninput={text(|p, v| p.city = v)} error={error_for(&errors, "city")} />
                    </div>
                    <div class="two">
                        <Field label={ctx.t(Key::SetCountry)} name="country" value={form.country.clone()}
                            oninput={text(|p, v| p.country = v)} error={error_for(&errors, "country")} />
                        <ColorField label={ctx.t(Key::SetBrandColour)} name="brandColor" value={form.brand_color.clone()}
                            oninput={text(|p, v| p.brand_color = v)} error={error_for(&errors, "brandColor")} />
                    </div>
                    <div class="two">
                        <div class="field">
                            <label for="field-timeZone">{ ctx.t(Key::SetTimeZone) }</label>
                            <select id="field-timeZone" onchange={select(|p, v| p.time_zone = v)}
                                aria-invalid={error_for(&errors, "timeZone").map(|_| "true")}>
                                { for TIME_ZONES.iter().map(|zone| html! {
                                    <option value={*zone} selected={form.time_zone == *zone}>{ *zone }</option>
                                }) }
                            </select>
                            if let Some(error) = error_for(&errors, "timeZone") {
                                <p class="error">{ error }</p>
                            }
                        </div>
                        <div class="field">
                            <label for="field-locale">{ ctx.t(Key::SetLocale) }</label>
                            <select id="field-locale" onchange={select(|p, v| p.locale = v)}>
                                { for LOCALES.iter().map(|(code, name)| html! {
                                    <option value={*code} selected={form.locale == *code}>{ *name }</option>
                                }) }
                            </select>
                        </div>
                    </div>
                </fieldset>
                <fieldset class="card stack">
                    <legend>{ ctx.t(Key::SetImpressum) }</legend>
                    <Field label={ctx.t(Key::SetLegalName)} name="legalName" value={form.legal_name.clone()}
                        oninput={text(|p, v| p.legal_name = v)} error={error_for(&errors, "legalName")} />
                    <Field label={ctx.t(Key::SetManagingDirector)} name="managingDirector" value={form.managing_director.clone()}
                        oninput={text(|p, v| p.managing_director = v)} error={error_for(&errors, "managingDirector")} />
                    <div class="two">
                        <Field label={ctx.t(Key::SetCommercialRegister)} name="commercialRegister" value={form.commercial_register.clone()}
                            oninput={text(|p, v| p.commercial_register = v)} error={error_for(&errors, "commercialRegister")} />
                        <Field label={ctx.t(Key::SetVatId)} name="vatId" value={form.vat_id.clone()}
                            oninput={text(|p, v| p.vat_id = v)} error={error_for(&errors, "vatId")} />
                    </div>
                </fieldset>
                <fieldset class="card stack" id="field-openingHours" tabindex="-1">
                    <legend>{ ctx.t(Key::SetHours) }</legend>
                    <p class="hint">{ ctx.t(Key::SetHoursHint) }</p>
                    <div class="days">{ for days }</div>
                    <div>
                        <button type="button" onclick={copy_weekdays}>{ ctx.t(Key::SetCopyMonday) }</button>
                    </div>
                    if let Some(error) = hours_general {
                        <p class="error" role="alert">{ error }</p>
                    }
                </fieldset>
                if !errors.is_empty() {
                    <div class="callout bad" role="alert">
                        <p>{ ctx.t(Key::PgCheckFields) }</p>
                        { for rest.iter().map(|message| html! { <p>{ message.clone() }</p> }) }
                    </div>
                }
                <div class="row">
                    <button class="primary" type="submit" disabled={*busy}>
                        { if *busy { ctx.t(Key::PgSaving) } else { ctx.t(Key::Save) } }
                    </button>
                </div>
            </form>
        </section>
    }
}
