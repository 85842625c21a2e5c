//! The console's pages and their paths, in one place. The server answers every path that is
//! not its own with the console's page, so an address typed or bookmarked opens here; a path
//! the console does not know shows the dashboard.

use yew_router::Routable;

#[derive(Clone, Debug, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    #[not_found]
    Dashboard,
    #[at("/leads")]
    Leads,
    #[at("/leads/:id")]
    Lead { id: String },
    #[at("/chats")]
    Chats,
    #[at("/services")]
    Services,
    #[at("/widget")]
    Widget,
    #[at("/tokens")]
    Tokens,
    #[at("/settings")]
    Settings,
    #[at("/plan")]
    Plan,
}
