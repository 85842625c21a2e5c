//! CarBot's console for workshop owners: leads, live chats, the catalog, the widget and the
//! workshop's settings, live as things happen. Talks only GraphQL to the platform it is served by.
//!
//! Dependencies point down: `app` → `shell` → `pages` → `components` → `hooks` → `ctx`,
//! `route`, `focus`, `api`, `live`, `i18n`. Pages never import each other.

mod api;
mod app;
mod components;
mod ctx;
mod focus;
mod hooks;
mod i18n;
mod lead_status;
mod live;
mod pages;
mod route;
mod session;
mod shell;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
