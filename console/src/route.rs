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

#[cfg(test)]
mod tests {
    use yew_router::Routable;

    use super::Route;

    #[test]
    fn every_page_keeps_its_address() {
        let pages = [
            (Route::Dashboard, "/"),
            (Route::Leads, "/leads"),
            (
                Route::Lead {
                    id: "TGVhZDoxMjM".into(),
                },
                "/leads/TGVhZDoxMjM",
            ),
            (Route::Chats, "/chats"),
            (Route::Services, "/services"),
            (Route::Widget, "/widget"),
            (Route::Tokens, "/tokens"),
            (Route::Settings, "/settings"),
            (Route::Plan, "/plan"),
        ];
        for (route, path) in pages {
            assert_eq!(route.to_path(), path);
            assert_eq!(Route::recognize(path), Some(route));
        }
    }

    #[test]
    fn an_address_with_a_trailing_slash_or_an_unknown_one_still_opens_a_page() {
        assert_eq!(Route::recognize("/leads/"), Some(Route::Leads));
        assert_eq!(Route::recognize("/plan/"), Some(Route::Plan));
        assert_eq!(Route::recognize("/nowhere"), Some(Route::Dashboard));
    }
}
