//! The workshop's last invoices (`invoices(first: 12)`): number, date, amount, status, and
//! Stripe's page and PDF of each, in a new tab.

use yew::prelude::*;

use super::web_url;
use crate::api::billing::{BillingBilling, BillingManager, InvoiceStatus};
use crate::components::dates::date;
use crate::ctx::Ctx;
use crate::i18n::{Key, Lang, amount, euros};

fn status_badge(ctx: &Ctx, status: &InvoiceStatus) -> (&'static str, &'static str) {
    match status {
        InvoiceStatus::PAID => ("on", ctx.t(Key::PlanInvPaid)),
        InvoiceStatus::OPEN => ("trial", ctx.t(Key::PlanInvOpen)),
        InvoiceStatus::UNCOLLECTIBLE => ("off", ctx.t(Key::PlanInvUncollectible)),
        InvoiceStatus::VOID => ("", ctx.t(Key::PlanInvVoid)),
        _ => ("", ctx.t(Key::PlanInvDraft)),
    }
}

fn price(lang: Lang, cents: i64, currency: &str) -> String {
    if currency.eq_ignore_ascii_case("EUR") {
        euros(lang, cents, cents)
    } else {
        format!("{} {currency}", amount(lang, cents))
    }
}

/// A link that opens in a new tab, and says so to screen readers.
fn new_tab(ctx: &Ctx, url: Option<&str>, class: &'static str, label: &'static str) -> Html {
    match url.and_then(web_url) {
        Some(url) => html! {
            <a href={url.to_owned()} target="_blank" rel="noopener noreferrer" class={class}>
                { label }<span class="visually-hidden">{ " " }{ ctx.t(Key::PlanInvNewTab) }</span>
            </a>
        },
        None => html! {},
    }
}

pub(super) fn invoice_list(ctx: &Ctx, b: &BillingBilling) -> Html {
    let invoices = &b.invoices;
    let rows = invoices.edges.iter().map(|edge| {
        let inv = &edge.node;
        let dom = inv.id.replace(|c: char| !c.is_ascii_alphanumeric(), "");
        let (class, label) = status_badge(ctx, &inv.status);
        html! {
            <tr id={format!("invoice-{dom}")} key={inv.id.clone()}>
                <td data-label={ctx.t(Key::PlanInvNumber)} class="mono">{ inv.number.clone().unwrap_or_else(|| "–".into()) }</td>
                <td data-label={ctx.t(Key::PlanInvDate)}>{ date(ctx.lang, &inv.created_at) }</td>
                <td data-label={ctx.t(Key::PlanInvAmount)}>{ price(ctx.lang, inv.amount.amount_cents, &inv.amount.currency) }</td>
                <td data-label={ctx.t(Key::Status)}>
                    <span class={classes!("badge", "invoice-status", (!class.is_empty()).then_some(class))}>{ label }</span>
                </td>
                <td class="actions">
                    { new_tab(ctx, inv.hosted_url.as_deref(), "invoice-view", ctx.t(Key::PlanInvView)) }
                    { " " }
                    { new_tab(ctx, inv.pdf_url.as_deref(), "invoice-pdf", ctx.t(Key::PlanInvPdf)) }
                </td>
            </tr>
        }
    });
    let older = invoices.total_count > invoices.edges.len() as i64
        && b.managed_by == BillingManager::STRIPE;
    html! {
        <section class="stack" aria-labelledby="invoices-title">
            <h2 id="invoices-title">{ ctx.t(Key::PlanInvoices) }</h2>
            if invoices.edges.is_empty() {
                <div class="empty" id="no-invoices">{ ctx.t(Key::PlanNoInvoices) }</div>
            } else {
                <table class="invoices-table" id="invoices">
                    <thead>
                        <tr>
                            <th scope="col">{ ctx.t(Key::PlanInvNumber) }</th>
                            <th scope="col">{ ctx.t(Key::PlanInvDate) }</th>
                            <th scope="col">{ ctx.t(Key::PlanInvAmount) }</th>
                            <th scope="col">{ ctx.t(Key::Status) }</th>
                            <th scope="col"><span class="visually-hidden">{ ctx.t(Key::PlanInvDocuments) }</span></th>
                        </tr>
                    </thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
            if older {
                <p class="hint">{ ctx.t(Key::PlanInvOlder) }</p>
            }
        </section>
    }
}
